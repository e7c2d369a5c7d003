import Kube
import SlipwayAPI

/// Requests as the controller leaves them, for the rendering tests.
enum Sample {
    static func request(name: String = "web-production-k4x9z", target: String = "web-production", action: RequestAction = .deploy,
                        image: String? = "registry.example.com/shop/web:1.5.0", phase: Phase? = nil, timeline: [String] = [],
                        gates: [GateStatus]? = nil, currentStep: Int? = nil, weight: Int? = nil, message: String? = nil,
                        created: String = "2026-11-25T12:00:00Z", annotations: [String: String]? = nil,
                        resourceVersion: String? = "41") -> DeploymentRequest {
        var metadata = ObjectMeta(name: name, namespace: "shop")
        metadata.creationTimestamp = created
        metadata.annotations = annotations
        metadata.resourceVersion = resourceVersion
        let status = phase.map {
            DeploymentRequestStatus(phase: $0, currentStep: currentStep, canaryWeight: weight, gates: gates, message: message,
                                    timeline: timeline.isEmpty ? nil : timeline.map { TimelineEntry(time: "2026-11-25T12:00:01Z", action: $0) })
        }
        return DeploymentRequest(metadata: metadata, spec: DeploymentRequestSpec(target: target, action: action, image: image, commit: "3f9c2ab"),
                                 status: status)
    }
}
