import Foundation
import Kube
import Logging
import SlipwayAPI

/// Records what people did through the chat as core/v1 Events on the request, so that
/// `kubectl describe deploymentrequest` tells the same story as the audit log.
/// See https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
struct RequestEvents: Sendable {
    let kube: KubeClient
    let namespace: String
    let logger: Logger

    static let component = "slipway-chatops"
    /// The pod's name in a cluster (HOSTNAME), read once; no DNS lookup.
    static let instance = ProcessInfo.processInfo.environment["HOSTNAME"] ?? "slipway-chatops"

    /// Best effort: an Event that cannot be written is logged, never fails the action.
    func record(_ action: AuditAction, on request: DeploymentRequest, message: String, now: Date) async {
        guard let name = request.metadata.name else { return }
        let time = SlipwayAPI.RFC3339.string(from: now)
        var random = SystemRandomNumberGenerator()
        let suffix = String(UInt64.random(in: .min ... .max, using: &random), radix: 16)
        let event = Event(
            metadata: ObjectMeta(name: "\(String(name.prefix(200))).\(suffix)", namespace: namespace),
            involvedObject: ObjectReference(apiVersion: DeploymentRequest.resource.apiVersion, kind: DeploymentRequest.resource.kind,
                                            namespace: namespace, name: name, uid: request.metadata.uid,
                                            resourceVersion: request.metadata.resourceVersion),
            reason: action.eventReason, message: message, type: action.isWarning ? "Warning" : "Normal", count: 1,
            firstTimestamp: time, lastTimestamp: time, source: EventSource(component: Self.component),
            reportingComponent: "slipway.dev/chatops", reportingInstance: Self.instance,
            action: action.rawValue)
        do {
            _ = try await kube.create(event, namespace: namespace)
        } catch {
            logger.debug("could not record an Event", metadata: ["request": "\(name)", "error": "\(error)"])
        }
    }
}
