/// What the client tells an observer about each API request it sent: enough to count and time
/// requests (for metrics), never the object's name, the body or the credentials.
public struct KubeRequestRecord: Sendable, Equatable {
    /// get, list, watch, create, update, patch, delete, deletecollection.
    public var verb: String
    /// The resource's plural name, with its subresource when there is one (`deployments/status`).
    public var resource: String
    /// The HTTP status of the answer; nil when none came (connection refused, timeout, TLS).
    public var statusCode: Int?
    /// From sending to the answer's status (for a watch: until the stream opened).
    public var duration: Duration

    public init(verb: String, resource: String, statusCode: Int?, duration: Duration) {
        self.verb = verb
        self.resource = resource
        self.statusCode = statusCode
        self.duration = duration
    }
}

/// Called by `KubeClient` after every request attempt (a 401 retried with fresh credentials
/// counts twice). It runs on the caller's task, so it must be quick and must not block.
public struct KubeRequestObserver: Sendable {
    public let observe: @Sendable (KubeRequestRecord) -> Void

    public init(_ observe: @escaping @Sendable (KubeRequestRecord) -> Void) {
        self.observe = observe
    }
}
