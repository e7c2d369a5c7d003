import Foundation

/// Who the CLI says is asking, for `slipway.dev/requested-by` and `slipway.dev/approved-by`:
/// `SLIPWAY_USER` when set, else the user of the kubeconfig context (the name the cluster
/// knows the caller by), else the local login name.
///
/// It is a label for people and for the requester-may-not-approve rule, not a proof: the
/// trust boundary is Kubernetes RBAC on who may create and patch requests.
public enum RequesterIdentity {
    public static func resolve(environment: [String: String], kubeconfigUser: String?, loginName: String?) -> String? {
        for candidate in [environment["SLIPWAY_USER"], kubeconfigUser, environment["USER"], loginName] {
            if let candidate = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !candidate.isEmpty, !candidate.contains(",") {
                return String(candidate.prefix(253))
            }
        }
        return nil
    }
}
