import Foundation
import HTTP
import JSON
@testable import LocalCluster
import Testing

/// The load generator's traffic, split as each router's objects say, seen in the apps' metrics.
/// One cluster with brisk traffic at a time, so that the rest of the suite keeps its share of a
/// small machine.
@Suite("Simulation: traffic through the routers", .serialized)
struct SimulationTrafficTests {
    private func withTraffic(_ body: (RunningCluster, HTTPClient) async throws -> Void) async throws {
        try await RunningCluster.with(simulation: TrafficFixtures.simulation) { cluster in
            let client = try HTTPClient()
            defer { client.shutdown() }
            try await body(cluster, client)
        }
    }

    @Test("Replica ratio: a Service over 3 stable pods and 1 canary pod sends the canary a quarter of the requests")
    func replicaRatio() async throws {
        try await withTraffic { cluster, client in
            try await cluster.apply("web.yaml", TrafficFixtures.workloads(stableReplicas: 3, canaryReplicas: 1, trackServices: false)
                + "\n---\n" + TrafficFixtures.service("web", selector: "{app: web}"))
            try await cluster.waitForWorkloads()
            let share = try await cluster.canaryShare(client)
            #expect(abs(share - 0.25) <= 0.02, "canary share \(share)")
        }
    }

    @Test("NGINX: the canary Ingress's weight decides the split, and a new weight applies at once")
    func nginxCanaryWeight() async throws {
        try await withTraffic { cluster, client in
            try await cluster.apply("web.yaml", TrafficFixtures.workloads() + "\n---\n" + TrafficFixtures.nginxIngresses(canaryWeight: 30))
            try await cluster.waitForWorkloads()
            let share = try await cluster.canaryShare(client)
            #expect(abs(share - 0.30) <= 0.02, "canary share \(share)")

            try await cluster.kubectlOK(["annotate", "ingress", "web-canary", "-n", "shop", "--overwrite", "nginx.ingress.kubernetes.io/canary-weight=0"])
            // Requests of the tick that read the old weight may still arrive; the next ones do not.
            _ = try await cluster.canaryShare(client, over: 50)
            #expect(try await cluster.canaryShare(client, over: 200) == 0)
        }
    }

    @Test("Istio: VirtualService destination weights over DestinationRule subsets decide the split")
    func istioWeights() async throws {
        try await withTraffic { cluster, client in
            try await cluster.installThirdPartyCRDs()
            try await cluster.apply("web.yaml", TrafficFixtures.workloads(trackServices: false) + "\n---\n" + TrafficFixtures.istio(canaryWeight: 10))
            try await cluster.waitForWorkloads()
            let share = try await cluster.canaryShare(client)
            #expect(abs(share - 0.10) <= 0.02, "canary share \(share)")
            // The VirtualService takes over the host: the Service is not also called directly.
            let metrics = try await cluster.appMetrics(client)
            #expect(Set(metrics.samples.filter { $0.name == "http_requests_total" }.compactMap { $0.labels["service"] }) == ["web"])
        }
    }

    @Test("Gateway API: HTTPRoute backendRef weights decide the split")
    func httpRouteWeights() async throws {
        try await withTraffic { cluster, client in
            try await cluster.installThirdPartyCRDs()
            try await cluster.apply("web.yaml", TrafficFixtures.workloads() + "\n---\n" + TrafficFixtures.httpRoute(stableWeight: 3, canaryWeight: 2))
            try await cluster.waitForWorkloads()
            let share = try await cluster.canaryShare(client)
            #expect(abs(share - 0.40) <= 0.02, "canary share \(share)")
        }
    }

    @Test("errors20 answers exactly a fifth of its requests 500; latency400 lands every request in the 0.5 s bucket")
    func errorRateAndLatencyInMetrics() async throws {
        try await withTraffic { cluster, client in
            try await cluster.apply("web.yaml", TrafficFixtures.workloads(stableImage: "shop/web:1.0.0-latency400", canaryImage: "shop/web:2.0.0-errors20"))
            try await cluster.waitForWorkloads()
            var metrics = ExposedMetrics("")
            try await RunningCluster.eventually("500 requests to each version") {
                metrics = try await cluster.appMetrics(client)
                return metrics.sum("http_requests_total", ["deployment": "web-canary"]) >= 500
                    && metrics.sum("http_request_duration_seconds_count", ["deployment": "web-stable"]) >= 500
            }
            let canary = ["namespace": "shop", "service": "web-canary", "deployment": "web-canary", "version": "2.0.0-errors20"]
            let errors = metrics.sum("http_requests_total", canary.merging(["code": "500"]) { $1 })
            let all = metrics.sum("http_requests_total", canary)
            #expect(abs(errors / all - 0.20) <= 0.01, "\(errors) of \(all) failed")

            let stable = ["deployment": "web-stable", "version": "1.0.0-latency400"]
            let count = metrics.sum("http_request_duration_seconds_count", stable)
            #expect(metrics.sum("http_request_duration_seconds_bucket", stable.merging(["le": "0.25"]) { $1 }) == 0)
            #expect(metrics.sum("http_request_duration_seconds_bucket", stable.merging(["le": "0.5"]) { $1 }) == count)
            let mean = metrics.sum("http_request_duration_seconds_sum", stable) / count
            #expect((0.4...0.42).contains(mean), "mean \(mean) s")
            // A healthy version answers fast and without errors.
            #expect(metrics.sum("http_requests_total", ["deployment": "web-stable", "code": "500"]) == 0)
        }
    }

    @Test("Without a traffic rate the cluster sends nothing; the metrics endpoint answers only /metrics")
    func noTrafficByDefault() async throws {
        let quiet = SimulationConfiguration(readinessDelay: .milliseconds(200), resyncInterval: .milliseconds(100), metricsPort: 0)
        try await RunningCluster.with(simulation: quiet) { cluster in
            let client = try HTTPClient()
            defer { client.shutdown() }
            try await cluster.apply("web.yaml", TrafficFixtures.workloads())
            try await cluster.waitForWorkloads()
            // Through the proxy, a request is counted with the labels a scrape would give it.
            let proxied = try cluster.proxyClient()
            defer { proxied.shutdown() }
            #expect(try await proxied.execute(HTTPRequest(url: "http://web-canary.shop.svc/")).status == 200)
            let metrics = try await cluster.appMetrics(client)
            #expect(metrics.sum("http_requests_total") == 1)
            #expect(metrics.sum("http_requests_total", ["service": "web-canary", "deployment": "web-canary", "code": "200"]) == 1)
            let url = try #require(cluster.endpoint.metricsURL)
            let other = try await client.execute(HTTPRequest(url: url.replacingOccurrences(of: "/metrics", with: "/config")))
            #expect(other.status == 404)
        }
    }
}

@Suite("Simulation: routing arithmetic")
struct TrafficArithmeticTests {
    @Test("Smooth weighted round robin gives each backend exactly its weight per cycle, interleaved")
    func weightedSplit() {
        var split = WeightedSplit<String>()
        var picks: [String] = []
        for _ in 0..<100 {
            if let index = split.next(["stable", "canary"], weights: [70, 30]) { picks.append(["stable", "canary"][index]) }
        }
        #expect(picks.filter { $0 == "canary" }.count == 30)
        #expect(!picks.joined(separator: ",").contains("canary,canary"), "canary picks are spread out")
        var none = WeightedSplit<String>()
        #expect(none.next(["stable", "canary"], weights: [0, 0]) == nil)
        #expect(none.next(["stable"], weights: [1, 2]) == nil)
    }

    @Test("Mesh hosts name Services in the forms Istio accepts; other hosts are outside the simulation")
    func meshHosts() {
        #expect(TrafficRoutes.serviceKey(host: "web", namespace: "shop") == .init(namespace: "shop", name: "web"))
        #expect(TrafficRoutes.serviceKey(host: "web.other", namespace: "shop") == .init(namespace: "other", name: "web"))
        #expect(TrafficRoutes.serviceKey(host: "web.shop.svc.cluster.local", namespace: "x") == .init(namespace: "shop", name: "web"))
        #expect(TrafficRoutes.serviceKey(host: "api.example.com", namespace: "shop") == nil)
        #expect(TrafficRoutes.serviceKey(host: "*.shop", namespace: "shop") == nil)
    }

    @Test("A pod's Deployment is its ReplicaSet's name without the pod-template-hash")
    func deploymentOfPod() throws {
        let pod = try JSONValue(parsing: """
            {"metadata": {"name": "web-canary-5d8f7-abcde", "labels": {"pod-template-hash": "5d8f7"},
             "ownerReferences": [{"kind": "ReplicaSet", "name": "web-canary-5d8f7", "controller": true}]}}
            """)
        #expect(SimulatedApplications.deployment(of: pod) == "web-canary")
        let bare = try JSONValue(parsing: #"{"metadata": {"name": "debug"}}"#)
        #expect(SimulatedApplications.deployment(of: bare) == "debug")
    }
}
