import JSON
import Kube
import SlipwayAPI

/// The annotation changes behind `approve`, `promote` and `abort`, as JSON merge patches.
/// Each carries the request's resourceVersion, so that the API server refuses it with 409
/// Conflict when someone changed the request meanwhile (optimistic concurrency); the caller
/// reads again and retries. See
/// https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions and RFC 7386.
public enum AnnotationEdits {
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case finished(name: String, phase: Phase)
        case notPaused(name: String, phase: Phase)
        case alreadyApproved(name: String, by: String)

        public var description: String {
            switch self {
            case .finished(let name, let phase):
                "request \(name) has already ended (\(phase.rawValue)); nothing can change it now. Create a new request instead"
            case .notPaused(let name, let phase):
                "request \(name) is \(phase.rawValue), not Paused; promote continues a paused release. Follow it with `slipway request watch \(name)` and promote once it pauses"
            case .alreadyApproved(let name, let by):
                "\(by) has already approved request \(name)"
            }
        }
    }

    /// Adds `approver` to `slipway.dev/approved-by`, keeping the approvers already listed.
    public static func approve(_ request: DeploymentRequest, by approver: String) throws(Refusal) -> JSONValue {
        let name = request.metadata.name ?? ""
        guard !request.phase.isTerminal else { throw .finished(name: name, phase: request.phase) }
        let approvers = request.approvers
        guard !approvers.contains(approver) else { throw .alreadyApproved(name: name, by: approver) }
        return patch(request, [SlipwayAnnotation.approvedBy: (approvers + [approver]).joined(separator: ",")])
    }

    /// Sets `slipway.dev/promote`: a paused release continues.
    public static func promote(_ request: DeploymentRequest) throws(Refusal) -> JSONValue {
        let name = request.metadata.name ?? ""
        guard !request.phase.isTerminal else { throw .finished(name: name, phase: request.phase) }
        guard request.phase == .paused else { throw .notPaused(name: name, phase: request.phase) }
        return patch(request, [SlipwayAnnotation.promote: "true"])
    }

    /// Sets `slipway.dev/abort` to the reason: the release stops and the previous one is restored.
    public static func abort(_ request: DeploymentRequest, reason: String) throws(Refusal) -> JSONValue {
        let name = request.metadata.name ?? ""
        guard !request.phase.isTerminal else { throw .finished(name: name, phase: request.phase) }
        let text = reason.isEmpty ? "aborted" : String(reason.prefix(200))
        return patch(request, [SlipwayAnnotation.abort: text])
    }

    static func patch(_ request: DeploymentRequest, _ annotations: [String: String]) -> JSONValue {
        var metadata: JSONValue = ["annotations": .object(OrderedDictionary(uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]
        if let version = request.metadata.resourceVersion { metadata["resourceVersion"] = .string(version) }
        return ["metadata": metadata]
    }
}
