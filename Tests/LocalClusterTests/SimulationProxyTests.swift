import Foundation
import HTTP
import JSON
import LocalCluster
import Testing

@Suite("Simulation: applications through the proxy")
struct SimulationProxyTests {
    /// Applies the workloads and waits until each Deployment's rollout has finished.
    private func deploy(_ cluster: RunningCluster, _ workloads: [(name: String, image: String)]) async throws {
        _ = try? await cluster.kubectl(["create", "namespace", "shop"])
        for workload in workloads {
            try await cluster.apply("\(workload.name).yaml", SimulatedCluster.workload(workload.name, image: workload.image, namespace: "shop", service: true))
        }
        for workload in workloads {
            try await cluster.kubectlOK(["rollout", "status", "deployment/\(workload.name)", "-n", "shop", "--timeout=60s"])
        }
    }

    private func get(_ client: HTTPClient, _ url: String) async throws -> HTTPResponse {
        try await client.execute(HTTPRequest(url: url))
    }

    @Test("A healthy app answers 200 with its version, by every in-cluster name form")
    func healthyApp() async throws {
        try await SimulatedCluster.with { cluster in
            try await deploy(cluster, [("web", "shop/web:1.4.2")])
            let client = try cluster.proxyClient()
            defer { client.shutdown() }
            for url in ["http://web.shop.svc/healthz", "http://web.shop.svc.cluster.local/readyz", "http://web.shop:80/healthz"] {
                let response = try await get(client, url)
                #expect(response.status == 200, "\(url): \(response.text)")
                #expect(response.text == "ok\n")
            }
            let response = try await get(client, "http://web.shop.svc/orders")
            #expect(response.status == 200)
            let body = try JSONValue(parsing: response.body)
            #expect(body["version"] == "1.4.2")
            #expect(body["pod"]?.stringValue?.hasPrefix("web-") == true)
        }
    }

    @Test("An unhealthy app is ready but its health checks answer 503")
    func unhealthyApp() async throws {
        try await SimulatedCluster.with { cluster in
            try await deploy(cluster, [("web-preview", "shop/web:2.0.0-unhealthy")])
            let client = try cluster.proxyClient()
            defer { client.shutdown() }
            #expect(try await get(client, "http://web-preview.shop.svc/healthz").status == 503)
            #expect(try await get(client, "http://web-preview.shop.svc/readyz").status == 503)
            #expect(try await get(client, "http://web-preview.shop.svc/").status == 200)
        }
    }

    @Test("errors50 fails about half of 200 requests, and /metrics counts them by code and version")
    func errorRateAndMetrics() async throws {
        try await SimulatedCluster.with { cluster in
            try await deploy(cluster, [("api", "shop/api:3.1-errors50")])
            let client = try cluster.proxyClient()
            defer { client.shutdown() }
            var failures = 0, successes = 0
            for _ in 0..<200 {
                switch try await get(client, "http://api.shop.svc/items").status {
                case 500: failures += 1
                case 200: successes += 1
                default: break
                }
            }
            #expect((60...140).contains(failures), "\(failures) of 200 failed")
            #expect(failures + successes == 200)
            let metrics = try await get(client, "http://api.shop.svc/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("http_requests_total{code=\"500\",version=\"3.1-errors50\"} \(failures)\n"))
            #expect(metrics.text.contains("http_requests_total{code=\"200\",version=\"3.1-errors50\"} \(successes)\n"))
            #expect(metrics.text.contains("http_request_duration_seconds_count{version=\"3.1-errors50\"} 200\n"))
        }
    }

    @Test("latency shows in the latency histogram")
    func latencyInHistogram() async throws {
        try await SimulatedCluster.with { cluster in
            try await deploy(cluster, [("slowapi", "shop/api:1.0-latency120")])
            let client = try cluster.proxyClient()
            defer { client.shutdown() }
            for _ in 0..<5 {
                #expect(try await get(client, "http://slowapi.shop.svc/").status == 200)
            }
            let text = try await get(client, "http://slowapi.shop.svc/metrics").text
            #expect(text.contains("http_request_duration_seconds_bucket{version=\"1.0-latency120\",le=\"0.1\"} 0\n"), "\(text)")
            #expect(text.contains("http_request_duration_seconds_bucket{version=\"1.0-latency120\",le=\"+Inf\"} 5\n"))
            let sumLine = text.split(separator: "\n").first { $0.hasPrefix("http_request_duration_seconds_sum{version=\"1.0-latency120\"}") }
            let sum = sumLine.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            #expect(sum >= 0.6)
        }
    }

    @Test("A Service without ready pods answers 503; unknown hosts and ports answer 502")
    func noEndpointsAndUnknownHosts() async throws {
        try await SimulatedCluster.with { cluster in
            _ = try? await cluster.kubectl(["create", "namespace", "shop"])
            try await cluster.apply("broken.yaml", SimulatedCluster.workload("broken", image: "shop/web:1.0-crashloop", namespace: "shop", service: true))
            let client = try cluster.proxyClient()
            defer { client.shutdown() }
            let noEndpoints = try await get(client, "http://broken.shop.svc/healthz")
            #expect(noEndpoints.status == 503)
            #expect(noEndpoints.text.contains("no endpoints available"))

            let unknownService = try await get(client, "http://nosuch.shop.svc/")
            #expect(unknownService.status == 502)
            #expect(unknownService.text.contains("no Service \"nosuch\""))
            let outside = try await get(client, "http://example.com/")
            #expect(outside.status == 502)
            #expect(outside.text.contains("never forwards outside"))
            let wrongPort = try await get(client, "http://broken.shop.svc:8443/")
            #expect(wrongPort.status == 502)
        }
    }
}

@Suite("Simulation: image tags")
struct SimulationAppBehaviorTests {
    @Test("Tag words decide the behaviour; other tags are healthy")
    func parsesTags() {
        let combined = AppBehavior(image: "registry.local:5000/shop/web:1.4.2-errors20-latency150-slow3")
        #expect(combined.version == "1.4.2-errors20-latency150-slow3")
        #expect(combined.errorPercent == 20 && combined.latencyMilliseconds == 150 && combined.slowSeconds == 3)
        #expect(!combined.unhealthy && !combined.crashLoop)
        #expect(AppBehavior(image: "web:2-unhealthy").unhealthy)
        #expect(AppBehavior(image: "web:crashloop").crashLoop)
        #expect(AppBehavior(image: "registry.local:5000/web") == AppBehavior(image: "web:latest"))
        #expect(AppBehavior(image: "web:1.0@sha256:abc").version == "1.0")
        let healthy = AppBehavior(image: "web:errors-latencyx-slow")
        #expect(healthy.errorPercent == 0 && healthy.latencyMilliseconds == 0 && healthy.slowSeconds == 0)
    }

    @Test("Numbers in tags are bounded")
    func boundsNumbers() {
        let huge = AppBehavior(image: "web:errors999-latency99999999999999999999999-slow100000")
        #expect(huge.errorPercent == 100)
        #expect(huge.latencyMilliseconds == AppBehavior.maximumLatencyMilliseconds)
        #expect(huge.slowSeconds == AppBehavior.maximumSlowSeconds)
    }
}
