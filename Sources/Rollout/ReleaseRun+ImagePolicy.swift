import Foundation
import Kube
import KubeRuntime
import Registry
import SlipwayAPI

/// Admission's image check: before a request may hold its target, its image must satisfy the
/// target's `imagePolicy` (resolve in the registry, carry a valid signature). Nothing in the
/// cluster has changed at this point, so a refusal ends the request with nothing to undo.
extension ReleaseRun {
    /// nil when the request may go on (with `admittedImage` set when the registry was asked);
    /// otherwise what the reconcile returns: Rejected for a refused image, a retry with backoff
    /// while the registry cannot be asked, Failed once that has lasted progressDeadlineSeconds.
    func checkImage(target: DeploymentTarget) async throws -> ReconcileAction? {
        guard let policy = target.spec.imagePolicy, policy.effectiveRequireInRegistry, let release = release(for: target) else { return nil }
        let check = await reconciler.images.check(release.image, policy: policy, namespace: namespace, secrets: cluster)
        switch check {
        case .accepted(let image, let digest, let signedBy):
            admittedImage = (image, digest?.rawValue)
            let signature = signedBy.map { ", signed by key \($0)" } ?? ""
            setCondition(RequestCondition.imageVerified, true, reason: signedBy == nil ? "Resolved" : "Verified",
                         message: "\(release.image) is \(digest?.rawValue ?? "in the registry")\(signature)")
            return nil
        case .refused(let message), .notInRegistry(let message):
            let text = "spec.image: \(message); nothing was changed"
            setCondition(RequestCondition.imageVerified, false, reason: "Refused", message: message)
            setCondition(RequestCondition.accepted, false, reason: "ImageRefused", message: text)
            move(to: .rejected, reason: "Rejected", message: text, type: .warning)
            try await save()
            return try await tidyAfterFinish()
        case .unavailable(let message):
            let deadline = TimeInterval(max(1, target.spec.effectiveProgressDeadlineSeconds))
            let created = request.metadata.creationTimestamp.flatMap(RFC3339.date(from:)) ?? now
            let waited = now.timeIntervalSince(created)
            if waited >= deadline {
                let text = "the image could not be checked for \(Int(deadline))s (progressDeadlineSeconds): \(message); nothing was changed"
                setCondition(RequestCondition.imageVerified, false, reason: "RegistryUnavailable", message: message)
                move(to: .failed, reason: "RegistryUnavailable", message: text, type: .warning)
                try await save()
                return try await tidyAfterFinish()
            }
            setCondition(RequestCondition.imageVerified, false, reason: "RegistryUnavailable", message: message)
            // Back off with the time the registry has been unavailable: 1 s, then half the wait
            // so far, at most 30 s, and never past the deadline.
            let since = status.condition(RequestCondition.imageVerified)?.lastTransitionTime.flatMap(RFC3339.date(from:)) ?? now
            let retry = min(max(1, now.timeIntervalSince(since) / 2), 30, max(1, deadline - waited))
            say("waiting for the registry: \(message) (retrying in \(Int(retry.rounded(.up)))s; fails after \(Int(deadline))s)")
            try await saveIfChanged()
            return .requeueAfter(GateRunner.duration(retry))
        }
    }
}
