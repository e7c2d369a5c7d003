import Foundation
import HTTP
import JSON
import LocalCluster
import PrometheusProcess
import Testing

/// PromQL, evaluated by a real Prometheus scraping the embedded cluster, over the simulated
/// traffic: the numbers a canary gate would see.
@Suite("Simulation: a real Prometheus over the simulated traffic", .enabled(if: PrometheusServer.binary != nil))
struct PrometheusTrafficTests {
    @Test("promtool accepts the scrape configuration the cluster's metrics endpoint is documented with")
    func configurationIsValid() async throws {
        let promtool = try #require(PrometheusServer.promtool, "promtool is installed with prometheus")
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("prometheus.yml")
        try PrometheusServer.configuration(job: "slipway-cluster-apps", metricsURL: "http://127.0.0.1:9464/metrics").write(to: file, atomically: true, encoding: .utf8)
        let result = try await Command.run(URL(fileURLWithPath: promtool), ["check", "config", file.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test("The error rate of an errors20 canary is 20 % and the p99 latency of a latency400 version is 0.4-0.5 s")
    func errorRateAndLatency() async throws {
        try await RunningCluster.with(simulation: TrafficFixtures.simulation) { cluster in
            let metricsURL = try #require(cluster.endpoint.metricsURL)
            try await PrometheusServer.with(scraping: metricsURL, job: "slipway-cluster-apps") { prometheus in
                try await cluster.apply("web.yaml", TrafficFixtures.workloads(stableImage: "shop/web:1.0.0-latency400", canaryImage: "shop/web:2.0.0-errors20"))
                try await cluster.waitForWorkloads()
                // A 5 s window that starts after both versions were ready.
                let ready = Date()
                try #require(try await prometheus.waitForScrape(after: ready.addingTimeInterval(6)), "Prometheus kept scraping")

                let errorRate = try await prometheus.query("""
                    sum(rate(http_requests_total{namespace="shop",deployment="web-canary",code=~"5.."}[5s]))
                      / sum(rate(http_requests_total{namespace="shop",deployment="web-canary"}[5s]))
                    """)
                let rate = try #require(errorRate.first?.value)
                #expect(abs(rate - 0.20) <= 0.02, "error rate \(rate)")
                let stableErrors = try await prometheus.query(#"sum(rate(http_requests_total{deployment="web-stable",code=~"5.."}[5s]))"#)
                // A version that never failed has no 5xx series at all: "no data", which a gate's
                // no-data policy must decide, not a zero.
                #expect(stableErrors.isEmpty, "\(stableErrors)")

                func p99(_ deployment: String) async throws -> Double {
                    let result = try await prometheus.query("""
                        histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",deployment="\(deployment)"}[5s])))
                        """)
                    return try #require(result.first?.value)
                }
                let slow = try await p99("web-stable")
                #expect(slow > 0.4 && slow <= 0.5, "p99 of latency400: \(slow) s")
                let fast = try await p99("web-canary")
                #expect(fast < 0.025, "p99 of a version without added latency: \(fast) s")
            }
        }
    }

    @Test("Traffic splits as the routing objects say, for replica ratio, NGINX, Istio and Gateway API at once")
    func splitsPerRouter() async throws {
        try await RunningCluster.with(simulation: TrafficFixtures.simulation) { cluster in
            let metricsURL = try #require(cluster.endpoint.metricsURL)
            try await cluster.installThirdPartyCRDs()
            try await PrometheusServer.with(scraping: metricsURL, job: "slipway-cluster-apps") { prometheus in
                let expected = ["ratio": 0.25, "nginx": 0.30, "istio": 0.10, "gateway": 0.40]
                try await cluster.apply("ratio.yaml", TrafficFixtures.workloads(stableReplicas: 3, trackServices: false, namespace: "ratio")
                    + "\n---\n" + TrafficFixtures.service("web", selector: "{app: web}", namespace: "ratio"))
                try await cluster.apply("nginx.yaml", TrafficFixtures.workloads(namespace: "nginx") + "\n---\n"
                    + TrafficFixtures.nginxIngresses(canaryWeight: 30, namespace: "nginx"))
                try await cluster.apply("istio.yaml", TrafficFixtures.workloads(trackServices: false, namespace: "istio") + "\n---\n"
                    + TrafficFixtures.istio(canaryWeight: 10, namespace: "istio"))
                try await cluster.apply("gateway.yaml", TrafficFixtures.workloads(namespace: "gateway") + "\n---\n"
                    + TrafficFixtures.httpRoute(stableWeight: 3, canaryWeight: 2, namespace: "gateway"))
                for namespace in expected.keys { try await cluster.waitForWorkloads(namespace: namespace) }
                let ready = Date()
                try #require(try await prometheus.waitForScrape(after: ready.addingTimeInterval(6)), "Prometheus kept scraping")

                let shares = try await prometheus.query("""
                    sum by (namespace) (rate(http_requests_total{deployment="web-canary"}[5s]))
                      / sum by (namespace) (rate(http_requests_total{deployment=~"web-stable|web-canary"}[5s]))
                    """)
                var measured: [String: Double] = [:]
                for sample in shares { if let namespace = sample.labels["namespace"] { measured[namespace] = sample.value } }
                for (namespace, share) in expected {
                    let value = try #require(measured[namespace], "no canary share measured in \(namespace): \(measured)")
                    #expect(abs(value - share) <= 0.03, "\(namespace): canary share \(value), routing says \(share)")
                }
            }
        }
    }
}
