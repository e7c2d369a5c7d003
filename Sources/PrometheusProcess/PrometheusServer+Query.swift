import Foundation
import HTTP
import JSON

extension PrometheusServer {
    /// One sample of an instant vector or scalar.
    public struct Sample: Sendable {
        public var labels: [String: String]
        public var value: Double

        public init(labels: [String: String], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    /// An instant query (`GET /api/v1/query`); the result's samples, NaN included, so that a
    /// division by zero shows as NaN rather than as an error.
    /// https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
    public func query(_ promQL: String) async throws -> [Sample] {
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await client.execute(HTTPRequest(url: "\(address)/api/v1/query?query=\(encoded)", timeout: .seconds(5)))
        let body = try JSONValue(parsing: response.body)
        guard response.status == 200, body["status"]?.stringValue == "success" else {
            throw PrometheusServerError("query \(promQL) failed (\(response.status)): \(body["error"]?.stringValue ?? "")")
        }
        let data = body["data"] ?? .null
        func number(_ pair: JSONValue?) -> Double { pair?.arrayValue?.last?.stringValue.flatMap(Double.init) ?? .nan }
        if data["resultType"]?.stringValue == "scalar" { return [Sample(labels: [:], value: number(data["result"]))] }
        return (data["result"]?.arrayValue ?? []).map { item in
            var labels: [String: String] = [:]
            for (key, value) in item["metric"]?.objectValue ?? [:] { labels[key] = value.stringValue }
            return Sample(labels: labels, value: number(item["value"]))
        }
    }

    /// Waits until Prometheus holds a scrape of its job taken at or after `date`, so that a
    /// range ending now covers only what happened since; false when `timeout` passes first.
    public func waitForScrape(after date: Date, timeout: Duration = .seconds(30)) async throws -> Bool {
        try await Self.waitFor(timeout: timeout) {
            let newest = (try? await self.query("max(timestamp(up{job=\"\(self.job)\"}))"))?.first?.value ?? 0
            return newest >= date.timeIntervalSince1970
        }
    }
}
