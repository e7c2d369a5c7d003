import JSON

/// apps/v1 Deployment.
/// See https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/
public struct Deployment: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.deployments
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct DeploymentSpec: Codable, Sendable, Equatable {
    public var replicas: Int?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int?
    public var revisionHistoryLimit: Int?
    public var progressDeadlineSeconds: Int?
    public var paused: Bool?

    public init(replicas: Int? = nil, selector: LabelSelector, template: PodTemplateSpec, strategy: DeploymentStrategy? = nil,
                minReadySeconds: Int? = nil, revisionHistoryLimit: Int? = nil, progressDeadlineSeconds: Int? = nil, paused: Bool? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.paused = paused
    }
}

public struct DeploymentStrategy: Codable, Sendable, Equatable {
    /// `RollingUpdate` or `Recreate`.
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?

    public init(type: String? = nil, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

public struct RollingUpdateDeployment: Codable, Sendable, Equatable {
    public var maxSurge: IntOrString?
    public var maxUnavailable: IntOrString?

    public init(maxSurge: IntOrString? = nil, maxUnavailable: IntOrString? = nil) {
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
    }
}

public struct DeploymentStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int?
    public var replicas: Int?
    public var updatedReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var conditions: [Condition]?
    public var collisionCount: Int?

    public init(observedGeneration: Int? = nil, replicas: Int? = nil, updatedReplicas: Int? = nil, readyReplicas: Int? = nil,
                availableReplicas: Int? = nil, unavailableReplicas: Int? = nil, conditions: [Condition]? = nil, collisionCount: Int? = nil) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
        self.collisionCount = collisionCount
    }
}
