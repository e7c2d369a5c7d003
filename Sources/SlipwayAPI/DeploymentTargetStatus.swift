import Kube

/// What is live on a target and what is happening to it, written by the controller.
public struct DeploymentTargetStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int?
    /// The spec's strategy, for the printer column.
    public var strategy: StrategyName?
    public var currentImage: String?
    public var currentCommit: String?
    /// The release before the current one: what a rollback returns to.
    public var previousImage: String?
    public var previousCommit: String?
    /// Blue/green: the slot the active Service selects.
    public var activeSlot: Slot?
    public var health: TargetHealth?
    /// The request holding the target (at most one at a time).
    public var activeRequest: String?
    /// Requests waiting for the target, oldest first.
    public var queue: [String]?
    public var lastDeployedAt: String?
    public var conditions: [Condition]?

    public init(observedGeneration: Int? = nil, strategy: StrategyName? = nil, currentImage: String? = nil,
                currentCommit: String? = nil, previousImage: String? = nil, previousCommit: String? = nil,
                activeSlot: Slot? = nil, health: TargetHealth? = nil, activeRequest: String? = nil, queue: [String]? = nil,
                lastDeployedAt: String? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.strategy = strategy
        self.currentImage = currentImage
        self.currentCommit = currentCommit
        self.previousImage = previousImage
        self.previousCommit = previousCommit
        self.activeSlot = activeSlot
        self.health = health
        self.activeRequest = activeRequest
        self.queue = queue
        self.lastDeployedAt = lastDeployedAt
        self.conditions = conditions
    }
}

public enum TargetHealth: String, Codable, Sendable, CaseIterable {
    case healthy = "Healthy"
    case degraded = "Degraded"
    case progressing = "Progressing"
    case unknown = "Unknown"
}
