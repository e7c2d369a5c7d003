import Foundation
import Kube
import SlipwayAPI
import Synchronization

/// The release metrics, derived from what the controller's caches hold: the manual's
/// `deployments_total{env,status}`, `deployment_duration_seconds{env}` and
/// `health_check_up{env}`, and Slipway's request, canary weight, gate and target gauges.
///
/// Deriving them from the requests' status (rather than from calls in the reconciler) keeps
/// the rollout code free of metrics and counts what users see in `kubectl get`. The source is
/// attached for each term as leader and detached at its end: only the leader reports releases,
/// so that the sum over replicas is the number of releases, and a standby serves no stale gauges.
/// Values are brought up to date before every scrape.
public final class ReleaseMetrics: Sendable {
    /// Where the requests and targets are read from: the controller's watch caches.
    public struct Source: Sendable {
        public var requests: @Sendable () -> [DeploymentRequest]
        public var targets: @Sendable () -> [DeploymentTarget]

        public init(requests: @escaping @Sendable () -> [DeploymentRequest], targets: @escaping @Sendable () -> [DeploymentTarget]) {
            self.requests = requests
            self.targets = targets
        }
    }

    /// From 5 s to 1 h: a blue/green release with gates takes tens of seconds to minutes; a
    /// canary with pauses, up to an hour.
    static let durationBuckets: [Double] = [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600]

    private struct State {
        var source: Source?
        var ledger: ReleaseLedger?
        /// The per-target gauges of the last look, rendered at each scrape (`TargetGauges.write`):
        /// thousands of targets make tens of thousands of series, too many to register one by one.
        var gauges: TargetGauges?
        var environments: Set<String> = []
        /// Release counters and durations, kept across terms (counters never go back).
        var counters = ReleaseCounters(durationBuckets: ReleaseMetrics.durationBuckets)
    }

    private let registry: MetricsRegistry
    private let state = Mutex(State())

    public init(registry: MetricsRegistry) {
        self.registry = registry
        registry.addCollector { [weak self] in self?.refresh() }
        registry.addWriter { [weak self] buffer in
            guard let (gauges, counters) = self?.state.withLock({ ($0.gauges, $0.counters) }) else { return }
            gauges?.write(into: &buffer)
            counters.write(into: &buffer)
        }
    }

    /// Starts reporting from `source`, whose caches must be synced: what it holds now is the
    /// baseline, and releases that finished before `since` are not counted.
    public func attach(_ source: Source, since: Date = Date()) {
        state.withLock { state in
            state.source = source
            state.ledger = ReleaseLedger(since: since)
        }
        refresh()
    }

    /// Stops reporting: the gauges go away (counters stay, as counters must).
    public func detach() {
        refresh()
        state.withLock { state in
            state.source = nil
            state.ledger = nil
            state.gauges = nil
        }
    }

    /// Reads the source and updates every release metric. Looks are taken one at a time (under
    /// the lock), so that an older look never overwrites a newer one and no release counts twice.
    public func refresh() {
        state.withLock { state in
            guard let source = state.source, var ledger = state.ledger else { return }
            let targets = source.targets()
            let requests = source.requests()
            var environments: [String: String] = [:]
            for target in targets {
                environments["\(target.metadata.namespace ?? "")/\(target.metadata.name ?? "")"] = target.spec.environment
            }
            let update = ledger.update(requests: requests) { namespace, target in environments["\(namespace)/\(target)"] }
            state.ledger = ledger

            state.gauges = TargetGauges(targets: targets, requests: requests)
            // Every environment's counters exist from the start at 0, so that increase() sees the first release.
            for environment in Set(environments.values).subtracting(state.environments) {
                state.environments.insert(environment)
                state.counters.addEnvironment(environment, outcomes: ReleaseLedger.outcomes)
            }
            for release in update.finished {
                state.counters.finished(environment: release.environment, status: release.status, seconds: release.seconds)
            }
            for measured in update.gates {
                state.counters.gateMeasured([.init(name: "env", value: measured.environment), .init(name: "namespace", value: measured.namespace),
                                             .init(name: "target", value: measured.target), .init(name: "gate", value: measured.gate),
                                             .init(name: "result", value: measured.result)],
                                            count: measured.count)
            }
        }
    }
}
