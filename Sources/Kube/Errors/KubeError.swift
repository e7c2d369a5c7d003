import Foundation
import HTTP
import JSON

/// Every way a Kubernetes API call can fail, kept apart so that callers can react to each:
/// the API said no (`api`), the bytes never made it (`transport`), the answer was not what was
/// expected (`decoding`), or the client was set up wrongly (`configuration`).
///
/// Descriptions never contain a bearer token, a password or key material.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with a failure `Status` (or a non-2xx response, in which case a
    /// Status is synthesised from the HTTP status line).
    case api(Status)
    /// The request did not complete: connection, TLS, timeout, cancellation.
    case transport(HTTPError)
    /// A response body could not be decoded as the expected type.
    case decoding(DecodingFailure)
    /// The client configuration (kubeconfig, in-cluster files, exec plugin) is unusable.
    case configuration(ConfigurationError)

    /// What failed to decode and why, without the body itself (it may hold secrets).
    public struct DecodingFailure: Sendable, Equatable, CustomStringConvertible {
        /// What was being decoded: "Deployment", "watch event", "list of ConfigMap".
        public var what: String
        public var reason: String

        public init(what: String, reason: String) {
            self.what = what
            self.reason = reason
        }

        public var description: String { "could not decode \(what): \(reason)" }
    }

    /// The HTTP status code of an API failure; nil for the other cases.
    public var statusCode: Int? {
        if case .api(let status) = self { return status.code }
        return nil
    }

    /// The `reason` of an API failure (`NotFound`, `Conflict` ...).
    public var reason: String? {
        if case .api(let status) = self { return status.reason }
        return nil
    }

    public var isNotFound: Bool { statusCode == 404 }
    /// A write lost a race (stale resourceVersion or failed precondition): re-read and retry.
    public var isConflict: Bool { statusCode == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { statusCode == 409 && reason == "AlreadyExists" }
    /// The resourceVersion a watch or list asked for is older than the server keeps: re-list.
    public var isGone: Bool { statusCode == 410 || reason == "Expired" || reason == "Gone" }
    public var isUnauthorized: Bool { statusCode == 401 }
    public var isForbidden: Bool { statusCode == 403 }
    public var isInvalid: Bool { statusCode == 422 }
    /// No answer within the request's deadline (or the connection could not be set up in time).
    public var isTimeout: Bool {
        if case .transport(.timedOut) = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .api(let status):
            var text = "Kubernetes API error \(status.code.map(String.init) ?? "?")"
            if let reason = status.reason, !reason.isEmpty { text += " \(reason)" }
            if let message = status.message, !message.isEmpty { text += ": \(message)" }
            if let causes = status.details?.causes, !causes.isEmpty {
                let listed = causes.map { cause in
                    [cause.field, cause.message ?? cause.reason].compactMap { $0 }.joined(separator: ": ")
                }
                text += " (" + listed.joined(separator: "; ") + ")"
            }
            return text
        case .transport(let error):
            return "could not reach the Kubernetes API: \(error)"
        case .decoding(let failure):
            return failure.description
        case .configuration(let error):
            return error.description
        }
    }
}

/// The client configuration cannot be used. Names the file and field at fault and what to do.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The file the problem is in, when there is one.
    public var file: String?
    /// The field within the file (`users[alice].user.client-key`).
    public var field: String?

    public init(_ message: String, file: String? = nil, field: String? = nil) {
        self.message = message
        self.file = file
        self.field = field
    }

    public var description: String {
        var where_: [String] = []
        if let file { where_.append(file) }
        if let field { where_.append("field \(field)") }
        return where_.isEmpty ? message : "\(where_.joined(separator: ", ")): \(message)"
    }
}

extension KubeError {
    /// Builds the error for a failed response: the body's Status when it is one, otherwise a
    /// Status made from the HTTP status code, so that `isNotFound` and friends still work.
    static func fromResponse(status httpStatus: Int, body: [UInt8]) -> KubeError {
        if let decoded = try? JSONValueDecoder().decode(Status.self, from: body),
           decoded.kind == "Status" || decoded.reason != nil || decoded.message != nil {
            var status = decoded
            if status.code == nil || status.code == 0 { status.code = httpStatus }
            return .api(status)
        }
        return .api(Status(message: HTTPStatusText.message(for: httpStatus, body: body),
                           reason: HTTPStatusText.reason(for: httpStatus), code: httpStatus))
    }
}

/// Wording for responses that carry no Status, matching the reasons client-go assigns.
enum HTTPStatusText {
    static func reason(for status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }

    static func message(for status: Int, body: [UInt8]) -> String {
        let base: String
        switch status {
        case 401: base = "the server has asked for the client to provide credentials"
        case 403: base = "the server does not allow this request"
        case 404: base = "the server could not find the requested resource"
        case 410: base = "the requested resourceVersion is too old"
        default: base = "the server responded with HTTP status \(status)"
        }
        // A short plain-text body (an error page of a proxy) helps; a long one is noise.
        if !body.isEmpty, body.count <= 256, let text = String(validating: body, as: UTF8.self) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return "\(base): \(trimmed)" }
        }
        return base
    }
}
