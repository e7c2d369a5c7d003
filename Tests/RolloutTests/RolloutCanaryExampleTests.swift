import Foundation
import JSON
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing
import YAML

/// The canary examples in manifests/examples, released as shipped: each file's Deployments,
/// Services and routing objects make the cluster, its target is released with a healthy image,
/// and the release must walk every step and be promoted.
@Suite("Rollout canary examples")
struct RolloutCanaryExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every HTTP gate answers 200 "ok".
    struct HealthyProber: GateProber {
        func probe(_ gate: HTTPGate) async throws -> HTTPProbeResponse { HTTPProbeResponse(status: 200, body: "ok") }
    }

    @Test("each canary example is released through its router and promoted",
          arguments: ["api.yaml", "catalog.yaml", "checkout.yaml", "search.yaml"])
    func example(_ file: String) async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("manifests/examples/\(file)"), encoding: .utf8)
        let documents = try YAML.parseAll(text).filter { !$0.isNull }
        let clock = ManualClock(wallOrigin: RolloutWorld.wednesdayMorning)
        let cluster = FakeRolloutCluster(namespace: "shop", clock: clock)
        var target: DeploymentTarget?
        for document in documents {
            let name = document[path: "metadata", "name"]?.stringValue ?? ""
            switch document["kind"]?.stringValue {
            case "Deployment":
                let container = document[path: "spec", "template", "spec", "containers"]?[0]
                let labels = (document[path: "spec", "template", "metadata", "labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                cluster.addDeployment(name, container: container?["name"]?.stringValue ?? "", image: container?["image"]?.stringValue ?? "",
                                      replicas: document[path: "spec", "replicas"]?.intValue ?? 1, labels: Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) }))
            case "Service":
                let selector = (document[path: "spec", "selector"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                cluster.addService(name, selector: Dictionary(uniqueKeysWithValues: selector.map { ($0.key, $0.value) }))
            case "Ingress", "VirtualService", "HTTPRoute":
                cluster.addObject(document)
            case "DeploymentTarget":
                var decoded = try document.decode(as: DeploymentTarget.self)
                decoded.status = DeploymentTargetStatus(health: .healthy)
                target = decoded
            default:
                break
            }
        }
        let released = try #require(target)
        cluster.addTarget(released)
        let canary = try #require(released.spec.strategy.canary)
        let repository = released.spec.source.imageRepository
        let prometheus = TablePrometheus { query in
            // A healthy canary: 99.6 % of requests succeed, 0.4 % fail, and they are fast.
            .success(.vector([PrometheusSample(value: query.contains(#"code!~"#) ? 0.996 : 0.004)]))
        }
        let controller = RequestReconciler(cluster: cluster, gates: .standard(prober: HealthyProber(), prometheus: prometheus), clock: clock)
        cluster.create(DeploymentRequest(
            metadata: ObjectMeta(name: "r1", namespace: "shop", annotations: [
                SlipwayAnnotation.requestedBy: "telegram:111", SlipwayAnnotation.approvedBy: "telegram:222,telegram:333",
            ]),
            spec: DeploymentRequestSpec(target: released.metadata.name ?? "", image: "\(repository):9.9.9")))

        for _ in 0..<3000 {
            guard let request = cluster.storedRequest("r1"), !request.phase.isTerminal else { break }
            if request.phase == .paused && !request.isPromoteRequested { cluster.annotate("r1", SlipwayAnnotation.promote, "true") }
            let action = try await controller.reconcile(ObjectKey(namespace: "shop", name: "r1"))
            if case .requeueAfter(let delay) = action { clock.advance(by: delay) }
        }
        let request = try #require(cluster.storedRequest("r1"))
        #expect(request.phase == .succeeded, "\(file): \(request.status?.message ?? "")")
        #expect(request.status?.currentStep == canary.steps.count)
        #expect(cluster.deploymentImage(canary.stableDeployment) == "\(repository):9.9.9")
        #expect(cluster.deploymentReplicas(canary.canaryDeployment) == 0)
        if let istio = canary.trafficRouting.istio {
            let route = cluster.object(kind: "VirtualService", name: istio.virtualService)?[path: "spec", "http"]?[0]?["route"]
            #expect(route?[0]?["weight"] == 100)
            #expect(route?[1]?["weight"] == 0)
        }
        if let gateway = canary.trafficRouting.gatewayAPI {
            let refs = cluster.object(kind: "HTTPRoute", name: gateway.httpRoute)?[path: "spec", "rules"]?[0]?["backendRefs"]
            #expect(refs?[0]?["weight"] == 100)
            #expect(refs?[1]?["weight"] == 0)
        }
        if let nginx = canary.trafficRouting.nginx {
            #expect(cluster.object(kind: "Ingress", name: nginx.canaryIngress) == nil, "the canary Ingress is removed after the release")
            #expect(cluster.versions(kind: "Ingress", name: nginx.canaryIngress).contains { $0?[path: "metadata", "annotations"]?["nginx.ingress.kubernetes.io/canary-weight"] == "60" })
        }
    }
}
