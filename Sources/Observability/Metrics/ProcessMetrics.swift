import Prometheus
import Synchronization

/// `slipway_build_info{version,component,swift}`: which build runs, as a constant 1, so that
/// dashboards can join on it and an upgrade shows as a change of labels.
/// See https://www.robustperception.io/exposing-the-software-version-to-prometheus/
public enum BuildInfo {
    public static func register(in registry: MetricsRegistry, version: String, component: String) {
        registry.gauge(MetricName.buildInfo, [("version", version), ("component", component), ("swift", swiftVersion)]).set(to: 1)
    }

    /// The language version the binary was compiled for.
    static var swiftVersion: String {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}

/// The controller's own state: whether its caches are synced and whether it leads.
///
/// Leadership is reported, not a reason to be unready: a standby replica is healthy and ready
/// to take over (as with controller-runtime), so `/readyz` does not depend on it.
public final class ControllerMetrics: Sendable {
    private let ready: Prometheus.Gauge
    private let leader: Prometheus.Gauge
    private let leaderChanges: Prometheus.Counter
    private let leading = Atomic<Bool>(false)

    public init(registry: MetricsRegistry) {
        ready = registry.gauge(MetricName.controllerReady)
        leader = registry.gauge(MetricName.controllerLeader)
        leaderChanges = registry.counter(MetricName.leaderChanges)
        ready.set(to: 0)
        leader.set(to: 0)
    }

    public func setReady(_ value: Bool) {
        ready.set(to: value ? 1 : 0)
    }

    /// Counts a change only when the value changes, so that repeated reports are harmless.
    public func setLeading(_ value: Bool) {
        leader.set(to: value ? 1 : 0)
        if leading.exchange(value, ordering: .relaxed) != value { leaderChanges.increment() }
    }
}
