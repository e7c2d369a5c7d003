import SlipwayAPI

/// Where a canary release stands, derived on every reconcile from the request's status (the
/// undo condition, `currentStep` and the timeline). Nothing else is remembered between calls.
///
/// ```
/// preparing ─> step(0) ─> step(1) ─> … ─> step(n-1) ─> promoting ─> (Succeeded)
///     └───────────┴──────────┴────────────────┴─────────────┴──> undoing ─> (RolledBack | Failed | Aborted)
/// ```
enum CanaryStage: Sendable, Equatable {
    /// The canary gets the release image (at zero replicas) and the router its objects.
    case preparing
    /// Step `index` of the strategy is in progress.
    case step(index: Int, kind: CanaryStep.Kind)
    /// Every step is done: the stable Deployment gets the release, traffic returns to it, the
    /// canary is scaled down.
    case promoting
    /// The release is being undone.
    case undoing(RollbackCause)

    /// The stage of a request whose status is `status` under `strategy`. `undo` is the cause
    /// recorded when undoing began. `currentStep` is written with the RoutingPrepared entry, so
    /// it alone says whether preparation is done (the bounded timeline may have dropped that
    /// entry in a long release; the status field stays).
    static func of(status: DeploymentRequestStatus, strategy: CanaryStrategy, undo: RollbackCause?) -> CanaryStage? {
        if let undo { return .undoing(undo) }
        guard let index = status.currentStep else { return .preparing }
        if index >= strategy.steps.count { return .promoting }
        guard let kind = strategy.steps[index].kind else { return nil }
        return .step(index: index, kind: kind)
    }
}

extension TimelineAction {
    /// The entries that end a canary step (or the preparation); the latest one is when the
    /// step in progress began.
    static let canaryStepBoundaries: Set<TimelineAction> = [
        .routingPrepared, .weightSet, .canaryScaled, .pauseEnded, .analysisPassed, .analysisOverridden,
    ]
}
