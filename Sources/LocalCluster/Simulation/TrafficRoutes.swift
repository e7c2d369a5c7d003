import ClusterCore
import Foundation
import JSON

/// Where clients send traffic in the simulated cluster, and how it is split: the routing
/// objects read as their controllers would read them.
///
/// Entry points, each receiving the load generator's rate:
/// - every host/path of a non-canary Ingress, split with the canary Ingress of the same
///   host and path by `nginx.ingress.kubernetes.io/canary-weight` (out of `canary-weight-total`,
///   default 100) (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary);
/// - every HTTP route of an Istio VirtualService, split by its destinations' `weight`
///   (a single destination takes everything), subsets resolved through DestinationRules
///   (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination);
/// - every rule of a Gateway API HTTPRoute, split by its backendRefs' `weight` (default 1)
///   (https://gateway-api.sigs.k8s.io/guides/traffic-splitting/);
/// - every Service with a selector that no routing object sends to and no VirtualService
///   takes over: clients call it directly and kube-proxy spreads the requests over its ready
///   pods, so the split is the ratio of ready pods of each version.
///
/// Istio and Gateway API objects are read only when their CRDs are installed, as in a real
/// cluster; any served version is read (they share one storage). What a router offers beyond
/// weights (header or cookie canaries, mirroring, an Ingress's default backend, cross-namespace
/// backendRefs) sends no simulated traffic.
enum TrafficRoutes {
    /// A Service (with an optional subset's labels) and its share of an entry's traffic.
    struct Backend: Hashable, Sendable {
        var namespace: String
        var service: String
        var extraLabels: [String: String] = [:]
        var weight: Int
    }

    /// One place traffic enters, and where it goes.
    struct Entry: Equatable, Sendable {
        /// Stable identity across passes (`ingress/shop/web/shop.example/`), for the split's state.
        var id: String
        var backends: [Backend]
    }

    static func entries(in store: ObjectStore) -> [Entry] {
        var entries: [Entry] = []
        var routed = Set<SimulatedApplications.ServiceKey>()
        entries += ingressEntries(store, routed: &routed)
        entries += virtualServiceEntries(store, routed: &routed)
        entries += httpRouteEntries(store, routed: &routed)
        for entry in entries {
            for backend in entry.backends { routed.insert(.init(namespace: backend.namespace, name: backend.service)) }
        }
        if let services = store.resourceType(group: "", version: "v1", plural: "services") {
            for service in list(store, services) where !routed.contains(.init(namespace: service.objectNamespace, name: service.objectName)) {
                guard service[path: "spec", "type"]?.stringValue != "ExternalName",
                      let selector = service[path: "spec", "selector"]?.objectValue, !selector.isEmpty else { continue }
                entries.append(Entry(id: "service/\(service.objectNamespace)/\(service.objectName)",
                                     backends: [Backend(namespace: service.objectNamespace, service: service.objectName, weight: 1)]))
            }
        }
        return entries.filter { $0.backends.contains { $0.weight > 0 } }
    }

    // MARK: NGINX Ingress

    static let canaryAnnotation = "nginx.ingress.kubernetes.io/canary"
    static let canaryWeightAnnotation = "nginx.ingress.kubernetes.io/canary-weight"
    static let canaryWeightTotalAnnotation = "nginx.ingress.kubernetes.io/canary-weight-total"

    private struct IngressPath: Hashable {
        var namespace: String
        var host: String
        var path: String
    }

    private static func ingressEntries(_ store: ObjectStore, routed: inout Set<SimulatedApplications.ServiceKey>) -> [Entry] {
        guard let type = store.resourceType(group: "networking.k8s.io", version: "v1", plural: "ingresses") else { return [] }
        var stable: [IngressPath: (ingress: String, service: String)] = [:]
        var canary: [IngressPath: (service: String, weight: Int, total: Int)] = [:]
        for ingress in list(store, type) {
            let annotations = ingress[path: "metadata", "annotations"]?.objectValue ?? [:]
            let isCanary = annotations[canaryAnnotation]?.stringValue == "true"
            let total = annotations[canaryWeightTotalAnnotation]?.stringValue.flatMap { Int($0) }.map { max(1, $0) } ?? 100
            let weight = min(max(annotations[canaryWeightAnnotation]?.stringValue.flatMap { Int($0) } ?? 0, 0), total)
            for rule in ingress[path: "spec", "rules"]?.arrayValue ?? [] {
                let host = rule["host"]?.stringValue ?? ""
                for path in rule[path: "http", "paths"]?.arrayValue ?? [] {
                    guard let service = path[path: "backend", "service", "name"]?.stringValue else { continue }
                    let key = IngressPath(namespace: ingress.objectNamespace, host: host, path: path["path"]?.stringValue ?? "/")
                    if isCanary {
                        canary[key] = (service, weight, total)
                        // The canary's Service gets its traffic through the Ingress only.
                        routed.insert(.init(namespace: key.namespace, name: service))
                    } else if stable[key] == nil {
                        stable[key] = (ingress.objectName, service)
                    }
                }
            }
        }
        return stable.map { key, target in
            var backends = [Backend(namespace: key.namespace, service: target.service, weight: 100)]
            if let canary = canary[key] {
                // ingress-nginx applies a canary only next to a non-canary Ingress of the same host and path.
                backends = [Backend(namespace: key.namespace, service: target.service, weight: canary.total - canary.weight),
                            Backend(namespace: key.namespace, service: canary.service, weight: canary.weight)]
            }
            return Entry(id: "ingress/\(key.namespace)/\(target.ingress)/\(key.host)\(key.path)", backends: backends)
        }.sorted { $0.id < $1.id }
    }

    // MARK: Istio

    private static func virtualServiceEntries(_ store: ObjectStore, routed: inout Set<SimulatedApplications.ServiceKey>) -> [Entry] {
        guard let type = servedType(store, group: "networking.istio.io", versions: ["v1", "v1beta1", "v1alpha3"], plural: "virtualservices") else { return [] }
        let rules = servedType(store, group: "networking.istio.io", versions: ["v1", "v1beta1", "v1alpha3"], plural: "destinationrules")
            .map { list(store, $0) } ?? []
        var entries: [Entry] = []
        for virtualService in list(store, type) {
            let namespace = virtualService.objectNamespace
            for host in virtualService[path: "spec", "hosts"]?.arrayValue ?? [] {
                if let key = host.stringValue.flatMap({ serviceKey(host: $0, namespace: namespace) }) { routed.insert(key) }
            }
            for (index, route) in (virtualService[path: "spec", "http"]?.arrayValue ?? []).enumerated() {
                let destinations = route["route"]?.arrayValue ?? []
                let backends: [Backend] = destinations.compactMap { destination in
                    guard let host = destination[path: "destination", "host"]?.stringValue,
                          let key = serviceKey(host: host, namespace: namespace) else { return nil }
                    var labels: [String: String] = [:]
                    if let subset = destination[path: "destination", "subset"]?.stringValue {
                        // A subset no DestinationRule defines has no endpoints: Istio answers 503.
                        guard let found = subsetLabels(rules, service: key, subset: subset) else { return nil }
                        labels = found
                    }
                    let weight = destination["weight"]?.intValue ?? (destinations.count == 1 ? 100 : 0)
                    return Backend(namespace: key.namespace, service: key.name, extraLabels: labels, weight: max(0, weight))
                }
                let name = route["name"]?.stringValue ?? String(index)
                entries.append(Entry(id: "virtualservice/\(namespace)/\(virtualService.objectName)/\(name)", backends: backends))
            }
        }
        return entries
    }

    /// The labels of `subset` in the DestinationRule for the Service.
    private static func subsetLabels(_ rules: [JSONValue], service: SimulatedApplications.ServiceKey, subset: String) -> [String: String]? {
        for rule in rules {
            guard let host = rule[path: "spec", "host"]?.stringValue,
                  serviceKey(host: host, namespace: rule.objectNamespace) == service else { continue }
            for candidate in rule[path: "spec", "subsets"]?.arrayValue ?? [] where candidate["name"]?.stringValue == subset {
                var labels: [String: String] = [:]
                for (key, value) in candidate["labels"]?.objectValue ?? [:] { labels[key] = value.stringValue }
                return labels
            }
        }
        return nil
    }

    /// The Service a mesh host names: `web`, `web.shop`, `web.shop.svc` or
    /// `web.shop.svc.cluster.local`; a short name is in the object's namespace. Other hosts are
    /// outside the simulation.
    static func serviceKey(host: String, namespace: String) -> SimulatedApplications.ServiceKey? {
        var labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.count == 5, labels[2] == "svc", labels[3] == "cluster", labels[4] == "local" {
            labels.removeLast(3)
        } else if labels.count == 3, labels[2] == "svc" {
            labels.removeLast()
        }
        switch labels.count {
        case 1 where SimulationProxyResponder.isDNSLabel(labels[0]): return .init(namespace: namespace, name: labels[0])
        case 2 where labels.allSatisfy(SimulationProxyResponder.isDNSLabel): return .init(namespace: labels[1], name: labels[0])
        default: return nil
        }
    }

    // MARK: Gateway API

    private static func httpRouteEntries(_ store: ObjectStore, routed: inout Set<SimulatedApplications.ServiceKey>) -> [Entry] {
        guard let type = servedType(store, group: "gateway.networking.k8s.io", versions: ["v1", "v1beta1"], plural: "httproutes") else { return [] }
        var entries: [Entry] = []
        for route in list(store, type) {
            let namespace = route.objectNamespace
            for (index, rule) in (route[path: "spec", "rules"]?.arrayValue ?? []).enumerated() {
                let backends: [Backend] = (rule["backendRefs"]?.arrayValue ?? []).compactMap { reference in
                    let kind = reference["kind"]?.stringValue ?? "Service"
                    let group = reference["group"]?.stringValue ?? ""
                    // Another namespace needs a ReferenceGrant; the simulation routes within the route's own.
                    let backendNamespace = reference["namespace"]?.stringValue ?? namespace
                    guard kind == "Service", group.isEmpty, backendNamespace == namespace,
                          let name = reference["name"]?.stringValue else { return nil }
                    return Backend(namespace: namespace, service: name, weight: max(0, reference["weight"]?.intValue ?? 1))
                }
                let name = rule["name"]?.stringValue ?? String(index)
                entries.append(Entry(id: "httproute/\(namespace)/\(route.objectName)/\(name)", backends: backends))
            }
        }
        return entries
    }

    // MARK: Reading

    private static func servedType(_ store: ObjectStore, group: String, versions: [String], plural: String) -> ResourceType? {
        versions.lazy.compactMap { store.resourceType(group: group, version: $0, plural: plural) }.first
    }

    private static func list(_ store: ObjectStore, _ type: ResourceType) -> [JSONValue] {
        ((try? store.list(type, namespace: nil).items) ?? []).filter { !$0.isBeingDeleted }
    }
}
