/// Which HTTP version the client speaks.
public enum HTTPVersion: Sendable, Equatable {
    /// HTTP/1.1 only: one request at a time per connection.
    case http1_1
    /// HTTP/2 when the server agrees through TLS ALPN, HTTP/1.1 otherwise (and for plain http).
    /// Requests and watch streams then share a few connections.
    case http2OverTLS
}

public struct HTTPClientConfiguration: Sendable {
    public var tls: TLSConfiguration
    /// An HTTP proxy for every transfer (`http://127.0.0.1:8001`); nil for a direct connection.
    /// The `http_proxy`/`https_proxy` environment variables are not consulted: a caller who wants
    /// them reads them and passes the value here.
    public var proxy: String?
    public var connectTimeout: Duration
    /// Connections kept open to one host; further requests queue on the multi handle until a
    /// connection is free. With HTTP/1.1 a watch stream holds its connection for as long as it
    /// runs, so this must exceed the number of concurrent watches.
    public var maxConnectionsPerHost: Int
    public var userAgent: String
    public var httpVersion: HTTPVersion
    /// Bytes of a streaming body that may wait unread before the transfer pauses until the
    /// consumer catches up.
    public var maxBufferedStreamBytes: Int

    public init(tls: TLSConfiguration = .init(), proxy: String? = nil, connectTimeout: Duration = .seconds(10), maxConnectionsPerHost: Int = 32,
                userAgent: String = "slipway", httpVersion: HTTPVersion = .http1_1,
                maxBufferedStreamBytes: Int = 4 << 20) {
        self.tls = tls
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
        self.httpVersion = httpVersion
        self.maxBufferedStreamBytes = maxBufferedStreamBytes
    }
}
