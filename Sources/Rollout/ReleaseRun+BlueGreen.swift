import Foundation
import Kube
import KubeRuntime
import SlipwayAPI

/// A blue/green release, after Argo Rollouts' blueGreen strategy
/// (https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/), one step per reconcile:
///
/// ```
/// ImageSet → ScaledUp → PreviewPointed → Available → pre-promotion gates → (promotion)
///   → SwitchingTraffic → SwitchedTraffic → post-promotion gates → ScaledDownPrevious → Completed
/// undo: RollbackStarted → [ScaledUpPrevious → SwitchingTrafficBack → SwitchedTrafficBack]
///   → ScaledDownRelease → RestoredImage → Finished (Failed | RolledBack | Aborted)
/// ```
///
/// Each step is skipped once the timeline holds it; a step whose effect the live objects
/// already show is recorded without being done again.
extension ReleaseRun {
    func drive() async throws -> ReconcileAction {
        target = try await cluster.target(namespace: namespace, name: request.effectiveTarget)
        guard let target else {
            move(to: .failed, reason: "TargetDeleted",
                 message: "DeploymentTarget \(request.effectiveTarget) was deleted during the release; the Deployments and Services are left as they are", type: .warning)
            try await save()
            return .awaitChange
        }
        if let canary = target.spec.strategy.canary, status.slot == nil {
            return try await driveCanary(target: target, strategy: canary)
        }
        guard let strategy = target.spec.strategy.blueGreen, let slot = status.slot, let release = release(for: target) else {
            move(to: .failed, reason: "TargetChanged",
                 message: "target \(request.effectiveTarget) no longer describes a blue/green release this request can continue; nothing further is changed", type: .warning)
            try await save()
            return try await tidyAfterFinish()
        }
        noteIgnoredSpecEdit(release)
        let view = try await BlueGreenView.read(strategy, container: target.spec.container, namespace: namespace, cluster: cluster)
        let step = BlueGreenStep(run: self, view: view, slot: slot, release: release, target: target)

        // The Service is the source of truth for traffic: a switch made by a controller that
        // died before recording it is recorded now.
        if view.activeSlot == slot && !has(.switchedTraffic) {
            record(.switchedTraffic, step.switchDetail(from: slot.other, to: slot))
            setCondition(RequestCondition.trafficSwitched, true, reason: "Switched", message: "Service \(strategy.activeService) selects slot \(slot.rawValue)")
            try await save()
            return .requeueAfter(.zero)
        }
        if let live = view.activeSlot, self.target?.status?.activeSlot != live {
            try await updateTarget { $0.activeSlot = live }
        }

        if let cause = rollbackCause {
            return try await step.undo(cause: cause)
        }
        if request.isAbortRequested {
            return try await beginRollback(.aborted, "aborted (\(SlipwayAnnotation.abort): \(abortReason))")
        }
        return try await step.forward()
    }

    /// Removes `slipway.dev/promote` before the step it allows is recorded, so that one
    /// promotion passes one pause (as `kubectl argo rollouts promote` does). In this order a
    /// restart between the two writes leaves the release paused, asking again, rather than
    /// letting an old promotion pass a later pause.
    func consumePromotion() async throws {
        let status = request.status
        request = try await cluster.removeAnnotation(SlipwayAnnotation.promote, from: request)
        request.status = status
    }

    /// Set once undoing has begun.
    var rollbackCause: RollbackCause? {
        guard let condition = status.condition(RequestCondition.rollingBack), condition.status == "True" else { return nil }
        return condition.reason.flatMap(RollbackCause.init(rawValue:)) ?? .gateFailed
    }

    /// Announces that the release is being undone, before any undoing step.
    func beginRollback(_ cause: RollbackCause, _ message: String) async throws -> ReconcileAction {
        setCondition(RequestCondition.rollingBack, true, reason: cause.rawValue, message: message)
        record(.rollbackStarted, message)
        move(to: .progressing, reason: cause.rawValue, message: "undoing the release: \(message)")
        say("undoing the release: \(message)")
        announce(.warning, reason: cause.rawValue, message: message)
        try await save()
        return .requeueAfter(.zero)
    }

    /// The latest moment anything happened: a step, a gate measurement, or a change in the
    /// release slot's updated or available pods.
    var lastProgress: Date {
        let times = (status.timeline ?? []).map(\.time) + (status.gates ?? []).compactMap(\.lastChecked) + [status.startedAt].compactMap { $0 }
            + [status.condition(RequestCondition.progressing)?.lastUpdateTime].compactMap { $0 }
        return times.compactMap(RFC3339.date(from:)).max() ?? now
    }
}

/// The steps of one reconcile of a blue/green release.
struct BlueGreenStep {
    let run: ReleaseRun
    let view: BlueGreenView
    /// The slot receiving the release; the other one was live when it started.
    let slot: Slot
    let release: Release
    let target: DeploymentTarget

    var strategy: BlueGreenStrategy { view.strategy }
    var namespace: String { run.namespace }
    var container: String { target.spec.container }
    var cluster: any RolloutCluster { run.cluster }
    var releaseWorkload: WorkloadState { view.workload(slot) }
    var previousWorkload: WorkloadState { view.workload(slot.other) }
    var next: ReconcileAction { .requeueAfter(.zero) }

    func switchDetail(from: Slot, to: Slot) -> String {
        "Service \(strategy.activeService): slot \(from.rawValue) → \(to.rawValue)"
    }

    // MARK: Forward

    func forward() async throws -> ReconcileAction {
        if !run.has(.switchedTraffic) {
            if let action = try await prepareSlot() { return action }
            if let action = try await runGates(.prePromotion) { return action }
            if let action = try await switchTraffic() { return action }
        }
        if let action = try await runGates(.postPromotion) { return action }
        if let action = try await scaleDownPrevious() { return action }
        return try await complete()
    }

    /// Image, replicas, preview Service, availability: the idle slot made ready without traffic.
    private func prepareSlot() async throws -> ReconcileAction? {
        let workload = releaseWorkload
        if !run.has(.imageSet) {
            if workload.image != release.image {
                try await cluster.setImage(namespace: namespace, deployment: workload.name, container: container, image: release.image)
            }
            run.record(.imageSet, "\(workload.name): \(container)=\(release.image)")
            run.say("set \(release.image) on \(workload.name)")
            try await run.save()
            return next
        }
        if !run.has(.scaledUp) {
            let replicas = view.liveReplicas
            if workload.replicas != replicas {
                try await cluster.scale(namespace: namespace, deployment: workload.name, replicas: replicas)
            }
            run.record(.scaledUp, "\(workload.name): \(replicas) replicas")
            run.say("scaled \(workload.name) to \(replicas) replicas")
            try await run.save()
            return next
        }
        if !run.has(.previewPointed) {
            let wanted = view.selector(view.previewSelector, toward: slot)
            if view.previewSelector != wanted {
                try await cluster.setServiceSelector(namespace: namespace, name: strategy.previewService, expected: view.previewSelector, selector: wanted)
            }
            run.record(.previewPointed, "Service \(strategy.previewService) selects slot \(slot.rawValue)")
            try await run.save()
            return next
        }
        if !run.has(.available) {
            if workload.isFullyAvailable {
                run.record(.available, "\(workload.name): \(workload.progressSummary)")
                run.say("\(workload.name) is available; running pre-promotion gates")
                try await run.save()
                return next
            }
            // As the Deployment controller does for its own Progressing condition: any change in
            // updated or available pods is progress and moves lastUpdateTime.
            // See https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds
            let summary = "Deployment \(workload.name): \(workload.progressSummary)"
            if run.status.condition(RequestCondition.progressing)?.message != summary {
                run.status.setCondition(Condition(type: RequestCondition.progressing, status: "True", reason: "WaitingForAvailability", message: summary,
                                                  lastTransitionTime: run.nowString, lastUpdateTime: run.nowString,
                                                  observedGeneration: run.request.metadata.generation))
            }
            let deadline = TimeInterval(max(1, target.spec.effectiveProgressDeadlineSeconds))
            let idle = run.now.timeIntervalSince(run.lastProgress)
            if idle >= deadline {
                return try await run.beginRollback(.progressDeadlineExceeded,
                    "no progress for \(Int(deadline))s (progressDeadlineSeconds): Deployment \(workload.name) has \(workload.progressSummary)")
            }
            run.say("waiting for \(workload.name) to become available: \(workload.progressSummary)")
            try await run.saveIfChanged()
            return .requeueAfter(min(run.configuration.availabilityPoll, GateRunner.duration(deadline - idle)))
        }
        return nil
    }

    /// Runs the stage's gates; nil once they passed (or a human promoted past their failure).
    private func runGates(_ stage: GateStage) async throws -> ReconcileAction? {
        let passed: TimelineAction = stage == .prePromotion ? .prePromotionGatesPassed : .postPromotionGatesPassed
        let overridden: TimelineAction = stage == .prePromotion ? .prePromotionGatesOverridden : .postPromotionGatesOverridden
        if run.has(passed) || run.has(overridden) { return nil }
        let names = (stage == .prePromotion ? strategy.prePromotionGates : strategy.postPromotionGates) ?? []
        let startedAt = run.time(of: stage == .prePromotion ? .available : .switchedTraffic) ?? run.now
        var gates = run.status.gates ?? []
        let context = GateContext(namespace: namespace, target: target, releaseWorkload: releaseWorkload, stableName: previousWorkload.name,
                                  countRestarts: run.restartCounter(of: releaseWorkload))
        let (outcome, measured) = await run.reconciler.runner.run(stage: stage, gateNames: names, statuses: &gates, context: context,
                                                                  stageStartedAt: startedAt, now: run.now)
        if measured { run.status.gates = gates }
        let label = stage == .prePromotion ? "pre-promotion" : "post-promotion"
        switch outcome {
        case .passed:
            run.record(passed, names.isEmpty ? "no gates" : names.joined(separator: ", "))
            try await run.save()
            return next
        case .running(let nextIn):
            run.say("running \(label) gates: " + names.map { name in
                let gate = gates.first { $0.name == stage.statusName(name) }
                return "\(name) \(gate?.phase?.rawValue ?? "Pending")"
            }.joined(separator: ", "))
            try await run.saveIfChanged()
            return .requeueAfter(nextIn)
        case .inconclusive(let gate, let message):
            // Neither pass nor fail: a human decides, whatever onGateFailure says.
            let what = "\(label) gate \(gate) is inconclusive: \(message)"
            if run.request.isPromoteRequested {
                try await run.consumePromotion()
                run.record(overridden, "\(what); continued by \(SlipwayAnnotation.promote)")
                try await run.save()
                return next
            }
            run.move(to: .paused, reason: "GateInconclusive",
                     message: "\(what). Annotate \(SlipwayAnnotation.promote) to continue or \(SlipwayAnnotation.abort) to undo the release", type: .warning)
            if measured { try await run.save() } else { try await run.saveIfChanged() }
            return .awaitChange
        case .failed(let gate, let message):
            let what = "\(label) gate \(gate) failed: \(message)"
            if target.spec.effectiveOnGateFailure == .pause {
                if run.request.isPromoteRequested {
                    try await run.consumePromotion()
                    run.record(overridden, "\(what); continued by \(SlipwayAnnotation.promote)")
                    try await run.save()
                    return next
                }
                run.move(to: .paused, reason: "GateFailed",
                         message: "\(what). Annotate \(SlipwayAnnotation.promote) to continue anyway or \(SlipwayAnnotation.abort) to undo the release",
                         type: .warning)
                try await run.saveIfChanged()
                return .awaitChange
            }
            if measured { try await run.save() }
            return try await run.beginRollback(.gateFailed, what)
        }
    }

    /// Announces the switch, then makes it with the old selector as precondition.
    private func switchTraffic() async throws -> ReconcileAction? {
        if !run.has(.switchingTraffic) {
            if !strategy.effectiveAutoPromote {
                guard run.request.isPromoteRequested else {
                    run.move(to: .paused, reason: "AwaitingPromotion",
                             message: "\(releaseWorkload.name) passed its pre-promotion gates; annotate \(SlipwayAnnotation.promote) to switch Service \(strategy.activeService) to it, or \(SlipwayAnnotation.abort) to undo")
                    try await run.saveIfChanged()
                    return .awaitChange
                }
                try await run.consumePromotion()
            }
            run.status.trafficSwitchedAt = run.nowString
            run.record(.switchingTraffic, switchDetail(from: slot.other, to: slot))
            try await run.save()
            return next
        }
        let wanted = view.selector(view.activeSelector, toward: slot)
        try await cluster.setServiceSelector(namespace: namespace, name: strategy.activeService, expected: view.activeSelector, selector: wanted)
        run.record(.switchedTraffic, switchDetail(from: slot.other, to: slot))
        run.setCondition(RequestCondition.trafficSwitched, true, reason: "Switched", message: "Service \(strategy.activeService) selects slot \(slot.rawValue)")
        run.say("traffic switched to \(releaseWorkload.name); running post-promotion gates")
        try await run.save()
        return next
    }

    /// Keeps the old slot warm for scaleDownDelaySeconds after the switch, then scales it to zero.
    private func scaleDownPrevious() async throws -> ReconcileAction? {
        if run.has(.scaledDownPrevious) { return nil }
        let switchedAt = run.time(of: .switchedTraffic) ?? run.now
        let due = switchedAt.addingTimeInterval(TimeInterval(max(0, strategy.effectiveScaleDownDelaySeconds)))
        if due > run.now {
            run.say("live on \(releaseWorkload.name); keeping \(previousWorkload.name) warm until \(RFC3339.string(from: due))")
            try await run.saveIfChanged()
            return .requeueAfter(GateRunner.duration(due.timeIntervalSince(run.now)))
        }
        if previousWorkload.replicas != 0 {
            try await cluster.scale(namespace: namespace, deployment: previousWorkload.name, replicas: 0)
        }
        run.record(.scaledDownPrevious, "\(previousWorkload.name): 0 replicas")
        try await run.save()
        return next
    }

    /// Hands the target back with the new release current, then ends the request.
    private func complete() async throws -> ReconcileAction {
        let targetStatus = run.target?.status
        if targetStatus?.activeRequest == run.name || targetStatus?.currentImage != release.image {
            let previousImage = run.status.previousImage
            let previousCommit = run.status.previousCommit
            try await run.updateTarget { status in
                status.previousImage = previousImage
                status.previousCommit = previousCommit
                status.currentImage = release.image
                status.currentCommit = release.commit
                status.activeSlot = slot
                status.health = .healthy
                status.lastDeployedAt = run.nowString
                if status.activeRequest == run.name { status.activeRequest = nil }
            }
        }
        run.record(.completed, "\(release.description) is live on slot \(slot.rawValue)")
        run.move(to: .succeeded, reason: "Succeeded", message: "\(release.description) is live on \(releaseWorkload.name) (slot \(slot.rawValue))")
        try await run.save()
        try await run.pruneHistory()
        return .awaitChange
    }

    // MARK: Undo

    /// Traffic back on the old slot (warming it first if it was already scaled down), the new
    /// slot scaled down and its image restored, the target handed back unchanged.
    func undo(cause: RollbackCause) async throws -> ReconcileAction {
        let trafficMoved = run.has(.switchedTraffic)
        if view.activeSlot == slot {
            let previous = previousWorkload
            if !run.has(.scaledUpPrevious) && previous.replicas < releaseWorkload.replicas {
                try await cluster.scale(namespace: namespace, deployment: previous.name, replicas: releaseWorkload.replicas)
                run.record(.scaledUpPrevious, "\(previous.name): \(releaseWorkload.replicas) replicas")
                try await run.save()
                return next
            }
            if !previous.isFullyAvailable {
                run.say("undoing: waiting for \(previous.name) to become available before switching traffic back (\(previous.progressSummary))")
                try await run.saveIfChanged()
                return .requeueAfter(run.configuration.availabilityPoll)
            }
            if !run.has(.switchingTrafficBack) {
                run.record(.switchingTrafficBack, switchDetail(from: slot, to: slot.other))
                try await run.save()
                return next
            }
            let wanted = view.selector(view.activeSelector, toward: slot.other)
            try await cluster.setServiceSelector(namespace: namespace, name: strategy.activeService, expected: view.activeSelector, selector: wanted)
            recordSwitchedBack()
            try await run.save()
            return next
        }
        if trafficMoved && !run.has(.switchedTrafficBack) {
            // Switched back by a controller that died before recording it.
            recordSwitchedBack()
            try await run.save()
            return next
        }
        if !run.has(.scaledDownRelease) {
            if releaseWorkload.replicas != 0 {
                try await cluster.scale(namespace: namespace, deployment: releaseWorkload.name, replicas: 0)
            }
            run.record(.scaledDownRelease, "\(releaseWorkload.name): 0 replicas")
            try await run.save()
            return next
        }
        if !run.has(.restoredImage) {
            // Nothing stays configured with the release that failed: the slot goes back to the
            // image that was live when the release started.
            if let previousImage = run.status.previousImage, releaseWorkload.image == release.image, previousImage != release.image {
                try await cluster.setImage(namespace: namespace, deployment: releaseWorkload.name, container: container, image: previousImage)
                run.record(.restoredImage, "\(releaseWorkload.name): \(container)=\(previousImage)")
            } else {
                run.record(.restoredImage, "\(releaseWorkload.name) does not run \(release.image); nothing to restore")
            }
            try await run.save()
            return next
        }
        return try await finishUndo(cause: cause, trafficMoved: trafficMoved)
    }

    private func recordSwitchedBack() {
        run.record(.switchedTrafficBack, switchDetail(from: slot, to: slot.other))
        run.setCondition(RequestCondition.trafficSwitched, false, reason: "SwitchedBack",
                         message: "Service \(strategy.activeService) selects slot \(slot.other.rawValue) again")
    }

    private func finishUndo(cause: RollbackCause, trafficMoved: Bool) async throws -> ReconcileAction {
        let previous = previousWorkload
        if run.target?.status?.activeRequest == run.name {
            let previousImage = run.status.previousImage
            let previousCommit = run.status.previousCommit
            try await run.updateTarget { status in
                status.activeRequest = nil
                status.activeSlot = slot.other
                // The live slot serves what was live before the release; a target released
                // for the first time has no current image yet and learns it here.
                if let previousImage {
                    status.currentImage = previousImage
                    status.currentCommit = previousCommit
                }
                status.health = previous.isFullyAvailable ? .healthy : .degraded
            }
        }
        let reason = run.status.condition(RequestCondition.rollingBack)?.message ?? cause.rawValue
        let phase: Phase
        let message: String
        switch cause {
        case .aborted:
            phase = .aborted
            message = "aborted; \(previous.name) serves \(run.status.previousImage ?? "the previous release")" + (trafficMoved ? " again" : "")
        default:
            phase = trafficMoved ? .rolledBack : .failed
            message = (trafficMoved ? "rolled back: " : "failed before any traffic moved: ") + reason
                + "; \(previous.name) serves \(run.status.previousImage ?? "the previous release")"
        }
        run.setCondition(RequestCondition.rollingBack, false, reason: "Completed", message: "the release was undone")
        run.record(.finished, phase.rawValue)
        run.move(to: phase, reason: phase.rawValue, message: message, type: .warning)
        try await run.save()
        try await run.pruneHistory()
        return .awaitChange
    }
}
