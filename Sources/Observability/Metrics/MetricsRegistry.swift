import CoreMetrics
import Prometheus
import Synchronization

/// The metrics of one process, served on `/metrics` in the Prometheus text format.
///
/// Slipway's own metrics are made here with the HELP text of `MetricCatalogue`; libraries that
/// only know swift-metrics (KubeRuntime) reach the same registry through `factory`, which
/// `MetricsSystem.bootstrap` installs in the executable. Collectors refresh gauges that are
/// derived from state (the requests and targets the controller sees) right before each scrape.
/// See https://prometheus.io/docs/instrumenting/exposition_formats/
public final class MetricsRegistry: Sendable {
    public let prometheus: PrometheusCollectorRegistry
    private let collectors = Mutex<[@Sendable () -> Void]>([])
    private let writers = Mutex<[@Sendable (inout [UInt8]) -> Void]>([])

    public init(prometheus: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.prometheus = prometheus
    }

    /// A swift-metrics factory writing into this registry, with the catalogue's HELP lines.
    public var factory: any MetricsFactory { CataloguedMetricsFactory(registry: prometheus) }

    /// `refresh` runs before every exposition, to bring derived gauges up to date.
    public func addCollector(_ refresh: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(refresh) }
    }

    /// `write` appends metric families in the text format to every exposition, after the
    /// registry's own. For families of many series derived from state at scrape time (a gauge
    /// per target), where registering each series with the collector registry would cost more
    /// than rendering them.
    public func addWriter(_ write: @escaping @Sendable (inout [UInt8]) -> Void) {
        writers.withLock { $0.append(write) }
    }

    /// The Prometheus text exposition of every metric, after running the collectors.
    public func exposition() -> [UInt8] {
        for refresh in collectors.withLock({ $0 }) { refresh() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        prometheus.emit(into: &buffer)
        for write in writers.withLock({ $0 }) { write(&buffer) }
        return buffer
    }

    /// The exposition as text (tests, debugging).
    public func expositionText() -> String {
        String(decoding: exposition(), as: UTF8.self)
    }

    // MARK: Making metrics with the catalogue's help text

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: MetricCatalogue.help[name] ?? "")
    }

    func counter(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Counter {
        labels.isEmpty ? prometheus.makeCounter(descriptor: Self.descriptor(name))
            : prometheus.makeCounter(descriptor: Self.descriptor(name), labels: labels)
    }

    func gauge(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        labels.isEmpty ? prometheus.makeGauge(descriptor: Self.descriptor(name))
            : prometheus.makeGauge(descriptor: Self.descriptor(name), labels: labels)
    }

    func durationHistogram(_ name: String, _ labels: [(String, String)], buckets: [Duration] = defaultDurationBuckets) -> DurationHistogram {
        prometheus.makeDurationHistogram(descriptor: Self.descriptor(name), labels: labels, buckets: buckets)
    }

    /// From 5 ms to 10 s, as client-go's request latency and controller-runtime's reconcile time.
    static let defaultDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
}

/// swift-metrics handlers backed by the registry, named and described by the catalogue.
struct CataloguedMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func descriptor(_ label: String) -> MetricNameDescriptor { MetricsRegistry.descriptor(label) }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        dimensions.isEmpty ? registry.makeCounter(descriptor: descriptor(label))
            : registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        dimensions.isEmpty ? registry.makeCounter(descriptor: descriptor(label))
            : registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions,
                                               buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000])
        }
        return dimensions.isEmpty ? registry.makeGauge(descriptor: descriptor(label))
            : registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        dimensions.isEmpty ? registry.makeGauge(descriptor: descriptor(label))
            : registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: MetricsRegistry.defaultDurationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
