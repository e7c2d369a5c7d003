/// Why a transfer failed before a response arrived (or, for a stream, before its body ended).
/// HTTP error statuses (4xx, 5xx) are responses, not errors: callers decide what they mean.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRequest(String)
    /// libcurl's error code and its message (never containing headers, bodies or credentials).
    /// Codes: https://curl.se/libcurl/c/libcurl-errors.html
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
