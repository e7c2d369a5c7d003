import Foundation
import Synchronization

/// Request counters and a latency histogram for every simulated application, in the shape
/// Prometheus client libraries give them.
///
/// Two views of the same numbers:
/// - `applicationExposition(namespace:service:)` is what the app behind one Service exposes on
///   its own `/metrics` (through the proxy): labels `code` and `version` only, as an app knows
///   nothing of where it runs;
/// - `clusterExposition()` is what a Prometheus with Kubernetes service discovery ends up
///   storing: the same series with `namespace`, `service` and `deployment` added, which is what
///   a gate's query selects on (`deployment="{{canary}}"`). It is served on the cluster's
///   metrics endpoint, so one static scrape target covers every app.
/// https://prometheus.io/docs/instrumenting/exposition_formats/
final class AppMetrics: Sendable {
    /// The default buckets of the Prometheus client libraries, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// At most this many label sets (namespace, service, deployment, version) are kept; a new
    /// one beyond it is not recorded, so no stream of image tags can grow memory without end.
    static let seriesLimit = 5_000

    /// Where a request was served: the labels every series of one app version carries.
    struct SeriesKey: Hashable, Comparable, Sendable {
        var namespace: String
        var service: String
        var deployment: String
        var version: String

        static func < (left: Self, right: Self) -> Bool {
            (left.namespace, left.service, left.deployment, left.version) < (right.namespace, right.service, right.deployment, right.version)
        }
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: AppMetrics.buckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ seconds: Double) {
            for (index, bound) in AppMetrics.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            sum += seconds
            count += 1
        }

        mutating func add(_ other: Histogram) {
            for index in counts.indices { counts[index] += other.counts[index] }
            sum += other.sum
            count += other.count
        }
    }

    private struct Series {
        var requests: [Int: Int] = [:]
        var durations = Histogram()
    }

    private struct State {
        var series: [SeriesKey: Series] = [:]
        var dropped = 0
    }

    private let state = Mutex(State())

    /// Counts one answered request and observes how long it took (simulated seconds).
    func record(_ key: SeriesKey, code: Int, seconds: Double) {
        state.withLock { state in
            if state.series[key] == nil, state.series.count >= Self.seriesLimit {
                state.dropped += 1
                return
            }
            state.series[key, default: Series()].requests[code, default: 0] += 1
            state.series[key, default: Series()].durations.observe(seconds)
        }
    }

    /// Forgets the series of Services that no longer exist, as their pods' counters vanish
    /// from a real Prometheus when the pods go.
    func retainServices(_ existing: Set<SimulatedApplications.ServiceKey>) {
        state.withLock { state in
            state.series = state.series.filter { existing.contains(.init(namespace: $0.key.namespace, name: $0.key.service)) }
        }
    }

    /// What the app behind one Service exposes itself: series by `code` and `version`, summed
    /// over the Deployments behind the Service.
    func applicationExposition(namespace: String, service: String) -> String {
        var requests: [String: [Int: Int]] = [:]
        var durations: [String: Histogram] = [:]
        state.withLock { state in
            for (key, series) in state.series where key.namespace == namespace && key.service == service {
                for (code, count) in series.requests { requests[key.version, default: [:]][code, default: 0] += count }
                durations[key.version, default: Histogram()].add(series.durations)
            }
        }
        var text = Self.requestsHeader
        for version in requests.keys.sorted() {
            for (code, count) in (requests[version] ?? [:]).sorted(by: { $0.key < $1.key }) {
                text += "http_requests_total{code=\"\(code)\",version=\"\(Self.escape(version))\"} \(count)\n"
            }
        }
        text += Self.durationsHeader
        for version in durations.keys.sorted() {
            guard let histogram = durations[version] else { continue }
            text += Self.histogramLines(histogram, labels: "version=\"\(Self.escape(version))\"")
        }
        return text
    }

    /// Every app's series with the labels Kubernetes service discovery would add.
    func clusterExposition() -> String {
        let (series, dropped) = state.withLock { ($0.series, $0.dropped) }
        let keys = series.keys.sorted()
        var text = Self.requestsHeader
        for key in keys {
            for (code, count) in (series[key]?.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
                text += "http_requests_total{\(Self.labels(key)),code=\"\(code)\"} \(count)\n"
            }
        }
        text += Self.durationsHeader
        for key in keys {
            guard let histogram = series[key]?.durations else { continue }
            text += Self.histogramLines(histogram, labels: Self.labels(key))
        }
        text += "# HELP slipway_simulation_dropped_requests_total Requests not recorded because the simulation already keeps \(Self.seriesLimit) label sets.\n"
        text += "# TYPE slipway_simulation_dropped_requests_total counter\n"
        text += "slipway_simulation_dropped_requests_total \(dropped)\n"
        return text
    }

    private static let requestsHeader = """
        # HELP http_requests_total Requests the application answered, by status code and version.
        # TYPE http_requests_total counter

        """

    private static let durationsHeader = """
        # HELP http_request_duration_seconds How long the application took to answer, by version.
        # TYPE http_request_duration_seconds histogram

        """

    private static func labels(_ key: SeriesKey) -> String {
        "namespace=\"\(escape(key.namespace))\",service=\"\(escape(key.service))\",deployment=\"\(escape(key.deployment))\",version=\"\(escape(key.version))\""
    }

    private static func histogramLines(_ histogram: Histogram, labels: String) -> String {
        var text = ""
        for (index, bound) in buckets.enumerated() {
            text += "http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[index])\n"
        }
        text += "http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
        text += "http_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
        text += "http_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
        return text
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
