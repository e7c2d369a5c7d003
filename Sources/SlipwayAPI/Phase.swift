/// Where a `DeploymentRequest` is in its life, as `status.phase`.
///
/// ```
/// Pending ─┬─> Rejected
///          ├─> Queued ⇄ AwaitingApproval ─> Progressing ⇄ Paused ─┬─> Succeeded
///          └─> (straight on when nothing waits)                    ├─> Failed
///                                                                  └─> RolledBack
/// any non-terminal phase ─> Aborted (slipway.dev/abort)
/// ```
/// Terminal phases never change again; the request is kept for history until the target's
/// `historyLimit` deletes it.
public enum Phase: String, Codable, Sendable, CaseIterable {
    /// Created, not yet looked at by the controller.
    case pending = "Pending"
    /// Invalid, not allowed now (outside a window with `outsideWindow: reject`), or its target
    /// is missing; the message names the field or reason.
    case rejected = "Rejected"
    /// Valid, waiting for the target (another request holds it, or its window is closed).
    case queued = "Queued"
    /// Waiting for `approval.minApprovers` approvals.
    case awaitingApproval = "AwaitingApproval"
    /// Being released: workload changing, gates running, traffic moving.
    case progressing = "Progressing"
    /// Stopped for a human: a pause step without duration, a blue/green switch without
    /// autoPromote, or a failed gate with `onGateFailure: pause`. `slipway.dev/promote`
    /// continues, `slipway.dev/abort` ends it.
    case paused = "Paused"
    /// The new release is live and every gate passed.
    case succeeded = "Succeeded"
    /// The release failed before any traffic reached it; the target is unchanged.
    case failed = "Failed"
    /// The release failed after traffic reached it; traffic and workload are back on the
    /// previous release.
    case rolledBack = "RolledBack"
    /// Stopped by `slipway.dev/abort`; traffic and workload are back on the previous release.
    case aborted = "Aborted"

    /// Nothing more will happen to the request.
    public var isTerminal: Bool {
        switch self {
        case .rejected, .succeeded, .failed, .rolledBack, .aborted: true
        case .pending, .queued, .awaitingApproval, .progressing, .paused: false
        }
    }

    /// The request holds its target: no other request may start meanwhile.
    public var holdsTarget: Bool { self == .progressing || self == .paused }

    /// Waiting to start (not yet holding the target, not finished).
    public var isWaiting: Bool { self == .pending || self == .queued || self == .awaitingApproval }

    /// Finished with the new release live.
    public var isSuccessful: Bool { self == .succeeded }

    /// Whether `slipway.dev/abort` still has an effect.
    public var isAbortable: Bool { !isTerminal }

    /// The phases the controller may move to from this one. Staying in the same phase is
    /// always allowed and not listed.
    public var allowedSuccessors: Set<Phase> {
        switch self {
        // A waiting request fails when its image's registry stays unreachable past the progress deadline.
        case .pending: [.rejected, .queued, .awaitingApproval, .progressing, .failed, .aborted]
        case .queued: [.rejected, .awaitingApproval, .progressing, .failed, .aborted]
        case .awaitingApproval: [.rejected, .queued, .progressing, .failed, .aborted]
        case .progressing: [.paused, .succeeded, .failed, .rolledBack, .aborted]
        case .paused: [.progressing, .failed, .rolledBack, .aborted]
        case .rejected, .succeeded, .failed, .rolledBack, .aborted: []
        }
    }

    /// Whether moving from this phase to `next` is a legal transition (or no change).
    public func canTransition(to next: Phase) -> Bool {
        next == self || allowedSuccessors.contains(next)
    }
}
