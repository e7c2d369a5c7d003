import Metrics

/// The names of the metrics the runtime reports through swift-metrics; they are
/// controller-runtime's, so that existing dashboards and habits carry over.
/// See https://book.kubebuilder.io/reference/metrics-reference
public enum RuntimeMetricName {
    /// Counter; dimensions `controller`, `result` (success, requeue_after, error).
    public static let reconciles = "controller_runtime_reconcile_total"
    /// Counter; dimension `controller`.
    public static let reconcileErrors = "controller_runtime_reconcile_errors_total"
    /// Timer; dimension `controller`.
    public static let reconcileTime = "controller_runtime_reconcile_time_seconds"
    /// Meter; dimension `controller`.
    public static let activeWorkers = "controller_runtime_active_workers"
    /// Gauge; dimension `name`.
    public static let queueDepth = "workqueue_depth"
    /// Counter; dimension `name`.
    public static let queueAdds = "workqueue_adds_total"
    /// Counter; dimension `name`.
    public static let queueRetries = "workqueue_retries_total"
    /// Counter; dimension `resource`. Every object a watcher hands on (listed or watched): the
    /// load a process carries, and what a soak measures memory against.
    public static let watchEvents = "slipway_watch_events_total"
}

/// A controller's handles, made once so that a reconcile costs no lookups.
struct ReconcileMetrics: Sendable {
    let succeeded: Counter
    let requeued: Counter
    let failed: Counter
    let errors: Counter
    let time: Timer
    let active: Meter

    init(controller: String, factory: any MetricsFactory) {
        let dimension = [("controller", controller)]
        succeeded = Counter(label: RuntimeMetricName.reconciles, dimensions: dimension + [("result", "success")], factory: factory)
        requeued = Counter(label: RuntimeMetricName.reconciles, dimensions: dimension + [("result", "requeue_after")], factory: factory)
        failed = Counter(label: RuntimeMetricName.reconciles, dimensions: dimension + [("result", "error")], factory: factory)
        errors = Counter(label: RuntimeMetricName.reconcileErrors, dimensions: dimension, factory: factory)
        time = Timer(label: RuntimeMetricName.reconcileTime, dimensions: dimension, factory: factory)
        active = Meter(label: RuntimeMetricName.activeWorkers, dimensions: dimension, factory: factory)
        active.set(0)
    }

    func record(_ action: ReconcileAction?, took duration: Duration) {
        switch action {
        case .none:
            failed.increment()
            errors.increment()
        case .requeueAfter:
            requeued.increment()
        case .awaitChange:
            succeeded.increment()
        }
        let (seconds, attoseconds) = duration.components
        time.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// A work queue's handles.
struct WorkQueueMetrics: Sendable {
    let depth: Gauge
    let adds: Counter
    let retries: Counter

    init(name: String, factory: any MetricsFactory) {
        let dimension = [("name", name)]
        depth = Gauge(label: RuntimeMetricName.queueDepth, dimensions: dimension, factory: factory)
        adds = Counter(label: RuntimeMetricName.queueAdds, dimensions: dimension, factory: factory)
        retries = Counter(label: RuntimeMetricName.queueRetries, dimensions: dimension, factory: factory)
        depth.record(0)
    }
}
