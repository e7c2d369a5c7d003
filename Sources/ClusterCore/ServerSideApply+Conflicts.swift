import JSON

/// A field an apply would change while another manager owns it.
/// https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
public struct ApplyConflict: Sendable, Equatable {
    /// The other manager's entry: its name, operation, apiVersion and time.
    public var manager: String
    public var operation: String
    public var apiVersion: String
    public var time: String?
    /// The field as the API server prints it: `.spec.replicas`.
    public var field: String

    /// The manager as kube-apiserver prints it: `"ci"` for an applier, `"kubectl-edit" using
    /// apps/v1 at 2026-01-02T03:04:05Z` for a writer that updated.
    var printedManager: String {
        let name = JSONValue.string(manager).jsonString()
        guard operation == "Update" else { return name }
        guard let time, !time.isEmpty else { return "\(name) using \(apiVersion)" }
        return "\(name) using \(apiVersion) at \(time)"
    }
}

extension APIError {
    /// The 409 kube-apiserver answers an apply with conflicts (k8s.io/apiserver
    /// pkg/endpoints/handlers/fieldmanager/internal/conflict.go): reason Conflict, a
    /// `FieldManagerConflict` cause per field, and the message kubectl prints before its advice
    /// to use `--force-conflicts`.
    public static func applyConflicts(_ conflicts: [ApplyConflict]) -> APIError {
        let causes = conflicts.map {
            StatusCause(reason: "FieldManagerConflict", message: "conflict with \($0.printedManager)", field: $0.field)
        }
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message = "Apply failed with 1 conflict: conflict with \(only.printedManager): \(only.field)"
        } else {
            var lines: [String] = []
            var byManager: [String: [String]] = [:]
            var printed: [String: String] = [:]
            for conflict in conflicts {
                byManager[conflict.manager, default: []].append(conflict.field)
                printed[conflict.manager] = conflict.printedManager
            }
            for manager in byManager.keys.sorted() {
                lines.append("conflicts with \(printed[manager] ?? manager):")
                lines += (byManager[manager] ?? []).map { "- \($0)" }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return APIError(code: 409, reason: "Conflict", message: message, details: Details(causes: causes))
    }
}
