import Foundation
import HTTP
import JSON
import LocalCluster
import Testing

/// A stable and a canary version of one app in namespace `shop`, and the routing objects of
/// each router that split traffic between them, written as users write them.
enum TrafficFixtures {
    static let namespace = "shop"
    static let third = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("manifests/crds/third-party")

    /// Short delays and brisk traffic, served with a metrics endpoint.
    static let simulation = SimulationConfiguration(
        readinessDelay: .milliseconds(200), crashLoopRestartInterval: .milliseconds(500), resyncInterval: .milliseconds(100),
        trafficRate: 200, metricsPort: 0)

    /// Deployment `web-<track>` of `replicas` pods of `image`, labelled app=web, track=<track>.
    static func deployment(_ track: String, image: String, replicas: Int, namespace: String = TrafficFixtures.namespace) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web-\(track)
          namespace: \(namespace)
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {app: web, track: \(track)}
          template:
            metadata:
              labels: {app: web, track: \(track)}
            spec:
              containers:
              - name: web
                image: \(image)
                ports:
                - containerPort: 8080
        """
    }

    /// Service `name` selecting `selector`, port 80.
    static func service(_ name: String, selector: String, namespace: String = TrafficFixtures.namespace) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          selector: \(selector)
          ports:
          - name: http
            port: 80
            targetPort: 8080
        """
    }

    /// The namespace, both Deployments, and Services `web-stable` and `web-canary` (and, for
    /// replica ratio, nothing else: `web` selecting both is added by the test).
    static func workloads(stableImage: String = "shop/web:1.0.0", canaryImage: String = "shop/web:2.0.0",
                          stableReplicas: Int = 1, canaryReplicas: Int = 1, trackServices: Bool = true,
                          namespace: String = TrafficFixtures.namespace) -> String {
        var documents = ["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(namespace)",
                         deployment("stable", image: stableImage, replicas: stableReplicas, namespace: namespace),
                         deployment("canary", image: canaryImage, replicas: canaryReplicas, namespace: namespace)]
        if trackServices {
            documents += [service("web-stable", selector: "{app: web, track: stable}", namespace: namespace),
                          service("web-canary", selector: "{app: web, track: canary}", namespace: namespace)]
        }
        return documents.joined(separator: "\n---\n")
    }

    static func nginxIngresses(canaryWeight: Int, namespace: String = TrafficFixtures.namespace) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: \(namespace)
        spec:
          ingressClassName: nginx
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web-stable, port: {number: 80}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web-canary
          namespace: \(namespace)
          annotations:
            nginx.ingress.kubernetes.io/canary: "true"
            nginx.ingress.kubernetes.io/canary-weight: "\(canaryWeight)"
        spec:
          ingressClassName: nginx
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web-canary, port: {number: 80}}
        """
    }

    /// A VirtualService for host `web` sending `canaryWeight` % to the canary subset, with the
    /// DestinationRule defining the subsets by track.
    static func istio(canaryWeight: Int, namespace: String = TrafficFixtures.namespace) -> String {
        """
        \(service("web", selector: "{app: web}", namespace: namespace))
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: web
          namespace: \(namespace)
        spec:
          host: web.\(namespace).svc.cluster.local
          subsets:
          - name: stable
            labels: {track: stable}
          - name: canary
            labels: {track: canary}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: web
          namespace: \(namespace)
        spec:
          hosts: [web]
          http:
          - name: primary
            route:
            - destination: {host: web, subset: stable}
              weight: \(100 - canaryWeight)
            - destination: {host: web, subset: canary}
              weight: \(canaryWeight)
        """
    }

    static func httpRoute(stableWeight: Int, canaryWeight: Int, namespace: String = TrafficFixtures.namespace) -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: simulated
        spec:
          controllerName: example.com/gateway-controller
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: public
          namespace: \(namespace)
        spec:
          gatewayClassName: simulated
          listeners:
          - name: http
            port: 80
            protocol: HTTP
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: web
          namespace: \(namespace)
        spec:
          parentRefs:
          - name: public
          hostnames: [shop.example.com]
          rules:
          - backendRefs:
            - name: web-stable
              port: 80
              weight: \(stableWeight)
            - name: web-canary
              port: 80
              weight: \(canaryWeight)
        """
    }
}

/// The samples of one metric in the text exposition format, by their labels.
struct ExposedMetrics {
    var samples: [(name: String, labels: [String: String], value: Double)] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let open = series.firstIndex(of: "{"), series.hasSuffix("}") else {
                samples.append((String(series), [:], value))
                continue
            }
            var labels: [String: String] = [:]
            // Label values in these tests hold no commas or escaped quotes.
            for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            samples.append((String(series[..<open]), labels, value))
        }
    }

    /// The sum of `name` over the samples whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }
}

extension RunningCluster {
    /// The cluster's application metrics, parsed.
    func appMetrics(_ client: HTTPClient) async throws -> ExposedMetrics {
        let url = try #require(endpoint.metricsURL, "the simulated cluster serves a metrics endpoint")
        let response = try await client.execute(HTTPRequest(url: url))
        #expect(response.status == 200)
        return ExposedMetrics(String(decoding: response.body, as: UTF8.self))
    }

    /// Installs the Istio and Gateway API CRDs and waits until they are served.
    func installThirdPartyCRDs() async throws {
        try await kubectlOK(["apply", "-f", TrafficFixtures.third.path])
        for kind in ["virtualservices.networking.istio.io", "destinationrules.networking.istio.io", "httproutes.gateway.networking.k8s.io",
                     "gateways.gateway.networking.k8s.io", "gatewayclasses.gateway.networking.k8s.io"] {
            try await kubectlOK(["wait", "--for=condition=Established", "crd/\(kind)", "--timeout=30s"])
        }
    }

    /// Waits until both Deployments have rolled out.
    func waitForWorkloads(namespace: String = TrafficFixtures.namespace) async throws {
        for name in ["web-stable", "web-canary"] {
            try await kubectlOK(["rollout", "status", "deployment/\(name)", "-n", namespace, "--timeout=60s"])
        }
    }

    /// The share of requests the canary Deployment served out of the next `requests` the
    /// stable and canary Deployments served together (counted from now, so the time before
    /// both were ready does not count).
    func canaryShare(_ client: HTTPClient, over requests: Double = 600, timeout: Duration = .seconds(30)) async throws -> Double {
        func counts() async throws -> (stable: Double, canary: Double) {
            let metrics = try await appMetrics(client)
            return (metrics.sum("http_requests_total", ["deployment": "web-stable"]), metrics.sum("http_requests_total", ["deployment": "web-canary"]))
        }
        let start = try await counts()
        var now = start
        try await RunningCluster.eventually(timeout: timeout, "\(requests) requests to the app") {
            now = try await counts()
            return (now.stable - start.stable) + (now.canary - start.canary) >= requests
        }
        let stable = now.stable - start.stable, canary = now.canary - start.canary
        return stable + canary > 0 ? canary / (stable + canary) : .nan
    }
}
