import Foundation
import HTTP

/// Reads one counter from a Prometheus text exposition (a process's /metrics), summed over the
/// series whose labels `include` accepts.
enum MetricsScrape {
    static func sum(url: String, metric: String, include: ([String: String]) -> Bool) async throws -> Int {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let response = try await client.execute(HTTPRequest(url: url, timeout: .seconds(10)))
        guard response.status == 200 else { throw BenchmarkFailure("\(url) answered \(response.status)") }
        var total = 0.0
        for line in String(decoding: response.body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(metric) {
            let rest = line.dropFirst(metric.count)
            var labels: [String: String] = [:]
            var valueText = rest
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: ["\""])) }
                }
                valueText = rest[rest.index(after: close)...]
            } else if rest.first != " " {
                continue  // another metric whose name starts with this one
            }
            if include(labels), let value = Double(valueText.trimmingCharacters(in: .whitespaces)) { total += value }
        }
        return Int(total)
    }
}
