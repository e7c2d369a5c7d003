import Prometheus

/// The bot process's own state: whether it is ready and whether it takes Telegram updates.
///
/// These are the bot's, not the controller's `slipway_controller_*` gauges, so that the
/// controller's alerts (no leader, leader flapping) never count a bot replica. As with the
/// controller, holding the polling Lease is reported, not a reason to be unready.
public final class BotMetrics: Sendable {
    private let ready: Prometheus.Gauge
    private let leader: Prometheus.Gauge

    public init(registry: MetricsRegistry) {
        ready = registry.gauge(MetricName.botReady)
        leader = registry.gauge(MetricName.botLeader)
        ready.set(to: 0)
        leader.set(to: 0)
    }

    public func setReady(_ value: Bool) {
        ready.set(to: value ? 1 : 0)
    }

    public func setLeading(_ value: Bool) {
        leader.set(to: value ? 1 : 0)
    }
}
