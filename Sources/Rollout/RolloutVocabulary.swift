/// The `action` of a timeline entry. Each names one step of a release and is recorded once:
/// the reconciler decides what to do next from which steps the timeline already holds and
/// what the live objects show, so the timeline is both the history people read and the proof
/// that no step was done twice.
public enum TimelineAction: String, Sendable, CaseIterable {
    case started = "Started"
    case imageSet = "ImageSet"
    case scaledUp = "ScaledUp"
    case previewPointed = "PreviewPointed"
    case available = "Available"
    case prePromotionGatesPassed = "PrePromotionGatesPassed"
    case prePromotionGatesOverridden = "PrePromotionGatesOverridden"
    /// Written before the active Service is changed: a restarted controller that finds it
    /// looks at the Service to learn whether the switch happened.
    case switchingTraffic = "SwitchingTraffic"
    case switchedTraffic = "SwitchedTraffic"
    case postPromotionGatesPassed = "PostPromotionGatesPassed"
    case postPromotionGatesOverridden = "PostPromotionGatesOverridden"
    case scaledDownPrevious = "ScaledDownPrevious"
    case completed = "Completed"
    /// The release is being undone; the detail says why.
    case rollbackStarted = "RollbackStarted"
    case scaledUpPrevious = "ScaledUpPrevious"
    case switchingTrafficBack = "SwitchingTrafficBack"
    case switchedTrafficBack = "SwitchedTrafficBack"
    case scaledDownRelease = "ScaledDownRelease"
    case restoredImage = "RestoredImage"
    case finished = "Finished"

    // Canary. The step entries (WeightSet, CanaryScaled, PauseEnded, AnalysisPassed,
    // AnalysisOverridden) are recorded once per step; `status.currentStep` says which steps
    // are done, and the detail names the step.
    case canaryImageSet = "CanaryImageSet"
    /// The router's own objects exist (the NGINX canary Ingress at weight 0); step 0 begins.
    case routingPrepared = "RoutingPrepared"
    case weightSet = "WeightSet"
    case canaryScaled = "CanaryScaled"
    case pauseEnded = "PauseEnded"
    case analysisPassed = "AnalysisPassed"
    case analysisOverridden = "AnalysisOverridden"
    /// A human promoted past an external edit of the routing: its weights are taken as they are.
    case routingAdopted = "RoutingAdopted"
    case stableImageSet = "StableImageSet"
    case stableAvailable = "StableAvailable"
    /// Promotion: all traffic back on the stable Deployment, which now runs the release.
    case trafficReturned = "TrafficReturned"
    case canaryScaledDown = "CanaryScaledDown"
    case restoredStableImage = "RestoredStableImage"
}

/// The condition types of a request's status, in the Kubernetes convention (`status` True,
/// False or Unknown; `reason` CamelCase; `message` for people).
/// See https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#typical-status-properties
public enum RequestCondition {
    /// The request is valid for its target.
    public static let accepted = "Accepted"
    /// Enough distinct approvers (only when the target requires approval).
    public static let approved = "Approved"
    /// The release is under way; the reason names the step.
    public static let progressing = "Progressing"
    /// The active Service sends traffic to the new release.
    public static let trafficSwitched = "TrafficSwitched"
    /// The release is being undone; the reason is the cause. Written before the first undoing
    /// step, so that a restarted controller keeps undoing instead of going forward.
    public static let rollingBack = "RollingBack"
    /// The request has finished; True only when the new release is live.
    public static let complete = "Complete"
    /// The spec was edited after the release started; the edit is not followed.
    public static let specIgnored = "SpecIgnored"
    /// The image passed the target's imagePolicy (in the registry, signed); False with the
    /// registry's answer while it cannot be asked or when it refused.
    public static let imageVerified = "ImageVerified"
}

/// Why a release is undone.
public enum RollbackCause: String, Sendable {
    case gateFailed = "GateFailed"
    case progressDeadlineExceeded = "ProgressDeadlineExceeded"
    case aborted = "Aborted"
}
