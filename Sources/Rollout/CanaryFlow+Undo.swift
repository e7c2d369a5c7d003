import Foundation
import Kube
import KubeRuntime
import SlipwayAPI

/// Undoing a canary release (a failed gate, the progress deadline, an abort).
extension CanaryFlow {
    /// All traffic back on the stable Deployment (with its own image again, if promotion had
    /// begun), the canary scaled to zero with the image that was live, the target handed back.
    func undo(cause: RollbackCause) async throws -> ReconcileAction {
        let stable = view.stable
        if !run.has(.restoredStableImage), let previous = run.status.previousImage, previous != release.image, stable.image == release.image {
            try await cluster.setImage(namespace: namespace, deployment: stable.name, container: container, image: previous)
            run.record(.restoredStableImage, "\(stable.name): \(container)=\(previous)")
            try await run.save()
            return next
        }
        if !run.has(.switchedTrafficBack) {
            var from = recordedWeight
            if run.status.currentStep != nil || router.scalesWorkloads {
                // Undoing restores stable 100 / canary 0 from whatever weights the routing holds
                // now (an abort is a human's explicit ask); the precondition still catches an
                // edit made between the read and the write.
                if !router.scalesWorkloads, let live = (try? await router.liveWeight(routerContext)) ?? nil, live != 0 { from = live }
                let progress: RouteProgress
                do {
                    progress = try await router.route(to: 0, from: from, routerContext)
                } catch let edit as ExternalRoutingEdit {
                    run.say("undoing: \(edit); set \(router.describe(weight: 0)) by hand and the undo continues")
                    try await run.saveIfChanged()
                    return .requeueAfter(run.configuration.availabilityPoll)
                }
                if case .waiting(let what) = progress {
                    run.say("undoing: \(what)")
                    try await run.saveIfChanged()
                    return .requeueAfter(run.configuration.availabilityPoll)
                }
            }
            run.status.canaryWeight = 0
            run.record(.switchedTrafficBack, "canary weight \(from) → 0 %: all traffic on \(stable.name)")
            run.setCondition(RequestCondition.trafficSwitched, false, reason: "SwitchedBack", message: "all traffic on \(stable.name)")
            try await run.save()
            return next
        }
        if !run.has(.scaledDownRelease) {
            if view.canary.replicas != 0 {
                try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: 0)
            }
            try await router.cleanUp(routerContext)
            run.record(.scaledDownRelease, "\(view.canary.name): 0 replicas")
            try await run.save()
            return next
        }
        if !run.has(.restoredImage) {
            // Nothing stays configured with the release that failed.
            if let previous = run.status.previousImage, view.canary.image == release.image, previous != release.image {
                try await cluster.setImage(namespace: namespace, deployment: view.canary.name, container: container, image: previous)
                run.record(.restoredImage, "\(view.canary.name): \(container)=\(previous)")
            } else {
                run.record(.restoredImage, "\(view.canary.name) does not run \(release.image); nothing to restore")
            }
            try await run.save()
            return next
        }
        return try await finishUndo(cause: cause)
    }

    private func finishUndo(cause: RollbackCause) async throws -> ReconcileAction {
        let stable = view.stable
        let trafficMoved = run.has(.weightSet) || run.has(.routingAdopted)
        if run.target?.status?.activeRequest == run.name {
            let previousImage = run.status.previousImage
            let previousCommit = run.status.previousCommit
            try await run.updateTarget { status in
                status.activeRequest = nil
                if let previousImage {
                    status.currentImage = previousImage
                    status.currentCommit = previousCommit
                }
                status.health = stable.isFullyAvailable ? .healthy : .degraded
            }
        }
        let reason = run.status.condition(RequestCondition.rollingBack)?.message ?? cause.rawValue
        let phase: Phase
        let message: String
        let serving = "\(stable.name) serves \(run.status.previousImage ?? "the previous release")"
        switch cause {
        case .aborted:
            phase = .aborted
            message = "aborted; \(serving) with all traffic"
        default:
            phase = trafficMoved ? .rolledBack : .failed
            message = (trafficMoved ? "rolled back: " : "failed before any traffic moved: ") + reason + "; \(serving)"
        }
        run.setCondition(RequestCondition.rollingBack, false, reason: "Completed", message: "the release was undone")
        run.record(.finished, phase.rawValue)
        run.move(to: phase, reason: phase.rawValue, message: message, type: .warning)
        try await run.save()
        try await run.pruneHistory()
        return .awaitChange
    }
}
