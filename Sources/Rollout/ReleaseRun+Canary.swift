import Foundation
import Kube
import KubeRuntime
import SlipwayAPI

/// A canary release, after Argo Rollouts' canary strategy
/// (https://argo-rollouts.readthedocs.io/en/stable/features/canary/), one step per reconcile:
///
/// ```
/// CanaryImageSet → RoutingPrepared → steps (WeightSet | PauseEnded | AnalysisPassed | CanaryScaled)…
///   → StableImageSet → StableAvailable → TrafficReturned → CanaryScaledDown → Completed
/// undo: RollbackStarted → [RestoredStableImage] → SwitchedTrafficBack → ScaledDownRelease → RestoredImage
///   → Finished (Failed | RolledBack | Aborted)
/// ```
///
/// `status.currentStep` is the step in progress and `status.canaryWeight` the weight the router
/// was last recorded to hold. A weight change is made with that weight as precondition and
/// recorded right after; a controller that died in between finds the new weight in the routing
/// object and records it without writing again, so no traffic change is made twice or skipped.
/// The stable Deployment's image is not touched before promotion.
extension ReleaseRun {
    func driveCanary(target: DeploymentTarget, strategy: CanaryStrategy) async throws -> ReconcileAction {
        guard let release = release(for: target), let baseReplicas = status.stableReplicas,
              let router = TrafficRouters.router(for: strategy) else {
            move(to: .failed, reason: "TargetChanged",
                 message: "target \(request.spec.target) no longer describes a canary release this request can continue; nothing further is changed", type: .warning)
            try await save()
            return try await tidyAfterFinish()
        }
        let view = try await CanaryView.read(strategy, container: target.spec.container, namespace: namespace, cluster: cluster)
        let flow = CanaryFlow(run: self, view: view, router: router, release: release, target: target, baseReplicas: baseReplicas)
        let undo = rollbackCause
        if undo == nil && request.isAbortRequested {
            return try await beginRollback(.aborted, "aborted (\(SlipwayAnnotation.abort): \(abortReason))")
        }
        guard let stage = CanaryStage.of(status: status, strategy: strategy, undo: undo) else {
            return try await beginRollback(.gateFailed, "step \(status.currentStep ?? 0) of the target is not exactly one of setWeight, pause, analysis, setCanaryScale")
        }
        switch stage {
        case .preparing: return try await flow.prepare()
        case .step(let index, let kind): return try await flow.step(index, kind)
        case .promoting: return try await flow.promote()
        case .undoing(let cause): return try await flow.undo(cause: cause)
        }
    }

    /// When the step in progress began.
    var canaryStepStartedAt: Date {
        status.timeline?.last { entry in TimelineAction(rawValue: entry.action).map(TimelineAction.canaryStepBoundaries.contains) ?? false }
            .flatMap { RFC3339.date(from: $0.time) } ?? now
    }
}

/// The steps of one reconcile of a canary release.
struct CanaryFlow {
    let run: ReleaseRun
    let view: CanaryView
    let router: any TrafficRouter
    let release: Release
    let target: DeploymentTarget
    /// The stable Deployment's replicas when the release started.
    let baseReplicas: Int

    var strategy: CanaryStrategy { view.strategy }
    var namespace: String { run.namespace }
    var container: String { target.spec.container }
    var cluster: any RolloutCluster { run.cluster }
    var next: ReconcileAction { .requeueAfter(.zero) }
    var recordedWeight: Int { run.status.canaryWeight ?? 0 }
    var routerContext: RouterContext {
        RouterContext(namespace: namespace, strategy: strategy, request: run.request, stable: view.stable, canary: view.canary,
                      baseReplicas: baseReplicas, cluster: cluster)
    }

    // MARK: Preparing

    /// The canary gets the release at zero replicas (scaled down first, so that no pod of a
    /// leftover canary serves traffic meanwhile), then the router prepares its objects.
    func prepare() async throws -> ReconcileAction {
        if !run.has(.canaryImageSet) {
            if view.canary.image != release.image {
                if view.canary.replicas != 0 {
                    try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: 0)
                    return next
                }
                try await cluster.setImage(namespace: namespace, deployment: view.canary.name, container: container, image: release.image)
            }
            run.record(.canaryImageSet, "\(view.canary.name): \(container)=\(release.image)")
            run.say("set \(release.image) on \(view.canary.name)")
            try await run.save()
            return next
        }
        do {
            try await router.prepare(routerContext)
        } catch let edit as ExternalRoutingEdit {
            return try await stopForExternalEdit(edit, expectedWeight: 0)
        }
        run.status.currentStep = 0
        run.status.canaryWeight = 0
        run.record(.routingPrepared, "\(router.summary): stable 100 / canary 0")
        try await run.save()
        return next
    }

    // MARK: Steps

    func step(_ index: Int, _ kind: CanaryStep.Kind) async throws -> ReconcileAction {
        switch kind {
        case .setWeight(let weight): return try await setWeight(index, weight)
        case .pause(let seconds): return try await pause(index, seconds)
        case .analysis(let gates): return try await analysis(index, gates)
        case .setCanaryScale(let scale): return try await setCanaryScale(index, scale)
        }
    }

    /// Ends step `index`: records it and moves to the next one.
    private func complete(_ index: Int, _ action: TimelineAction, _ detail: String) async throws -> ReconcileAction {
        run.status.currentStep = index + 1
        run.record(action, "step \(index): \(detail)")
        run.say(index + 1 < strategy.steps.count ? "step \(index) done (\(detail)); next: step \(index + 1)" : "step \(index) done (\(detail)); promoting")
        try await run.save()
        return next
    }

    /// The canary's replicas for `weight` at step `index`: the latest `setCanaryScale` before
    /// the step, or (by default) the weight's share of the release's replicas.
    func canaryReplicas(weight: Int, before index: Int) -> Int {
        let scale = strategy.steps.prefix(index).reversed().lazy.compactMap { step -> CanaryScale.Kind? in
            if case .setCanaryScale(let scale)? = step.kind { return scale }
            return nil
        }.first
        switch scale {
        case .replicas(let replicas)?: return max(0, replicas)
        case .weight(let percent)?: return Self.share(of: baseReplicas, percent: percent)
        case .matchTrafficWeight?, nil: return Self.share(of: baseReplicas, percent: weight)
        }
    }

    static func share(of total: Int, percent: Int) -> Int {
        percent <= 0 ? 0 : max(1, (max(1, total) * min(100, percent) + 99) / 100)
    }

    private func setWeight(_ index: Int, _ weight: Int) async throws -> ReconcileAction {
        let from = recordedWeight
        let wanted = canaryReplicas(weight: weight, before: index)
        if !router.scalesWorkloads {
            // The canary has the pods for its share before any traffic reaches it.
            if view.canary.replicas < wanted {
                try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: wanted)
                run.say("scaled \(view.canary.name) to \(wanted) replicas for \(weight) % of the traffic")
                try await run.saveIfChanged()
                return .requeueAfter(run.configuration.availabilityPoll)
            }
            if wanted > 0 && !view.canary.isFullyAvailable {
                return try await waitForProgress("Deployment \(view.canary.name): \(view.canary.progressSummary)")
            }
        }
        let progress: RouteProgress
        do {
            progress = try await router.route(to: weight, from: from, routerContext)
        } catch let edit as ExternalRoutingEdit {
            return try await stopForExternalEdit(edit, expectedWeight: from)
        }
        resumeAfterExternalEdit()
        if case .waiting(let what) = progress {
            return try await waitForProgress(what)
        }
        if !router.scalesWorkloads && view.canary.replicas > wanted {
            try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: wanted)
        }
        run.status.canaryWeight = weight
        return try await complete(index, .weightSet, "canary weight \(from) → \(weight) % through \(router.summary)")
    }

    private func pause(_ index: Int, _ seconds: Int?) async throws -> ReconcileAction {
        if let seconds {
            let due = run.canaryStepStartedAt.addingTimeInterval(TimeInterval(max(0, seconds)))
            if due > run.now {
                run.say("step \(index): pausing at \(recordedWeight) % until \(RFC3339.string(from: due))")
                try await run.saveIfChanged()
                return .requeueAfter(GateRunner.duration(due.timeIntervalSince(run.now)))
            }
            return try await complete(index, .pauseEnded, "paused \(seconds)s")
        }
        if run.request.isPromoteRequested {
            try await run.consumePromotion()
            return try await complete(index, .pauseEnded, "promoted by \(SlipwayAnnotation.promote)")
        }
        run.move(to: .paused, reason: "AwaitingPromotion",
                 message: "step \(index): paused at \(recordedWeight) % to the canary; annotate \(SlipwayAnnotation.promote) to continue or \(SlipwayAnnotation.abort) to undo the release")
        try await run.saveIfChanged()
        return .awaitChange
    }

    static func gateStatusName(step index: Int, gate: String) -> String { "step\(index)/\(gate)" }

    private func analysis(_ index: Int, _ gates: [String]) async throws -> ReconcileAction {
        var statuses = run.status.gates ?? []
        let context = GateContext(namespace: namespace, target: target, releaseWorkload: view.canary, stableName: view.stable.name,
                                  countRestarts: run.restartCounter(of: view.canary))
        let (outcome, measured) = await run.reconciler.runner.run(
            statusName: { Self.gateStatusName(step: index, gate: $0) }, gateNames: gates, statuses: &statuses, context: context,
            stageStartedAt: run.canaryStepStartedAt, now: run.now)
        if measured { run.status.gates = Self.bounded(statuses, keeping: "step\(index)/") }
        let what = "step \(index) analysis"
        switch outcome {
        case .passed:
            return try await complete(index, .analysisPassed, gates.joined(separator: ", "))
        case .running(let nextIn):
            run.say("\(what) at \(recordedWeight) %: " + gates.map { gate in
                let status = statuses.first { $0.name == Self.gateStatusName(step: index, gate: gate) }
                return "\(gate) \(status?.phase?.rawValue ?? "Pending")" + (status?.lastValue.map { " (\($0))" } ?? "")
            }.joined(separator: ", "))
            try await run.saveIfChanged()
            return .requeueAfter(nextIn)
        case .inconclusive(let gate, let message):
            if run.request.isPromoteRequested {
                try await run.consumePromotion()
                return try await complete(index, .analysisOverridden, "gate \(gate) inconclusive (\(message)); continued by \(SlipwayAnnotation.promote)")
            }
            run.move(to: .paused, reason: "GateInconclusive",
                     message: "\(what): gate \(gate) is inconclusive: \(message). Annotate \(SlipwayAnnotation.promote) to continue or \(SlipwayAnnotation.abort) to undo the release",
                     type: .warning)
            try await run.saveIfChanged()
            return .awaitChange
        case .failed(let gate, let message):
            let failure = "\(what): gate \(gate) failed: \(message)"
            if target.spec.effectiveOnGateFailure == .pause {
                if run.request.isPromoteRequested {
                    try await run.consumePromotion()
                    return try await complete(index, .analysisOverridden, "gate \(gate) failed (\(message)); continued by \(SlipwayAnnotation.promote)")
                }
                run.move(to: .paused, reason: "GateFailed",
                         message: "\(failure). Annotate \(SlipwayAnnotation.promote) to continue anyway or \(SlipwayAnnotation.abort) to undo the release",
                         type: .warning)
                try await run.saveIfChanged()
                return .awaitChange
            }
            return try await run.beginRollback(.gateFailed, failure)
        }
    }

    /// At most the schema's 32 gate entries: the oldest entries of earlier steps go first.
    static func bounded(_ statuses: [GateStatus], keeping prefix: String, limit: Int = 32) -> [GateStatus] {
        var list = statuses
        while list.count > limit, let oldest = list.firstIndex(where: { !$0.name.hasPrefix(prefix) }) {
            list.remove(at: oldest)
        }
        return Array(list.suffix(limit))
    }

    private func setCanaryScale(_ index: Int, _ scale: CanaryScale.Kind) async throws -> ReconcileAction {
        let wanted: Int
        switch scale {
        case .replicas(let replicas): wanted = max(0, replicas)
        case .weight(let percent): wanted = Self.share(of: baseReplicas, percent: percent)
        case .matchTrafficWeight: wanted = Self.share(of: baseReplicas, percent: recordedWeight)
        }
        if view.canary.replicas != wanted {
            try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: wanted)
        }
        return try await complete(index, .canaryScaled, "\(view.canary.name): \(wanted) replicas")
    }

    // MARK: Waiting and stopping

    /// Waits for pods, failing the release when nothing has progressed for progressDeadlineSeconds.
    /// See https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds
    func waitForProgress(_ summary: String) async throws -> ReconcileAction {
        if run.status.condition(RequestCondition.progressing)?.message != summary {
            run.status.setCondition(Condition(type: RequestCondition.progressing, status: "True", reason: "WaitingForAvailability", message: summary,
                                              lastTransitionTime: run.nowString, lastUpdateTime: run.nowString,
                                              observedGeneration: run.request.metadata.generation))
        }
        let deadline = TimeInterval(max(1, target.spec.effectiveProgressDeadlineSeconds))
        let idle = run.now.timeIntervalSince(run.lastProgress)
        if idle >= deadline {
            return try await run.beginRollback(.progressDeadlineExceeded, "no progress for \(Int(deadline))s (progressDeadlineSeconds): \(summary)")
        }
        run.say("waiting: \(summary)")
        try await run.saveIfChanged()
        return .requeueAfter(min(run.configuration.availabilityPoll, GateRunner.duration(deadline - idle)))
    }

    /// The routing holds what the release expects again after it stopped for an external edit:
    /// the release is moving, so it is no longer Paused.
    func resumeAfterExternalEdit() {
        guard run.request.phase == .paused, run.status.condition(RequestCondition.progressing)?.reason == "ExternalEdit" else { return }
        run.move(to: .progressing, reason: "RoutingRestored", message: "\(router.summary) holds the expected weights again; continuing")
    }

    /// Someone else changed the routing object. It is not overwritten: the release stops in
    /// Paused with a warning Event, and continues by itself once the object holds the expected
    /// weight again, from the weights as they are when a human promotes, or undoes on abort.
    func stopForExternalEdit(_ edit: ExternalRoutingEdit, expectedWeight: Int) async throws -> ReconcileAction {
        if run.request.isPromoteRequested, let live = try await router.liveWeight(routerContext) {
            try await run.consumePromotion()
            run.status.canaryWeight = live
            run.record(.routingAdopted, "\(edit.object): continuing from canary weight \(live) % as edited, by \(SlipwayAnnotation.promote)")
            try await run.save()
            return next
        }
        run.move(to: .paused, reason: "ExternalEdit",
                 message: "\(edit). The controller does not overwrite it: restore \(router.describe(weight: expectedWeight)) to continue, "
                    + "annotate \(SlipwayAnnotation.promote) to continue from the weights as they are, "
                    + "or \(SlipwayAnnotation.abort) to undo the release", type: .warning)
        try await run.saveIfChanged()
        // Routing objects are not watched: look again now and then.
        return .requeueAfter(run.configuration.availabilityPoll)
    }
}
