/// An HTTP request for `HTTPClient`.
///
/// Any method is sent as given (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...). Header names and
/// values must not contain CR or LF: such a request is refused with `HTTPError.invalidRequest`
/// rather than letting one header smuggle in another.
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
