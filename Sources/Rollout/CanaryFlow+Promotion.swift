import Foundation
import Kube
import KubeRuntime
import SlipwayAPI

/// Promotion, after the last step. The stable Deployment is first touched here, so a failure at
/// any earlier step leaves it exactly as it was.
extension CanaryFlow {
    /// The stable Deployment gets the release and all its replicas; once it is fully available
    /// all traffic returns to it and the canary is scaled down.
    func promote() async throws -> ReconcileAction {
        let stable = view.stable
        if !run.has(.stableImageSet) {
            if stable.image != release.image {
                try await cluster.setImage(namespace: namespace, deployment: stable.name, container: container, image: release.image)
                return next
            }
            if stable.replicas < baseReplicas {
                try await cluster.scale(namespace: namespace, deployment: stable.name, replicas: baseReplicas)
            }
            run.record(.stableImageSet, "\(stable.name): \(container)=\(release.image), \(max(stable.replicas, baseReplicas)) replicas")
            run.say("promoting: \(release.image) on \(stable.name)")
            try await run.save()
            return next
        }
        if !run.has(.stableAvailable) {
            guard stable.isFullyAvailable else {
                return try await waitForProgress("Deployment \(stable.name): \(stable.progressSummary)")
            }
            run.record(.stableAvailable, "\(stable.name): \(stable.progressSummary)")
            try await run.save()
            return next
        }
        if !run.has(.trafficReturned) {
            let progress: RouteProgress
            do {
                progress = try await router.route(to: 0, from: recordedWeight, routerContext)
            } catch let edit as ExternalRoutingEdit {
                return try await stopForExternalEdit(edit, expectedWeight: recordedWeight)
            }
            resumeAfterExternalEdit()
            if case .waiting(let what) = progress { return try await waitForProgress(what) }
            let from = recordedWeight
            run.status.canaryWeight = 0
            run.record(.trafficReturned, "canary weight \(from) → 0 %: \(stable.name) serves \(release.image)")
            try await run.save()
            return next
        }
        if !run.has(.canaryScaledDown) {
            if view.canary.replicas != 0 {
                try await cluster.scale(namespace: namespace, deployment: view.canary.name, replicas: 0)
            }
            try await router.cleanUp(routerContext)
            run.record(.canaryScaledDown, "\(view.canary.name): 0 replicas")
            try await run.save()
            return next
        }
        return try await completeRelease()
    }

    private func completeRelease() async throws -> ReconcileAction {
        let targetStatus = run.target?.status
        if targetStatus?.activeRequest == run.name || targetStatus?.currentImage != release.image {
            let previousImage = run.status.previousImage
            let previousCommit = run.status.previousCommit
            let release = self.release
            let name = run.name
            let now = run.nowString
            try await run.updateTarget { status in
                status.previousImage = previousImage
                status.previousCommit = previousCommit
                status.currentImage = release.image
                status.currentCommit = release.commit
                status.health = .healthy
                status.lastDeployedAt = now
                if status.activeRequest == name { status.activeRequest = nil }
            }
        }
        run.record(.completed, "\(release.description) is live on \(view.stable.name)")
        run.move(to: .succeeded, reason: "Succeeded", message: "\(release.description) is live on \(view.stable.name) after \(strategy.steps.count) canary steps")
        try await run.save()
        try await run.pruneHistory()
        return .awaitChange
    }
}
