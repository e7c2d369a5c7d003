import Foundation
import Synchronization

/// Request counters and a latency histogram per Service, in the shape Prometheus client
/// libraries give them, so a real Prometheus (or a gate reading `/metrics`) sees what the
/// simulated app served.
/// https://prometheus.io/docs/instrumenting/exposition_formats/
final class AppMetrics: Sendable {
    /// The default buckets of the Prometheus client libraries, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: AppMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    private struct CounterKey: Hashable, Comparable {
        var code: Int
        var version: String
        static func < (left: Self, right: Self) -> Bool { (left.version, left.code) < (right.version, right.code) }
    }

    private struct State {
        var requests: [CounterKey: Int] = [:]
        var durations: [String: Histogram] = [:]
    }

    private let state = Mutex(State())

    func record(code: Int, version: String, seconds: Double) {
        state.withLock { state in
            state.requests[CounterKey(code: code, version: version), default: 0] += 1
            var histogram = state.durations[version] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.durations[version] = histogram
        }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    func exposition() -> String {
        let snapshot = state.withLock { $0 }
        var text = "# HELP http_requests_total Requests the application answered, by status code and version.\n"
        text += "# TYPE http_requests_total counter\n"
        for key in snapshot.requests.keys.sorted() {
            text += "http_requests_total{code=\"\(key.code)\",version=\"\(Self.escape(key.version))\"} \(snapshot.requests[key] ?? 0)\n"
        }
        text += "# HELP http_request_duration_seconds How long the application took to answer, by version.\n"
        text += "# TYPE http_request_duration_seconds histogram\n"
        for version in snapshot.durations.keys.sorted() {
            guard let histogram = snapshot.durations[version] else { continue }
            let label = Self.escape(version)
            for (index, bound) in Self.buckets.enumerated() {
                text += "http_request_duration_seconds_bucket{version=\"\(label)\",le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            text += "http_request_duration_seconds_bucket{version=\"\(label)\",le=\"+Inf\"} \(histogram.count)\n"
            text += "http_request_duration_seconds_sum{version=\"\(label)\"} \(histogram.sum)\n"
            text += "http_request_duration_seconds_count{version=\"\(label)\"} \(histogram.count)\n"
        }
        return text
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
