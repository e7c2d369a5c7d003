import Foundation
import JSON
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Synchronization
import Testing

@Suite("Rollout canary")
struct RolloutCanaryTests {
    static let release = "\(CanaryWorld.repository):1.4.2"
    static let live = "\(CanaryWorld.repository):1.4.1"

    @Test("a good release walks every step to 100 % and is promoted: stable runs it, all traffic on stable, canary at 0",
          arguments: CanaryWorld.Router.allCases)
    func promotes(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router)
        world.request("r1", tag: "1.4.2")
        try await world.settle()

        #expect(world.phase("r1") == .succeeded, "\(world.message("r1"))")
        #expect(world.cluster.deploymentImage("web-stable") == Self.release)
        #expect(world.cluster.deploymentReplicas("web-stable") == 4)
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
        #expect(world.stableImageChanges == [Self.release], "the stable Deployment gets the release once, at promotion")
        #expect(world.target?.currentImage == Self.release)
        #expect(world.target?.previousImage == Self.live)
        #expect(world.target?.activeRequest == nil)
        let timeline = world.timeline("r1")
        #expect(timeline.filter { $0 == "WeightSet" }.count == 3)
        #expect(timeline.suffix(5) == ["StableImageSet", "StableAvailable", "TrafficReturned", "CanaryScaledDown", "Completed"])
        let status = world.cluster.storedRequest("r1")?.status
        #expect(status?.canaryWeight == 0)
        #expect(status?.currentStep == 5)
        let gate = status?.gates?.first { $0.name == "step1/error-rate" }
        #expect(gate?.phase == .passed)
        #expect(gate?.measurements?.map(\.outcome) == [.success, .success, .success])
        #expect(gate?.measurements?.first?.value == "0.001")
        #expect(world.prometheus.queries.first?.contains(#"namespace="shop",deployment="web-canary""#) == true)

        switch router {
        case .replicaRatio:
            #expect(world.workloadChanges == [
                "image web-canary=\(Self.release)",
                "scale web-canary=1", "scale web-stable=3",
                "scale web-canary=2", "scale web-stable=2",
                "scale web-canary=4", "scale web-stable=0",
                "image web-stable=\(Self.release)", "scale web-stable=4",
                "scale web-canary=0",
            ])
        case .nginx:
            #expect(world.weightHistory == [0, 20, 50, 100, 0, nil], "created at 0, stepped, back to 0, deleted")
            #expect(world.cluster.object(kind: "Ingress", name: "web") == CanaryWorld.stableIngress.withStoredMetadata(world.cluster, kind: "Ingress", name: "web"))
        case .istio, .gatewayAPI:
            #expect(world.weightHistory == [0, 20, 50, 100, 0])
            let object = world.cluster.object(kind: world.routingKind, name: world.routingName)
            #expect(CanaryWorld.stableWeight(in: object, router: router) == 100)
        }
    }

    @Test("the derived canary Ingress points at the canary Service, carries the canary annotations and is owned by the request")
    func nginxCanaryIngress() async throws {
        let world = CanaryWorld(router: .nginx)
        let request = world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.canaryWeight == 20 }
        let ingress = try #require(world.cluster.object(kind: "Ingress", name: "web-canary"))
        #expect(ingress[path: "metadata", "annotations"]?["nginx.ingress.kubernetes.io/canary"] == "true")
        #expect(ingress[path: "metadata", "annotations"]?["nginx.ingress.kubernetes.io/canary-weight"] == "20")
        #expect(ingress[path: "spec", "rules"]?[0]?[path: "http", "paths"]?[0]?[path: "backend", "service", "name"] == "web-canary")
        #expect(ingress[path: "spec", "rules"]?[0]?["host"] == "web.example.com")
        let owner = ingress[path: "metadata", "ownerReferences"]?[0]
        #expect(owner?["kind"] == "DeploymentRequest")
        #expect(owner?["uid"]?.stringValue == request.metadata.uid)
        #expect(world.cluster.object(kind: "Ingress", name: "web")?[path: "metadata", "annotations"] == nil, "the stable Ingress is never changed")
    }

    @Test("errors at the first weight step roll back: traffic on stable, canary at 0 with the live image, stable never touched",
          arguments: CanaryWorld.Router.allCases)
    func errorsRollBack(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router)
        world.request("r1", tag: "1.4.2-errors20")
        try await world.settle()

        #expect(world.phase("r1") == .rolledBack)
        #expect(world.message("r1").contains("error-rate"))
        #expect(world.message("r1").contains("0.2 does not satisfy <= 0.05"))
        #expect(world.stableImageChanges.isEmpty, "stable is not touched before promotion")
        #expect(world.cluster.deploymentImage("web-stable") == Self.live)
        #expect(world.cluster.deploymentReplicas("web-stable") == 4)
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
        #expect(world.cluster.deploymentImage("web-canary") == Self.live, "the failed image is not left configured")
        #expect(world.target?.currentImage == Self.live)
        #expect(world.target?.activeRequest == nil)
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "step1/error-rate" }
        #expect(gate?.phase == .failed)
        #expect(gate?.measurements?.count == 1)
        #expect(world.cluster.events.contains { $0.reason == "GateFailed" && $0.type == .warning })
        switch router {
        case .replicaRatio:
            #expect(world.workloadChanges == [
                "image web-canary=\(CanaryWorld.repository):1.4.2-errors20", "scale web-canary=1", "scale web-stable=3",
                "scale web-stable=4", "scale web-canary=0", "image web-canary=\(Self.live)",
            ])
        case .nginx:
            #expect(world.weightHistory == [0, 20, 0, nil])
        case .istio, .gatewayAPI:
            #expect(world.weightHistory == [0, 20, 0])
        }
    }

    @Test("a canary that never becomes available fails on the progress deadline before any traffic moves")
    func neverAvailable() async throws {
        let world = CanaryWorld(router: .istio, progressDeadlineSeconds: 60)
        world.request("r1", tag: "1.4.2-crashloop")
        try await world.settle()
        #expect(world.phase("r1") == .failed)
        #expect(world.message("r1").contains("progressDeadlineSeconds"))
        #expect(world.weightHistory == [0])
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
        #expect(world.cluster.deploymentImage("web-canary") == Self.live)
    }

    @Test("a pause without duration waits until promoted by annotation, and one promotion passes one pause",
          arguments: [CanaryWorld.Router.istio, .replicaRatio])
    func pauseUntilPromoted(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router, steps: [.setWeight(30), .pause(), .setWeight(60), .pause(), .setWeight(100)])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("slipway.dev/promote"))
        #expect(world.cluster.storedRequest("r1")?.status?.canaryWeight == 30)
        // Time passes; nothing moves without a human.
        world.clock.advance(by: .seconds(3600))
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.cluster.storedRequest("r1")?.status?.currentStep == 1)

        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.cluster.storedRequest("r1")?.status?.canaryWeight == 60)
        #expect(world.cluster.storedRequest("r1")?.isPromoteRequested == false)

        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.cluster.deploymentImage("web-stable") == Self.release)
    }

    @Test("an abort restores stable 100 / canary 0 and the image, and ends Aborted", arguments: CanaryWorld.Router.allCases)
    func abortRestores(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router, steps: [.setWeight(40), .pause(), .setWeight(100)])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "latency looks off")
        try await world.settle()

        #expect(world.phase("r1") == .aborted)
        #expect(world.message("r1").contains("aborted"))
        #expect(world.stableImageChanges.isEmpty)
        #expect(world.cluster.deploymentReplicas("web-stable") == 4)
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
        #expect(world.cluster.deploymentImage("web-canary") == Self.live)
        #expect(world.target?.currentImage == Self.live)
        if router != .replicaRatio {
            #expect(world.weightHistory.compactMap { $0 }.last == 0)
            #expect(world.weightHistory.contains(40))
        }
    }

    @Test("an abort during promotion puts the stable Deployment back on the live image before traffic stays there")
    func abortDuringPromotion() async throws {
        let world = CanaryWorld(router: .gatewayAPI, steps: [.setWeight(50)])
        world.cluster.setBehavior { image in image == Self.release ? .whenTold : .healthy(readyAfter: .seconds(5)) }
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { _ in world.cluster.deploymentReplicas("web-canary") == 2 }
        world.cluster.makeAvailable("web-canary")
        try await world.run("r1") { $0.status?.timeline?.last?.action == "StableImageSet" }
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "stop")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.stableImageChanges == [Self.release, Self.live])
        #expect(world.weightHistory == [0, 50, 0])
        #expect(world.cluster.deploymentImage("web-canary") == Self.live)
    }

    @Test("an external edit of the routing object is detected, reported and not overwritten; restoring it lets the release go on",
          arguments: [CanaryWorld.Router.nginx, .istio, .gatewayAPI])
    func externalEditDetected(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router)
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.canaryWeight == 20 }
        world.cluster.editObject(kind: world.routingKind, name: world.routingName) { Self.setWeights(&$0, router: router, canary: 35) }
        try await world.settle()

        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("edited by someone else"))
        #expect(world.cluster.events.contains { $0.reason == "ExternalEdit" && $0.type == .warning })
        #expect(world.liveCanaryWeight == 35, "the edit is not overwritten")
        #expect(world.cluster.storedRequest("r1")?.status?.canaryWeight == 20)
        let patches = world.cluster.history.filter { if case .patchObject = $0 { true } else { false } }.count
        world.clock.advance(by: .seconds(600))
        try await world.settle()
        #expect(world.cluster.history.filter { if case .patchObject = $0 { true } else { false } }.count == patches)

        world.cluster.editObject(kind: world.routingKind, name: world.routingName) { Self.setWeights(&$0, router: router, canary: 20) }
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.cluster.deploymentImage("web-stable") == Self.release)
    }

    @Test("promoting past an external edit continues from the weights as edited")
    func externalEditAdopted() async throws {
        let world = CanaryWorld(router: .istio)
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.canaryWeight == 20 }
        world.cluster.editObject(kind: "VirtualService", name: "web") { Self.setWeights(&$0, router: .istio, canary: 35) }
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.timeline("r1").contains("RoutingAdopted"))
        #expect(world.weightHistory == [0, 20, 35, 50, 100, 0])
    }

    @Test("a query without data follows the gate's no-data policy", arguments: NoDataPolicy.allCases)
    func noDataPolicy(_ policy: NoDataPolicy) async throws {
        let world = CanaryWorld(router: .istio, noData: policy)
        world.request("r1", tag: "1.4.2-nodata")
        try await world.settle()
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "step1/error-rate" }
        switch policy {
        case .fail:
            #expect(world.phase("r1") == .rolledBack)
            #expect(world.message("r1").contains("no data"))
            #expect(gate?.measurements?.first?.outcome == .failure)
        case .pass:
            #expect(world.phase("r1") == .succeeded)
            #expect(gate?.measurements?.map(\.outcome) == [.success, .success, .success])
        case .inconclusive:
            #expect(world.phase("r1") == .paused)
            #expect(world.message("r1").contains("inconclusive"))
            #expect(gate?.phase == .inconclusive)
            #expect(gate?.measurements?.first?.value == "no data")
            #expect(world.cluster.events.contains { $0.reason == "GateInconclusive" })
            #expect(world.liveCanaryWeight == 20, "traffic stays where it was while a human decides")
            world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
            try await world.settle()
            #expect(world.phase("r1") == .succeeded)
            #expect(world.timeline("r1").contains("AnalysisOverridden"))
        }
    }

    @Test("a failed analysis with onGateFailure: pause waits for a human, and abort then undoes the release")
    func gateFailurePauses() async throws {
        let world = CanaryWorld(router: .gatewayAPI, onGateFailure: .pause)
        world.request("r1", tag: "1.4.2-errors20")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.liveCanaryWeight == 20)
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "bad")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.weightHistory == [0, 20, 0])
    }

    @Test("measurements in the status are bounded however many a gate takes")
    func measurementsBounded() async throws {
        let long = Gate(name: "long", intervalSeconds: 5, failureLimit: 0,
                        prometheus: PrometheusGate(address: "http://prometheus.monitoring.svc:9090", query: #"up{deployment="{{canary}}"}"#,
                                                   condition: MetricCondition(lessThan: 1), count: 45))
        let world = CanaryWorld(router: .istio, steps: [.setWeight(10), .analysis(["long"]), .setWeight(100)], extraGates: [long])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "step1/long" }
        #expect(gate?.successes == 45)
        #expect(gate?.measurements?.count == GateStatus.measurementLimit)
        #expect(gate?.measurements?.allSatisfy { $0.outcome == .success && $0.value == "0.001" } == true)
    }

    @Test("setCanaryScale sets the canary's replicas independently of its weight")
    func canaryScale() async throws {
        let world = CanaryWorld(router: .nginx, steps: [.setCanaryScale(CanaryScale(replicas: 3)), .setWeight(10), .pause(seconds: 10),
                                                         .setCanaryScale(CanaryScale(matchTrafficWeight: true)), .setWeight(100)])
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.canaryWeight == 10 }
        #expect(world.cluster.deploymentReplicas("web-canary") == 3)
        try await world.run("r1") { $0.status?.currentStep == 4 }
        #expect(world.cluster.deploymentReplicas("web-canary") == 1)
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
    }

    static func setWeights(_ object: inout JSONValue, router: CanaryWorld.Router, canary: Int) {
        switch router {
        case .nginx:
            object[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"] = .string(String(canary))
        case .istio:
            guard var routes = object[path: "spec", "http"]?.arrayValue, var destinations = routes[1]["route"]?.arrayValue else { return }
            destinations[0]["weight"] = .int(100 - canary)
            destinations[1]["weight"] = .int(canary)
            routes[1]["route"] = .array(destinations)
            object[path: "spec", "http"] = .array(routes)
        case .gatewayAPI:
            guard var rules = object[path: "spec", "rules"]?.arrayValue, var refs = rules[0]["backendRefs"]?.arrayValue else { return }
            refs[0]["weight"] = .int(100 - canary)
            refs[1]["weight"] = .int(canary)
            rules[0]["backendRefs"] = .array(refs)
            object[path: "spec", "rules"] = .array(rules)
        case .replicaRatio:
            break
        }
    }
}

@Suite("Rollout canary admission")
struct RolloutCanaryAdmissionTests {
    @Test("a canary target is accepted for every router", arguments: CanaryWorld.Router.allCases)
    func accepted(_ router: CanaryWorld.Router) async throws {
        let world = CanaryWorld(router: router)
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.phase != .pending }
        #expect(world.phase("r1") == .progressing)
        #expect(world.cluster.storedRequest("r1")?.status?.stableReplicas == 4)
        #expect(world.cluster.storedRequest("r1")?.status?.previousImage == RolloutCanaryTests.live)
    }

    @Test("a VirtualService without the named route is rejected, naming the route")
    func missingRoute() async throws {
        let world = CanaryWorld(router: .istio)
        world.cluster.editObject(kind: "VirtualService", name: "web") { $0[path: "spec", "http"] = [["name": "other", "route": [["destination": ["host": "web"]]]]] }
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("spec.strategy.canary.trafficRouting"))
        #expect(world.message("r1").contains("no HTTP route named primary"))
        #expect(world.workloadChanges.isEmpty)
    }

    @Test("an HTTPRoute already sending traffic to the canary is rejected")
    func routeNotAtZero() async throws {
        let world = CanaryWorld(router: .gatewayAPI)
        world.cluster.editObject(kind: "HTTPRoute", name: "web") { RolloutCanaryTests.setWeights(&$0, router: .gatewayAPI, canary: 10) }
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("already sends 10 %"))
    }

    @Test("with replica ratio routing the Service must select both Deployments' pods")
    func replicaRatioSelector() async throws {
        let world = CanaryWorld(router: .replicaRatio)
        world.cluster.addService("web", selector: ["app": "web", "track": "stable"])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("must select the pods of both Deployments"))
    }

    @Test("an NGINX target whose stable Ingress is missing is rejected, naming the Ingress")
    func missingIngress() async throws {
        let world = CanaryWorld(router: .nginx)
        world.cluster.addTarget(CanaryWorld.target(router: .nginx, steps: [.setWeight(10)]).withRouting(.nginx(NginxRouting(stableIngress: "shop"))))
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("Ingress \"shop\" does not exist"))
    }
}

extension DeploymentTarget {
    func withRouting(_ routing: TrafficRouting) -> DeploymentTarget {
        var target = self
        target.spec.strategy.canary?.trafficRouting = routing
        return target
    }
}

extension JSONValue {
    /// The object as the fake cluster stores it: with namespace and its current resourceVersion.
    func withStoredMetadata(_ cluster: FakeRolloutCluster, kind: String, name: String) -> JSONValue {
        var object = self
        object[path: "metadata", "namespace"] = "shop"
        object[path: "metadata", "resourceVersion"] = cluster.object(kind: kind, name: name)?[path: "metadata", "resourceVersion"]
        return object
    }
}

@Suite("Rollout canary routing edge cases")
struct RolloutCanaryRoutingEdgeTests {
    @Test("an abort after someone deleted the canary Ingress finishes: without it NGINX sends nothing to the canary")
    func canaryIngressDeleted() async throws {
        let world = CanaryWorld(router: .nginx, steps: [.setWeight(30), .pause(), .setWeight(100)])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        try await world.cluster.deleteRoutingObject(.ingresses, namespace: "shop", name: "web-canary")
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "ingress gone")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.cluster.deploymentImage("web-canary") == RolloutCanaryTests.live)
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
    }

    @Test("a leftover canary Ingress at weight 0 from an earlier release is taken over, not duplicated")
    func leftoverCanaryIngressAdopted() async throws {
        let world = CanaryWorld(router: .nginx, steps: [.setWeight(100)])
        world.cluster.addObject([
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": ["name": "web-canary", "annotations": ["nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "0"],
                         "ownerReferences": [["apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest", "name": "old", "uid": "uid-old"]]],
            "spec": ["rules": [["host": "web.example.com", "http": ["paths": [["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web-canary", "port": ["number": 80]]]]]]]]],
        ])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(!world.workloadChanges.contains { $0.hasPrefix("create Ingress") })
        #expect(world.weightHistory == [0, 100, 0, nil])
    }
}

@Suite("Rollout Prometheus gate counting")
struct RolloutPrometheusCountingTests {
    /// A world whose analysis gate takes 4 measurements, tolerating 1 failure and 1 inconclusive
    /// one, and whose Prometheus answers `answers` in turn (nil: no data).
    static func world(_ answers: [Double?]) -> CanaryWorld {
        let gate = Gate(name: "latency", intervalSeconds: 10, failureLimit: 1,
                        prometheus: PrometheusGate(address: "http://prometheus.monitoring.svc:9090",
                                                   query: #"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{deployment="{{canary}}"}[1m])))"#,
                                                   condition: MetricCondition(lessThan: 0.3), count: 4, inconclusiveLimit: 1, noDataPolicy: .inconclusive))
        let world = CanaryWorld(router: .gatewayAPI, steps: [.setWeight(20), .analysis(["latency"]), .setWeight(100)], extraGates: [gate])
        let sent = Counter()
        world.prometheus.setAnswer { query in
            guard query.hasPrefix("histogram_quantile") else { return .success(.vector([])) }
            let index = sent.next()
            guard index < answers.count, let value = answers[index] else { return .success(.vector([])) }
            return .success(.vector([PrometheusSample(value: value)]))
        }
        return world
    }

    @Test("count measurements within the failure and inconclusive limits pass the gate")
    func withinLimits() async throws {
        let world = Self.world([nil, 0.12, 0.45, 0.11])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "step1/latency" }
        #expect(gate?.measurements?.map(\.outcome) == [.inconclusive, .success, .failure, .success])
        #expect(gate?.measurements?.map(\.value) == ["no data", "0.12", "0.45", "0.11"])
        #expect(gate?.failures == 1)
        #expect(gate?.inconclusive == 1)
    }

    @Test("one failure more than the limit rolls back at once, without waiting for the count")
    func beyondFailureLimit() async throws {
        let world = Self.world([0.45, 0.51, 0.1, 0.1])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rolledBack)
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "step1/latency" }
        #expect(gate?.measurements?.count == 2)
        #expect(world.message("r1").contains("0.51 does not satisfy < 0.3"))
    }

    @Test("one inconclusive measurement more than the limit pauses for a human")
    func beyondInconclusiveLimit() async throws {
        let world = Self.world([nil, 0.1, nil, 0.1])
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("2 inconclusive measurements"))
    }
}

/// Hands out 0, 1, 2, … across threads.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { value in defer { value += 1 }; return value } }
}

@Suite("Rollout canary replica ratio edits")
struct RolloutReplicaRatioEditTests {
    @Test("a Deployment scaled by someone else during a replica-ratio canary stops the release instead of being rescaled")
    func scaledBySomeoneElse() async throws {
        let world = CanaryWorld(router: .replicaRatio)
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.canaryWeight == 20 }
        try await world.cluster.scale(namespace: "shop", deployment: "web-canary", replicas: 3)
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("3 stable / 3 canary replicas"))
        #expect(world.cluster.deploymentReplicas("web-canary") == 3, "not rescaled over the edit")
        #expect(world.cluster.events.contains { $0.reason == "ExternalEdit" })

        try await world.cluster.scale(namespace: "shop", deployment: "web-canary", replicas: 1)
        try await world.settle()
        #expect(world.phase("r1") == .succeeded, "\(world.message("r1")) \(world.timeline("r1"))")
        #expect(world.cluster.deploymentReplicas("web-stable") == 4)
        #expect(world.cluster.deploymentReplicas("web-canary") == 0)
    }
}
