import ClusterCore
import Foundation
import JSON
@testable import LocalCluster
import Testing
import YAML

/// How the simulation reads routing objects, checked on a store without any server.
@Suite("Simulation: reading routing objects")
struct TrafficRoutesTests {
    /// A store serving the built-in kinds, the third-party CRDs, and `manifest`'s objects.
    private func store(_ manifest: String) throws -> ObjectStore {
        let store = try ObjectStore()
        let strategies = StrategyBook()
        for strategy in BuiltinResources.all { strategies.register(strategy, in: store) }
        for file in ["istio-networking.yaml", "gateway-api.yaml"] {
            let text = try String(contentsOf: TrafficFixtures.third.appendingPathComponent(file), encoding: .utf8)
            for crd in try YAML.parseAll(text) {
                for strategy in try CustomResourceDefinitions.strategies(for: crd) { strategies.register(strategy, in: store) }
            }
        }
        for object in try YAML.parseAll("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + manifest) {
            let apiVersion = object["apiVersion"]?.stringValue ?? ""
            let parts = apiVersion.split(separator: "/").map(String.init)
            let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", apiVersion)
            let plural = (object["kind"]?.stringValue ?? "").lowercased() + (object["kind"]?.stringValue == "Ingress" ? "es" : "s")
            let type = try #require(store.resourceType(group: group, version: version, plural: plural), "\(apiVersion) \(plural) is served")
            _ = try store.create(type, namespace: object[path: "metadata", "namespace"]?.stringValue, object: object)
        }
        return store
    }

    private func backends(_ entries: [TrafficRoutes.Entry], _ prefix: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for entry in entries where entry.id.hasPrefix(prefix) {
            for backend in entry.backends { result[backend.service + (backend.extraLabels.isEmpty ? "" : "/\(backend.extraLabels.values.sorted().joined())"), default: 0] += backend.weight }
        }
        return result
    }

    @Test("A canary Ingress splits out of canary-weight-total; without a stable Ingress for its host and path it gets nothing")
    func nginxRules() throws {
        let entries = TrafficRoutes.entries(in: try store("""
            \(TrafficFixtures.workloads(trackServices: true).split(separator: "\n---\n").dropFirst().joined(separator: "\n---\n"))
            ---
            \(TrafficFixtures.nginxIngresses(canaryWeight: 50).replacingOccurrences(of: "canary-weight: \"50\"", with: "canary-weight: \"50\"\n    nginx.ingress.kubernetes.io/canary-weight-total: \"200\""))
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: orphan-canary
              namespace: shop
              annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "100"}
            spec:
              rules:
              - host: other.example.com
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: lonely, port: {number: 80}}}}
            ---
            \(TrafficFixtures.service("lonely", selector: "{app: lonely}"))
            """))
        #expect(backends(entries, "ingress/") == ["web-stable": 150, "web-canary": 50])
        #expect(!entries.contains { $0.backends.contains { $0.service == "lonely" } }, "\(entries.map(\.id))")
    }

    @Test("VirtualService: a lone destination takes everything, an unknown subset gets nothing, hosts are not also called directly")
    func istioRules() throws {
        let entries = TrafficRoutes.entries(in: try store("""
            \(TrafficFixtures.istio(canaryWeight: 25).replacingOccurrences(of: "subset: canary}", with: "subset: nosuch}"))
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: api, namespace: shop}
            spec:
              hosts: [api.shop.svc.cluster.local]
              http:
              - route:
                - destination: {host: api}
            ---
            \(TrafficFixtures.service("api", selector: "{app: api}"))
            """))
        #expect(backends(entries, "virtualservice/shop/web/") == ["web/stable": 75])
        #expect(backends(entries, "virtualservice/shop/api/") == ["api": 100])
        #expect(!entries.contains { $0.id.hasPrefix("service/") }, "\(entries.map(\.id))")
    }

    @Test("HTTPRoute: weights default to 1, backends in other namespaces or of other kinds are left out")
    func gatewayRules() throws {
        let entries = TrafficRoutes.entries(in: try store("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              rules:
              - backendRefs:
                - {name: web-stable, port: 80}
                - {name: web-canary, port: 80}
                - {name: elsewhere, namespace: other, port: 80}
                - {name: bucket, kind: Bucket, group: storage.example.com}
            """))
        #expect(backends(entries, "httproute/") == ["web-stable": 1, "web-canary": 1])
    }

    @Test("Services without a selector or of type ExternalName get no direct traffic")
    func directServices() throws {
        let entries = TrafficRoutes.entries(in: try store("""
            \(TrafficFixtures.service("web", selector: "{app: web}"))
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: manual, namespace: shop}
            spec:
              ports: [{port: 80}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: outside, namespace: shop}
            spec:
              type: ExternalName
              externalName: example.com
            """))
        #expect(entries.map(\.id) == ["service/shop/web"])
    }
}
