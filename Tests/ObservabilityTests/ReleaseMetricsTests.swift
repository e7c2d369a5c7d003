import Foundation
import Observability
import SlipwayAPI
import Synchronization
import Testing

/// What the controller's caches hold, changed by the test between scrapes.
final class Caches: Sendable {
    private let state = Mutex<([DeploymentRequest], [DeploymentTarget])>(([], []))

    func set(requests: [DeploymentRequest], targets: [DeploymentTarget]) {
        state.withLock { $0 = (requests, targets) }
    }

    var source: ReleaseMetrics.Source {
        ReleaseMetrics.Source(requests: { self.state.withLock { $0.0 } }, targets: { self.state.withLock { $0.1 } })
    }
}

@Suite("Release metrics")
struct ReleaseMetricsTests {
    /// 2026-11-25T11:00:00Z: when the controller started leading.
    let since = Date(timeIntervalSince1970: 1_795_604_400)

    @Test("with many environments each family is written once, every environment has its series, and histograms are cumulative")
    func manyEnvironments() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        let count = 300
        let targets = try (0..<count).map { try Objects.target("web-\($0)", environment: "env-\($0)") }
        caches.set(requests: try (0..<count).map { try Objects.request("r\($0)", target: "web-\($0)", phase: .progressing, startedAt: "2026-11-25T11:00:00Z") },
                   targets: targets)
        metrics.attach(caches.source, since: since)
        caches.set(requests: try (0..<count).map {
            try Objects.request("r\($0)", target: "web-\($0)", phase: .succeeded, startedAt: "2026-11-25T11:00:00Z", finishedAt: "2026-11-25T11:00:\(10 + $0 % 40)Z")
        }, targets: targets)
        let text = registry.expositionText()
        #expect(text.components(separatedBy: "# TYPE deployments_total counter").count == 2)
        #expect(text.components(separatedBy: "# TYPE deployment_duration_seconds histogram").count == 2)
        for index in [0, 17, count - 1] {
            let seconds = Double(10 + index % 40)
            #expect(sample(text, "deployments_total{env=\"env-\(index)\",status=\"success\"}") == 1)
            #expect(sample(text, "deployments_total{env=\"env-\(index)\",status=\"failed\"}") == 0)
            #expect(sample(text, "deployment_duration_seconds_sum{env=\"env-\(index)\"}") == seconds)
            #expect(sample(text, "deployment_duration_seconds_bucket{env=\"env-\(index)\",le=\"5.0\"}") == 0)
            #expect(sample(text, "deployment_duration_seconds_bucket{env=\"env-\(index)\",le=\"60.0\"}") == 1)
            #expect(sample(text, "deployment_duration_seconds_bucket{env=\"env-\(index)\",le=\"+Inf\"}") == 1)
        }
    }

    @Test("a release that finishes is counted once by environment and outcome, with its duration")
    func countsOnce() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        let target = try Objects.target()
        caches.set(requests: [try Objects.request("r1", phase: .progressing, startedAt: "2026-11-25T11:00:00Z")], targets: [target])
        metrics.attach(caches.source, since: since)

        var text = registry.expositionText()
        #expect(sample(text, #"deployments_total{env="production",status="success"}"#) == 0)
        #expect(sample(text, #"slipway_requests{env="production",namespace="shop",target="web-production",phase="Progressing"}"#) == 1)

        caches.set(requests: [try Objects.request("r1", phase: .succeeded, startedAt: "2026-11-25T11:00:00Z",
                                                  finishedAt: "2026-11-25T11:00:42Z")], targets: [target])
        text = registry.expositionText()
        text = registry.expositionText()
        #expect(sample(text, #"deployments_total{env="production",status="success"}"#) == 1)
        #expect(sample(text, #"deployments_total{env="production",status="failed"}"#) == 0)
        #expect(sample(text, #"deployment_duration_seconds_count{env="production"}"#) == 1)
        #expect(sample(text, #"deployment_duration_seconds_sum{env="production"}"#) == 42)
        #expect(sample(text, #"deployment_duration_seconds_bucket{env="production",le="60.0"}"#) == 1)
        #expect(sample(text, #"deployment_duration_seconds_bucket{env="production",le="30.0"}"#) == 0)
        #expect(sample(text, #"slipway_requests{env="production",namespace="shop",target="web-production",phase="Progressing"}"#) == 0)
        #expect(sample(text, #"slipway_requests{env="production",namespace="shop",target="web-production",phase="Succeeded"}"#) == 1)
    }

    @Test("requests that had finished before the controller started are not counted again")
    func baselineIsHistory() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        caches.set(requests: [try Objects.request("old-ok", phase: .succeeded, finishedAt: "2026-11-25T09:00:00Z"),
                              try Objects.request("old-bad", phase: .rolledBack, finishedAt: "2026-11-25T10:30:00Z")],
                   targets: [try Objects.target()])
        metrics.attach(caches.source, since: since)
        let text = registry.expositionText()
        #expect(sample(text, #"deployments_total{env="production",status="success"}"#) == 0)
        #expect(sample(text, #"deployments_total{env="production",status="rolled_back"}"#) == 0)
        #expect(sample(text, #"slipway_requests{env="production",namespace="shop",target="web-production",phase="RolledBack"}"#) == 1)
    }

    @Test("a request created and finished between two looks counts when it ended after the start, not before")
    func newAndAlreadyFinished() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        let target = try Objects.target()
        caches.set(requests: [], targets: [target])
        metrics.attach(caches.source, since: since)
        caches.set(requests: [try Objects.request("quick", phase: .failed, startedAt: "2026-11-25T11:01:00Z",
                                                  finishedAt: "2026-11-25T11:01:05Z"),
                              try Objects.request("stale", phase: .succeeded, finishedAt: "2026-11-25T10:00:00Z")],
                   targets: [target])
        let text = registry.expositionText()
        #expect(sample(text, #"deployments_total{env="production",status="failed"}"#) == 1)
        #expect(sample(text, #"deployments_total{env="production",status="success"}"#) == 0)
    }

    @Test("gate measurements are counted as they are added, by gate and result")
    func gateResults() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        let target = try Objects.target()
        caches.set(requests: [try Objects.request("r1", phase: .progressing, gates: [("pre/health", 1, 0)])], targets: [target])
        metrics.attach(caches.source, since: since)
        caches.set(requests: [try Objects.request("r1", phase: .progressing, gates: [("pre/health", 3, 1)])], targets: [target])
        let text = registry.expositionText()
        let labels = #"env="production",namespace="shop",target="web-production",gate="pre/health""#
        #expect(sample(text, "slipway_gate_results_total{\(labels),result=\"success\"}") == 2)
        #expect(sample(text, "slipway_gate_results_total{\(labels),result=\"failure\"}") == 1)
    }

    @Test("health, canary weight and last deployment per target; gauges of a deleted target disappear")
    func targetGauges() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        let canary = try Objects.target("api-staging", environment: "staging", canary: true, health: "Degraded", activeRequest: "c1")
        let blueGreen = try Objects.target(lastDeployedAt: "2026-11-25T10:00:00Z")
        caches.set(requests: [try Objects.request("c1", target: "api-staging", phase: .progressing, canaryWeight: 40)],
                   targets: [canary, blueGreen])
        metrics.attach(caches.source, since: since)
        var text = registry.expositionText()
        #expect(sample(text, #"health_check_up{env="staging",namespace="shop",target="api-staging"}"#) == 0)
        #expect(sample(text, #"health_check_up{env="production",namespace="shop",target="web-production"}"#) == 1)
        #expect(sample(text, #"slipway_canary_weight{env="staging",namespace="shop",target="api-staging",strategy="Canary"}"#) == 40)
        #expect(sample(text, #"slipway_canary_weight{env="production",namespace="shop",target="web-production",strategy="BlueGreen"}"#) == 0)
        #expect(sample(text, #"slipway_target_last_deployed_timestamp_seconds{env="production",namespace="shop",target="web-production"}"#)
            == 1_795_600_800)
        #expect(sample(text, #"slipway_request_oldest_unfinished_timestamp_seconds{env="staging",namespace="shop",target="api-staging",phase="Progressing"}"#)
            == 1_795_600_800)

        caches.set(requests: [], targets: [blueGreen])
        text = registry.expositionText()
        #expect(!text.contains(#"target="api-staging""#))
        #expect(text.contains(#"target="web-production""#))

        metrics.detach()
        text = registry.expositionText()
        #expect(!text.contains("health_check_up{"))
        #expect(text.contains(#"deployments_total{env="production",status="success"} 0"#))
    }

    @Test("label values never hold request names, users or commits")
    func boundedLabels() throws {
        let registry = MetricsRegistry()
        let metrics = ReleaseMetrics(registry: registry)
        let caches = Caches()
        caches.set(requests: [try Objects.request("release-4711", phase: .progressing, gates: [("pre/health", 1, 0)])],
                   targets: [try Objects.target()])
        metrics.attach(caches.source, since: since)
        caches.set(requests: [try Objects.request("release-4711", phase: .succeeded, finishedAt: "2026-11-25T12:00:00Z",
                                                  gates: [("pre/health", 2, 0)])], targets: [try Objects.target()])
        let text = registry.expositionText()
        #expect(!text.contains("release-4711"))
        #expect(!text.contains("abcdef1"))
        #expect(!text.contains("shop/web:2.0.0"))
    }
}
