import Foundation
import HTTP
import JSON
import Synchronization

/// One sample of an instant query's result.
public struct PrometheusSample: Sendable, Equatable {
    /// The series' labels (empty for a scalar).
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String] = [:], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// The result of an instant query, as the HTTP API returns it.
/// See https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats
public enum PrometheusResult: Sendable, Equatable {
    case scalar(Double)
    /// An instant vector: one sample per series (possibly none: no data).
    case vector([PrometheusSample])

    /// The values a condition is checked against.
    public var values: [Double] {
        switch self {
        case .scalar(let value): [value]
        case .vector(let samples): samples.map(\.value)
        }
    }
}

/// What went wrong with a query, in words that say what to do. Never carries credentials:
/// the address is printed without any user information.
public enum PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached or did not answer in time.
    case unreachable(address: String, reason: String)
    /// The API answered with its error envelope (`bad_data`, `execution`, `timeout`, ...).
    case query(errorType: String, message: String)
    /// An HTTP status without the API's envelope (a wrong address, a proxy in between).
    case http(status: Int, body: String)
    /// The answer was not the API's JSON.
    case malformed(String)
    /// A result type a condition cannot be checked on (a range vector, a string).
    case unsupportedResult(String)

    public var description: String {
        switch self {
        case .unreachable(let address, let reason):
            "Prometheus at \(address) did not answer: \(reason); check the gate's address and that Prometheus runs"
        case .query(let errorType, let message):
            "Prometheus rejected the query (\(errorType)): \(message); fix the gate's query"
        case .http(let status, let body):
            "Prometheus answered HTTP \(status) without a query result\(body.isEmpty ? "" : ": \(body)"); check that the gate's address is the Prometheus server"
        case .malformed(let what):
            "Prometheus answered something that is not a query result: \(what)"
        case .unsupportedResult(let type):
            "the query returns a \(type); a gate needs a scalar or an instant vector (e.g. wrap a range selector in rate())"
        }
    }
}

/// Sends instant queries. A protocol so that tests can answer from a table; the controller
/// uses `PrometheusClient`.
public protocol PrometheusQuerying: Sendable {
    func query(_ promql: String, address: String, timeout: Duration) async throws(PrometheusError) -> PrometheusResult
}

/// An instant-query client for the Prometheus HTTP API (`POST /api/v1/query`, form-encoded, so
/// that long queries do not meet URL length limits) over the project's libcurl client.
/// See https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
public final class PrometheusClient: PrometheusQuerying {
    /// Bodies beyond this are not parsed: a gate's query should return a handful of series.
    public static let maxBodyBytes = 4 * 1024 * 1024

    private let configuration: HTTPClientConfiguration
    /// Made on the first query, so that building a controller never fails for a client it may not need.
    private let client = Mutex<HTTPClient?>(nil)

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(connectTimeout: .seconds(5))) {
        self.configuration = configuration
    }

    /// A client over an existing HTTP client.
    public init(client: HTTPClient) {
        self.configuration = HTTPClientConfiguration()
        self.client.withLock { $0 = client }
    }

    private func httpClient() throws(HTTPError) -> HTTPClient {
        let existing: HTTPClient? = client.withLock { $0 }
        if let existing { return existing }
        let made = try HTTPClient(configuration: configuration)
        return client.withLock { current in
            if let current { return current }
            current = made
            return made
        }
    }

    public func query(_ promql: String, address: String, timeout: Duration) async throws(PrometheusError) -> PrometheusResult {
        let shown = Self.redacted(address)
        let url = Self.queryURL(address)
        let body = "query=" + Self.formEncode(promql)
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                                            (name: "Accept", value: "application/json"),
                                            (name: "User-Agent", value: "slipway-gate")],
                                  body: Array(body.utf8), timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await httpClient().execute(request)
        } catch {
            throw .unreachable(address: shown, reason: error.description)
        }
        return try Self.parse(status: response.status, body: response.body)
    }

    /// `address` + `/api/v1/query`, keeping a path prefix (`http://host/prometheus`).
    static func queryURL(_ address: String) -> String {
        var base = address
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/v1/query"
    }

    /// The address without user information, for messages.
    static func redacted(_ address: String) -> String {
        guard let scheme = address.range(of: "://"), let at = address[scheme.upperBound...].firstIndex(of: "@") else { return address }
        let slash = address[scheme.upperBound...].firstIndex(of: "/") ?? address.endIndex
        guard at < slash else { return address }
        return String(address[..<scheme.upperBound]) + String(address[address.index(after: at)...])
    }

    /// `application/x-www-form-urlencoded` of one value: everything but unreserved characters
    /// percent-encoded (RFC 3986 section 2.3).
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Parses an answer of the query API: the result on success, the error envelope otherwise.
    public static func parse(status: Int, body: [UInt8]) throws(PrometheusError) -> PrometheusResult {
        guard body.count <= maxBodyBytes else { throw .malformed("a body of \(body.count) bytes (at most \(maxBodyBytes) are read)") }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            if !(200..<300).contains(status) {
                throw .http(status: status, body: String(decoding: body.prefix(200), as: UTF8.self))
            }
            throw .malformed("not JSON (\(String(decoding: body.prefix(80), as: UTF8.self)))")
        }
        if json["status"]?.stringValue == "error" {
            throw .query(errorType: json["errorType"]?.stringValue ?? "unknown", message: String((json["error"]?.stringValue ?? "no message").prefix(1024)))
        }
        guard (200..<300).contains(status), json["status"]?.stringValue == "success" else {
            throw .http(status: status, body: String(decoding: body.prefix(200), as: UTF8.self))
        }
        guard let data = json["data"], let type = data["resultType"]?.stringValue else {
            throw .malformed("no data.resultType")
        }
        switch type {
        case "scalar":
            return .scalar(try sampleValue(data["result"], what: "the scalar"))
        case "vector":
            guard let series = data["result"]?.arrayValue else { throw .malformed("data.result of a vector is not a list") }
            var samples: [PrometheusSample] = []
            for entry in series {
                var labels: [String: String] = [:]
                for (key, value) in entry["metric"]?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
                if entry["value"] == nil && entry["histogram"] != nil {
                    throw .unsupportedResult("native histogram sample; use histogram_quantile() or a rate of a float series")
                }
                samples.append(PrometheusSample(labels: labels, value: try sampleValue(entry["value"], what: "a vector sample")))
            }
            return .vector(samples)
        case "matrix":
            throw .unsupportedResult("range vector (matrix)")
        default:
            throw .unsupportedResult(type)
        }
    }

    /// A `[<unix time>, "<value>"]` pair's value. Prometheus writes values as strings so that
    /// NaN and ±Inf survive JSON.
    private static func sampleValue(_ pair: JSONValue?, what: String) throws(PrometheusError) -> Double {
        guard let pair = pair?.arrayValue, pair.count == 2, let text = pair[1].stringValue else {
            throw .malformed("\(what) is not a [time, \"value\"] pair")
        }
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard let value = Double(text) else { throw .malformed("\(what) has the value \"\(text.prefix(40))\", which is not a number") }
            return value
        }
    }
}
