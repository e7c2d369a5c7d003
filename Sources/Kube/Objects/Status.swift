import JSON

/// The Kubernetes `Status` object: what the API answers with when a request fails, and the
/// object of a watch `ERROR` event.
/// See https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/
public struct Status: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired` ...
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code this Status stands for.
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil,
                details: StatusDetails? = nil, code: Int? = nil) {
        self.apiVersion = "v1"
        self.kind = "Status"
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// `Status.details`: which object the failure is about and, for 422, which fields.
public struct StatusDetails: Codable, Sendable, Equatable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
                causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One reason for a failure, usually a field that did not validate.
public struct StatusCause: Codable, Sendable, Equatable {
    /// `FieldValueInvalid`, `FieldValueRequired` ...
    public var reason: String?
    public var message: String?
    /// The field path, e.g. `spec.replicas`.
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
