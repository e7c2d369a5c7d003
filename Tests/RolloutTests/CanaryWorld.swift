import Foundation
import JSON
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI

/// A shop namespace with a `web` canary pair (web-stable live with 1.4.1 on 4 replicas,
/// web-canary at 0) behind one of the four routers, a Prometheus that answers by the canary's
/// image (`errors` in the tag: a 20 % error rate; `nodata`: an empty result), and a controller
/// that can be restarted at will.
final class CanaryWorld: Sendable {
    enum Router: String, CaseIterable, Sendable, CustomStringConvertible {
        case replicaRatio, nginx, istio, gatewayAPI
        var description: String { rawValue }
    }

    static let repository = "registry.example.com/shop/web"
    static let targetName = "web-production"
    static let errorRateQuery = #"sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}",code=~"5.."}[1m])) / sum(rate(http_requests_total{deployment="{{canary}}"}[1m]))"#

    let router: Router
    let clock: ManualClock
    let cluster: FakeRolloutCluster
    let prober: SimulatedProber
    let prometheus: TablePrometheus
    let configuration: RolloutConfiguration

    init(router: Router, steps: [CanaryStep] = CanaryWorld.defaultSteps, noData: NoDataPolicy = .inconclusive,
         onGateFailure: GateFailurePolicy? = nil, extraGates: [Gate] = [], progressDeadlineSeconds: Int = 300) {
        self.router = router
        clock = ManualClock(wallOrigin: RolloutWorld.wednesdayMorning)
        cluster = FakeRolloutCluster(namespace: "shop", clock: clock) { image in
            image.contains("crashloop") ? .crashLoop : .healthy(readyAfter: .seconds(5))
        }
        prober = SimulatedProber(cluster: cluster)
        let cluster = self.cluster
        prometheus = TablePrometheus { query in
            let image = cluster.deploymentImage("web-canary") ?? ""
            guard query.contains(#"deployment="web-canary""#) else { return .failure(.query(errorType: "bad_data", message: "unexpected query \(query)")) }
            if image.contains("nodata") { return .success(.vector([])) }
            return .success(.vector([PrometheusSample(labels: ["deployment": "web-canary"], value: image.contains("errors") ? 0.2 : 0.001)]))
        }
        configuration = RolloutConfiguration()
        cluster.addDeployment("web-stable", container: "web", image: "\(Self.repository):1.4.1", replicas: 4, labels: ["app": "web", "track": "stable"])
        cluster.addDeployment("web-canary", container: "web", image: "\(Self.repository):1.4.1", replicas: 0, labels: ["app": "web", "track": "canary"])
        cluster.addService("web", selector: router == .replicaRatio ? ["app": "web"] : ["app": "web", "track": "stable"])
        cluster.addService("web-canary", selector: ["app": "web", "track": "canary"])
        switch router {
        case .replicaRatio: break
        case .nginx: cluster.addObject(Self.stableIngress)
        case .istio: cluster.addObject(Self.virtualService)
        case .gatewayAPI: cluster.addObject(Self.httpRoute)
        }
        var target = Self.target(router: router, steps: steps, noData: noData, onGateFailure: onGateFailure, extraGates: extraGates,
                                 progressDeadlineSeconds: progressDeadlineSeconds)
        target.status = DeploymentTargetStatus(currentImage: "\(Self.repository):1.4.1", currentCommit: "1a2b3c4",
                                               previousImage: "\(Self.repository):1.4.0", health: .healthy)
        cluster.addTarget(target)
    }

    static let defaultSteps: [CanaryStep] = [.setWeight(20), .analysis(["error-rate"]), .setWeight(50), .pause(seconds: 60), .setWeight(100)]

    static func trafficRouting(_ router: Router) -> TrafficRouting {
        switch router {
        case .replicaRatio: .replicaRatio
        case .nginx: .nginx(NginxRouting(stableIngress: "web"))
        case .istio: .istio(IstioRouting(virtualService: "web", route: "primary", stable: IstioDestination(host: "web"),
                                         canary: IstioDestination(host: "web-canary")))
        case .gatewayAPI: .gatewayAPI(GatewayAPIRouting(httpRoute: "web", stableBackend: "web", canaryBackend: "web-canary"))
        }
    }

    static func errorRateGate(noData: NoDataPolicy) -> Gate {
        Gate(name: "error-rate", intervalSeconds: 10, failureLimit: 0,
             prometheus: PrometheusGate(address: "http://prometheus.monitoring.svc:9090", query: errorRateQuery,
                                        condition: MetricCondition(lessThanOrEqual: 0.05), count: 3, noDataPolicy: noData))
    }

    static func target(router: Router, steps: [CanaryStep], noData: NoDataPolicy = .inconclusive, onGateFailure: GateFailurePolicy? = nil,
                       extraGates: [Gate] = [], progressDeadlineSeconds: Int = 300) -> DeploymentTarget {
        let spec = DeploymentTargetSpec(
            environment: "production",
            source: ReleaseSource(imageRepository: repository),
            container: "web",
            strategy: .canary(CanaryStrategy(stableDeployment: "web-stable", canaryDeployment: "web-canary", service: "web",
                                             canaryService: router == .nginx ? "web-canary" : nil,
                                             trafficRouting: trafficRouting(router), steps: steps)),
            gates: [errorRateGate(noData: noData)] + extraGates, onGateFailure: onGateFailure, progressDeadlineSeconds: progressDeadlineSeconds)
        return DeploymentTarget(metadata: ObjectMeta(name: targetName, namespace: "shop"), spec: spec)
    }

    static let stableIngress: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": ["ingressClassName": "nginx", "rules": [["host": "web.example.com", "http": ["paths": [
            ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web", "port": ["number": 80]]]],
        ]]]]],
    ]

    static let virtualService: JSONValue = [
        "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
        "metadata": ["name": "web"],
        "spec": ["hosts": ["web"], "http": [
            ["name": "health", "match": [["uri": ["prefix": "/healthz"]]], "route": [["destination": ["host": "web"]]]],
            ["name": "primary", "retries": ["attempts": 3], "route": [
                ["destination": ["host": "web"], "weight": 100],
                ["destination": ["host": "web-canary"], "weight": 0],
            ]],
        ]],
    ]

    static let httpRoute: JSONValue = [
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": ["name": "web"],
        "spec": ["parentRefs": [["name": "shop-gateway"]], "hostnames": ["web.example.com"], "rules": [[
            "backendRefs": [
                ["name": "web", "port": 80, "weight": 100],
                ["name": "web-canary", "port": 80, "weight": 0],
            ],
        ]]],
    ]

    // MARK: Driving

    @discardableResult
    func request(_ name: String, tag: String) -> DeploymentRequest {
        let spec = DeploymentRequestSpec(target: Self.targetName, image: "\(Self.repository):\(tag)")
        return cluster.create(DeploymentRequest(metadata: ObjectMeta(name: name, namespace: "shop",
                                                                     annotations: [SlipwayAnnotation.requestedBy: "telegram:111"]), spec: spec))
    }

    func controller() -> RequestReconciler {
        RequestReconciler(cluster: cluster, gates: .standard(prober: prober, prometheus: prometheus), clock: clock, configuration: configuration)
    }

    /// Reconciles every request and moves the clock to the earliest requeue, until every request
    /// is finished or waits for a human. A fresh controller runs each call.
    func settle(maxRounds: Int = 2000) async throws {
        for _ in 0..<maxRounds {
            var soonest: Duration?
            for name in cluster.requestNames {
                let action = try await controller().reconcile(ObjectKey(namespace: "shop", name: name))
                if case .requeueAfter(let delay) = action { soonest = min(soonest ?? delay, delay) }
            }
            let open = cluster.requestNames.compactMap { cluster.storedRequest($0) }.filter { !$0.phase.isTerminal && $0.phase != .paused }
            guard let soonest, !open.isEmpty else { return }
            clock.advance(by: soonest)
        }
        throw SettleError.didNotSettle
    }

    /// Reconciles `name` (and advances the clock) until `condition` holds.
    func run(_ name: String, until condition: (DeploymentRequest) -> Bool, maxSteps: Int = 500) async throws {
        for _ in 0..<maxSteps {
            if let request = cluster.storedRequest(name), condition(request) { return }
            let action = try await controller().reconcile(ObjectKey(namespace: "shop", name: name))
            if case .requeueAfter(let delay) = action { clock.advance(by: delay) }
        }
        throw SettleError.didNotSettle
    }

    // MARK: Reading

    func phase(_ name: String) -> Phase? { cluster.storedRequest(name)?.phase }
    func message(_ name: String) -> String { cluster.storedRequest(name)?.status?.message ?? "" }
    func timeline(_ name: String) -> [String] { cluster.storedRequest(name)?.status?.timeline?.map(\.action) ?? [] }
    var target: DeploymentTargetStatus? { cluster.storedTarget(Self.targetName)?.status }
    var workloadChanges: [String] { cluster.history.filter(\.isWorkloadOrTraffic).map(\.description) }
    var stableImageChanges: [String] { cluster.history.compactMap { if case .setImage("web-stable", let image) = $0 { image } else { nil } } }

    /// Where the router's object keeps the canary weight, read independently of the controller.
    static func canaryWeight(in object: JSONValue?, router: Router) -> Int? {
        guard let object else { return nil }
        switch router {
        case .replicaRatio: return nil
        case .nginx: return object[path: "metadata", "annotations"]?["nginx.ingress.kubernetes.io/canary-weight"]?.stringValue.flatMap { Int($0) }
        case .istio: return object[path: "spec", "http"]?[1]?["route"]?[1]?["weight"]?.intValue
        case .gatewayAPI: return object[path: "spec", "rules"]?[0]?["backendRefs"]?[1]?["weight"]?.intValue
        }
    }

    static func stableWeight(in object: JSONValue?, router: Router) -> Int? {
        switch router {
        case .istio: object?[path: "spec", "http"]?[1]?["route"]?[0]?["weight"]?.intValue
        case .gatewayAPI: object?[path: "spec", "rules"]?[0]?["backendRefs"]?[0]?["weight"]?.intValue
        default: nil
        }
    }

    var routingKind: String { router == .nginx ? "Ingress" : router == .istio ? "VirtualService" : "HTTPRoute" }
    var routingName: String { router == .nginx ? "web-canary" : "web" }

    /// The canary weight now: the routing object's, or the canary's share of the ready replicas.
    var liveCanaryWeight: Int? {
        if router == .replicaRatio {
            let canary = cluster.deploymentReplicas("web-canary") ?? 0
            let stable = cluster.deploymentReplicas("web-stable") ?? 0
            return canary + stable == 0 ? nil : canary * 100 / (canary + stable)
        }
        return Self.canaryWeight(in: cluster.object(kind: routingKind, name: routingName), router: router)
    }

    /// Every weight the routing object held, in order, without repeats (object routers).
    var weightHistory: [Int?] {
        var weights: [Int?] = []
        for version in cluster.versions(kind: routingKind, name: routingName) {
            let weight = Self.canaryWeight(in: version, router: router)
            if weights.last != .some(weight) { weights.append(weight) }
        }
        return weights
    }
}
