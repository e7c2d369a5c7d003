import Kube
import SlipwayAPI

/// A request as the CLI is about to create it: named, annotated with who asks, and checked
/// with the same validation the controller runs, so that mistakes are reported before anything
/// is sent and in the words of the command line rather than of the API.
public enum RequestDraft {
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var issues: [ValidationIssue]

        public init(issues: [ValidationIssue]) { self.issues = issues }

        public var description: String {
            let lines = issues.map { "  \(Self.flag(for: $0.field)): \($0.message)" }
            return "the request is not valid:\n" + lines.joined(separator: "\n")
        }

        /// The command-line flag behind a field, so that the message points at what to retype.
        static func flag(for field: String) -> String {
            switch field {
            case "spec.target": "TARGET"
            case "spec.image": "--image"
            case "spec.commit": "--commit"
            case "spec.reason": "--reason"
            default: field
            }
        }
    }

    public static func make(target: String, action: RequestAction, image: String?, commit: String?, reason: String?,
                            namespace: String, requestedBy: String?, entropy: UInt64) throws(Invalid) -> DeploymentRequest {
        let name = RequestName.make(target: target, action: action, parts: [image ?? "", commit ?? "", reason ?? ""], entropy: entropy)
        var annotations: [String: String] = [:]
        if let requestedBy { annotations[SlipwayAnnotation.requestedBy] = requestedBy }
        var metadata = ObjectMeta(name: name, namespace: namespace)
        metadata.annotations = annotations.isEmpty ? nil : annotations
        let request = DeploymentRequest(
            metadata: metadata,
            spec: DeploymentRequestSpec(target: target, action: action, image: image, commit: commit,
                                        reason: reason.flatMap { $0.isEmpty ? nil : $0 }))
        let issues = request.validationIssues()
        if !issues.isEmpty { throw Invalid(issues: issues) }
        return request
    }
}
