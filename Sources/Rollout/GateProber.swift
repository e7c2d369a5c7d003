import HTTP
import SlipwayAPI

/// What an HTTP gate saw: the status code and the start of the body.
public struct HTTPProbeResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String = "") {
        self.status = status
        self.body = body
    }
}

/// Sends an HTTP gate's request. A protocol so that tests answer from a table and the
/// controller answers through libcurl, possibly via a proxy that resolves in-cluster names.
public protocol GateProber: Sendable {
    /// Performs the request the gate describes. Throws when no response arrived (connection
    /// refused, timeout); an error status is a response, not an error.
    func probe(_ gate: HTTPGate) async throws -> HTTPProbeResponse
}

/// A `GateProber` over the project's libcurl client.
///
/// Gate URLs keep their in-cluster form (`http://web-preview.shop.svc/healthz`). Inside a pod
/// the cluster DNS resolves them; outside, point `proxy` at an HTTP proxy that reaches the
/// cluster (the embedded cluster offers one, `kubectl proxy` does not resolve Service names).
public struct HTTPGateProber: GateProber {
    /// Bodies are read for `bodyContains`; more than this is not kept.
    public static let maxBodyBytes = 64 * 1024

    private let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// A prober with its own client; `proxy` as in `HTTPClientConfiguration.proxy`.
    public init(proxy: String? = nil) throws {
        self.client = try HTTPClient(configuration: HTTPClientConfiguration(proxy: proxy, connectTimeout: .seconds(5)))
    }

    public func probe(_ gate: HTTPGate) async throws -> HTTPProbeResponse {
        let request = HTTPRequest(method: gate.effectiveMethod.rawValue, url: gate.url,
                                  headers: [(name: "User-Agent", value: "slipway-gate")],
                                  timeout: .seconds(max(1, gate.effectiveTimeoutSeconds)))
        let response = try await client.execute(request)
        let body = response.body.prefix(Self.maxBodyBytes)
        return HTTPProbeResponse(status: response.status, body: String(decoding: body, as: UTF8.self))
    }
}
