import Foundation

/// The annotations through which people (via the chat front-end, the CLI or `kubectl annotate`)
/// speak to the controller about a `DeploymentRequest`. Kubernetes RBAC on who may patch
/// requests is the trust boundary behind the front-end's own checks.
/// See https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
public enum SlipwayAnnotation {
    /// Who asked for the release, as the front-end names them (`telegram:123456789`, a
    /// Kubernetes user name). Written once, when the request is created.
    public static let requestedBy = "slipway.dev/requested-by"
    /// Who approved the release: a comma-separated list, one entry per approver, in the form
    /// of `requestedBy`. The controller counts distinct entries against `approval.minApprovers`.
    public static let approvedBy = "slipway.dev/approved-by"
    /// Present (any value, conventionally `"true"`): a paused release may continue (a blue/green
    /// switch without autoPromote, a canary `pause` step without a duration, a gate failure
    /// with `onGateFailure: pause`).
    public static let promote = "slipway.dev/promote"
    /// Present (any value, conventionally the reason): stop the release, return traffic and the
    /// workload to the previous release, and end in phase Aborted.
    public static let abort = "slipway.dev/abort"

    /// The approvers listed in an `approvedBy` value: trimmed, empty entries dropped,
    /// duplicates removed, first appearance kept.
    public static func approvers(in value: String?) -> [String] {
        guard let value else { return [] }
        var seen = Set<String>()
        var approvers: [String] = []
        for entry in value.split(separator: ",") {
            let approver = entry.trimmingCharacters(in: .whitespaces)
            if !approver.isEmpty && seen.insert(approver).inserted { approvers.append(approver) }
        }
        return approvers
    }
}
