import Foundation
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Synchronization

/// Answers HTTP gates like the simulated cluster would: the URL's host names a Service, the
/// Service selects a slot, and the slot's image decides the answer (`unhealthy` in the tag:
/// 503). `override` lets a test decide for a URL and image.
final class SimulatedProber: GateProber {
    typealias Override = @Sendable (_ url: String, _ image: String) -> HTTPProbeResponse?
    let cluster: FakeRolloutCluster
    private let override: Mutex<Override?> = Mutex(nil)
    private let probes = Mutex<[String]>([])

    init(cluster: FakeRolloutCluster) { self.cluster = cluster }

    func setOverride(_ override: Override?) { self.override.withLock { $0 = override } }
    var probedURLs: [String] { probes.withLock { $0 } }

    func probe(_ gate: HTTPGate) async throws -> HTTPProbeResponse {
        probes.withLock { $0.append(gate.url) }
        let host = gate.url.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        let service = String(host.split(separator: ".").first ?? "")
        guard let selector = cluster.selector(of: service) else { throw RolloutClusterError.notFound(kind: "Service", name: service, namespace: "shop") }
        let deployment = selector["slot"].map { "web-\($0)" } ?? ""
        let image = cluster.deploymentImage(deployment) ?? ""
        if let answer = override.withLock({ $0 })?(gate.url, image) { return answer }
        if (cluster.deploymentReplicas(deployment) ?? 0) == 0 { throw RolloutClusterError.conflict("no endpoints behind Service \(service)") }
        return image.contains("unhealthy") ? HTTPProbeResponse(status: 503, body: "unhealthy") : HTTPProbeResponse(status: 200, body: "ok")
    }
}

/// A shop namespace with the `web` blue/green pair from manifests/examples/web.yaml, live on
/// blue with 1.4.1, and a controller that can be restarted at will.
final class RolloutWorld: Sendable {
    static let repository = "registry.example.com/shop/web"
    static let targetName = "web-production"
    static let previewURL = "http://web-preview.shop.svc/healthz"
    static let liveURL = "http://web.shop.svc/healthz"
    /// Wednesday 2026-11-25 10:00 UTC.
    static let wednesdayMorning = Date(timeIntervalSince1970: 1_795_600_800)

    let clock: ManualClock
    let cluster: FakeRolloutCluster
    let prober: SimulatedProber
    let prometheus: TablePrometheus
    let configuration: RolloutConfiguration

    init(start: Date = RolloutWorld.wednesdayMorning, target: DeploymentTarget = RolloutWorld.target(),
         configuration: RolloutConfiguration = RolloutConfiguration(maxWindowWait: .seconds(7 * 24 * 3600))) {
        clock = ManualClock(wallOrigin: start)
        cluster = FakeRolloutCluster(namespace: "shop", clock: clock) { image in
            image.contains("crashloop") ? .crashLoop : .healthy(readyAfter: .seconds(5))
        }
        prober = SimulatedProber(cluster: cluster)
        prometheus = TablePrometheus()
        self.configuration = configuration
        cluster.addDeployment("web-blue", container: "web", image: "\(Self.repository):1.4.1", replicas: 3, labels: ["app": "web", "slot": "blue"])
        cluster.addDeployment("web-green", container: "web", image: "\(Self.repository):1.4.0", replicas: 0, labels: ["app": "web", "slot": "green"])
        cluster.addService("web", selector: ["app": "web", "slot": "blue"])
        cluster.addService("web-preview", selector: ["app": "web", "slot": "green"])
        var target = target
        target.status = DeploymentTargetStatus(currentImage: "\(Self.repository):1.4.1", currentCommit: "1a2b3c4",
                                               previousImage: "\(Self.repository):1.4.0", previousCommit: "0f0e0d0",
                                               activeSlot: .blue, health: .healthy)
        cluster.addTarget(target)
    }

    static func target(autoPromote: Bool = true, pre: [String] = ["preview-healthy", "pods-ready"], post: [String] = ["live-healthy"],
                       extraGates: [Gate] = [], onGateFailure: GateFailurePolicy? = nil, approval: ApprovalPolicy? = nil,
                       windows: DeploymentWindows? = nil, historyLimit: Int? = nil, progressDeadlineSeconds: Int? = 120,
                       scaleDownDelaySeconds: Int = 30) -> DeploymentTarget {
        let gates = [
            Gate(name: "preview-healthy", intervalSeconds: 5, successThreshold: 3, failureLimit: 2,
                 http: HTTPGate(url: previewURL, expectedStatus: [200], bodyContains: "ok", timeoutSeconds: 2)),
            Gate(name: "pods-ready", readiness: ReadinessGate(maxRestarts: 0)),
            Gate(name: "live-healthy", intervalSeconds: 5, successThreshold: 2, failureLimit: 1, http: HTTPGate(url: liveURL)),
        ] + extraGates
        let spec = DeploymentTargetSpec(
            environment: "production",
            source: ReleaseSource(imageRepository: repository),
            container: "web",
            strategy: .blueGreen(BlueGreenStrategy(activeService: "web", previewService: "web-preview", blueDeployment: "web-blue",
                                                   greenDeployment: "web-green", autoPromote: autoPromote,
                                                   scaleDownDelaySeconds: scaleDownDelaySeconds, prePromotionGates: pre, postPromotionGates: post)),
            gates: gates, onGateFailure: onGateFailure, approval: approval, windows: windows, historyLimit: historyLimit,
            progressDeadlineSeconds: progressDeadlineSeconds)
        return DeploymentTarget(metadata: ObjectMeta(name: targetName, namespace: "shop"), spec: spec)
    }

    @discardableResult
    func request(_ name: String, tag: String? = nil, commit: String? = nil, action: RequestAction? = nil,
                 requestedBy: String? = "telegram:111") -> DeploymentRequest {
        var annotations: [String: String] = [:]
        if let requestedBy { annotations[SlipwayAnnotation.requestedBy] = requestedBy }
        let spec = DeploymentRequestSpec(target: Self.targetName, action: action, image: tag.map { "\(Self.repository):\($0)" }, commit: commit)
        return cluster.create(DeploymentRequest(metadata: ObjectMeta(name: name, namespace: "shop", annotations: annotations), spec: spec))
    }

    /// A controller that knows nothing but what the cluster says: a new one for every call is a restart.
    func controller() -> RequestReconciler {
        RequestReconciler(cluster: cluster, gates: .standard(prober: prober, prometheus: prometheus), clock: clock, configuration: configuration)
    }

    /// Reconciles every request, in creation order, and moves the clock to the earliest requeue,
    /// until every request is finished or waits for a change only a human can make. A fresh
    /// controller instance runs each call.
    func settle(maxRounds: Int = 2000) async throws {
        let controller = controller()
        for _ in 0..<maxRounds {
            var soonest: Duration?
            let names = cluster.requestNames.sorted { (cluster.storedRequest($0)?.metadata.uid.flatMap { Int($0.dropFirst(4)) } ?? 0) < (cluster.storedRequest($1)?.metadata.uid.flatMap { Int($0.dropFirst(4)) } ?? 0) }
            for name in names {
                let action = try await controller.reconcile(ObjectKey(namespace: "shop", name: name))
                if case .requeueAfter(let delay) = action { soonest = min(soonest ?? delay, delay) }
            }
            let open = cluster.requestNames.compactMap { cluster.storedRequest($0) }.filter { !$0.phase.isTerminal }
            guard let soonest, !open.isEmpty else { return }
            clock.advance(by: soonest)
        }
        throw SettleError.didNotSettle
    }

    /// Reconciles one request once.
    @discardableResult
    func step(_ name: String) async throws -> ReconcileAction {
        try await controller().reconcile(ObjectKey(namespace: "shop", name: name))
    }

    /// Reconciles `name` (and advances the clock) until `condition` holds.
    func run(_ name: String, until condition: (DeploymentRequest) -> Bool, maxSteps: Int = 500) async throws {
        let controller = controller()
        for _ in 0..<maxSteps {
            if let request = cluster.storedRequest(name), condition(request) { return }
            let action = try await controller.reconcile(ObjectKey(namespace: "shop", name: name))
            if case .requeueAfter(let delay) = action { clock.advance(by: delay) }
        }
        throw SettleError.didNotSettle
    }

    func phase(_ name: String) -> Phase? { cluster.storedRequest(name)?.phase }
    func message(_ name: String) -> String { cluster.storedRequest(name)?.status?.message ?? "" }
    func timeline(_ name: String) -> [String] { cluster.storedRequest(name)?.status?.timeline?.map(\.action) ?? [] }
    var target: DeploymentTargetStatus? { cluster.storedTarget(Self.targetName)?.status }
    var liveSlot: String? { cluster.selector(of: "web")?["slot"] }
    /// Every change of the active Service, in order.
    var trafficSwitches: [String] {
        cluster.history.compactMap { mutation in
            if case .setSelector("web", let selector) = mutation { return selector["slot"] }
            return nil
        }
    }
    var workloadChanges: [String] { cluster.history.filter(\.isWorkloadOrTraffic).map(\.description) }
}

enum SettleError: Error { case didNotSettle }
