import JSON

/// A failure the API answers with a `Status` object, worded as the Kubernetes API server
/// words it so that kubectl and client libraries show users the message they know.
/// See https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code (404, 409, 422 ...).
    public var code: Int
    /// Machine-readable reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid` ...).
    public var reason: String
    public var message: String
    public var details: Details?

    public struct Details: Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var causes: [StatusCause]
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, causes: [StatusCause] = [], retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object (kind Status, apiVersion v1, status Failure) for the response body.
    public var statusObject: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message), "reason": .string(reason),
        ]
        if let details {
            var d = JSONValue.emptyObject
            if let name = details.name { d["name"] = .string(name) }
            if let group = details.group { d["group"] = .string(group) }
            if let kind = details.kind { d["kind"] = .string(kind) }
            if !details.causes.isEmpty { d["causes"] = .array(details.causes.map(\.jsonValue)) }
            if let retry = details.retryAfterSeconds { d["retryAfterSeconds"] = .int(retry) }
            status["details"] = d
        }
        status["code"] = .int(code)
        return status
    }
}

/// One field-level reason for a 422 (`details.causes[]`).
public struct StatusCause: Sendable, Equatable {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate` ...
    public var reason: String
    public var message: String
    /// The field path, as `spec.replicas` or `spec.containers[0].image`.
    public var field: String

    public init(reason: String, message: String, field: String) {
        self.reason = reason
        self.message = message
        self.field = field
    }

    public var jsonValue: JSONValue {
        ["reason": .string(reason), "message": .string(message), "field": .string(field)]
    }
}

extension APIError {
    /// The resource as the API server names it in messages: `configmaps`, `deployments.apps`.
    private static func qualified(_ type: ResourceType) -> String {
        type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)"
    }

    public static func notFound(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(qualified(type)) \"\(name)\" not found",
                 details: Details(name: name, group: type.group, kind: type.plural))
    }

    public static func alreadyExists(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(qualified(type)) \"\(name)\" already exists",
                 details: Details(name: name, group: type.group, kind: type.plural))
    }

    /// A write carried a resourceVersion that is no longer current.
    public static func conflict(_ type: ResourceType, name: String, message: String? = nil) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(qualified(type)) \"\(name)\": "
                + (message ?? "the object has been modified; please apply your changes to the latest version and try again"),
            details: Details(name: name, group: type.group, kind: type.plural))
    }

    public static func invalid(_ type: ResourceType, name: String, causes: [StatusCause]) -> APIError {
        let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        let fieldList = causes.count == 1 ? summary : "[\(summary)]"
        return APIError(code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(fieldList)",
                        details: Details(name: name, group: type.group, kind: type.kind, causes: causes))
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    /// The requested resourceVersion is older than the watch history window.
    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml; got \(contentType)")
    }

    public static func requestEntityTooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "the request body is larger than the limit of \(limit) bytes")
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func forbidden(_ message: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: message)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}
