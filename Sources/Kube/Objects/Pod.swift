import JSON

/// core/v1 Pod.
/// See https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
public struct Pod: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.pods
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct PodStatus: Codable, Sendable, Equatable {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String?
    public var conditions: [Condition]?
    public var podIP: String?
    public var hostIP: String?
    public var startTime: String?
    public var containerStatuses: JSONValue?
    public var reason: String?
    public var message: String?

    public init(phase: String? = nil, conditions: [Condition]? = nil, podIP: String? = nil, hostIP: String? = nil,
                startTime: String? = nil, containerStatuses: JSONValue? = nil, reason: String? = nil, message: String? = nil) {
        self.phase = phase
        self.conditions = conditions
        self.podIP = podIP
        self.hostIP = hostIP
        self.startTime = startTime
        self.containerStatuses = containerStatuses
        self.reason = reason
        self.message = message
    }
}
