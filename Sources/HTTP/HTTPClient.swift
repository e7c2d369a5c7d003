/// An HTTP request for `HTTPClient`.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Limit for the whole transfer; nil for none (watch streams).
    public var timeout: Duration?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil, timeout: Duration? = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A response whose body arrives as it is sent (watch streams). Ending the iteration of
/// `body`, or cancelling the task iterating it, ends the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(status: Int, headers: [(name: String, value: String)], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// TLS settings for every transfer of one client. Verification is on unless
/// `insecureSkipVerify` says otherwise. Certificates and keys are passed to libcurl from
/// memory, never written to disk.
public struct TLSConfiguration: Sendable {
    public var certificateAuthorityPEM: [UInt8]?
    public var certificateAuthorityFile: String?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipVerify: Bool
    /// Name to verify the server certificate against instead of the URL's host.
    public var serverName: String?

    public init(certificateAuthorityPEM: [UInt8]? = nil, certificateAuthorityFile: String? = nil, clientCertificatePEM: [UInt8]? = nil,
                clientKeyPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.certificateAuthorityFile = certificateAuthorityFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

public struct HTTPClientConfiguration: Sendable {
    public var tls: TLSConfiguration
    /// An HTTP proxy for every transfer (`http://127.0.0.1:8001`); nil for none.
    public var proxy: String?
    public var connectTimeout: Duration
    /// Connections kept open to one host; further requests queue on the multi handle.
    public var maxConnectionsPerHost: Int
    public var userAgent: String

    public init(tls: TLSConfiguration = .init(), proxy: String? = nil, connectTimeout: Duration = .seconds(10), maxConnectionsPerHost: Int = 32, userAgent: String = "slipway") {
        self.tls = tls
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
    }
}

/// Why a transfer failed before a response arrived.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRequest(String)
    /// libcurl's error code and its message (never containing headers or bodies).
    case transport(code: Int, message: String)
    case timedOut
    case cancelled
    case shutDown

    public var description: String {
        switch self {
        case .invalidRequest(let m): return "invalid request: \(m)"
        case .transport(let code, let message): return "transport error \(code): \(message)"
        case .timedOut: return "the request timed out"
        case .cancelled: return "the request was cancelled"
        case .shutDown: return "the HTTP client was shut down"
        }
    }
}

/// An HTTP client on libcurl's multi interface: one thread drives every transfer of the
/// client, requests and long-lived streams alike.
public final class HTTPClient: Sendable {
    public init(configuration: HTTPClientConfiguration = .init()) throws(HTTPError) {
        fatalError("not implemented")
    }

    public func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        fatalError("not implemented")
    }

    /// Returns once the status and headers have arrived; the body streams afterwards.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamingResponse {
        fatalError("not implemented")
    }

    /// Ends every transfer and stops the event-loop thread.
    public func shutdown() {
        fatalError("not implemented")
    }
}
