import Foundation
import Kube
import PrometheusProcess
import SlipwayAPI
import Testing

/// Canary releases driven by a `slipway controller` process against a `slipway cluster`
/// process whose simulated traffic a real Prometheus scrapes; every analysis is real PromQL.
/// One environment (three processes) at a time, so that the rest of the suite keeps its share
/// of a small machine.
@Suite("EndToEnd canary releases", .enabled(if: CanaryEnvironment.isAvailable), .serialized)
struct EndToEndCanaryTests {
    /// The canary weight the routing objects of `router` hold now, read as a user would.
    private func routedWeight(_ environment: CanaryEnvironment, _ router: CanaryFixture.Router) async throws -> Int? {
        let namespace = router.namespace
        switch router {
        case .replicaRatio:
            let canary = try await environment.deployment("app-canary", namespace: namespace).spec?.replicas ?? 0
            return canary == 0 ? 0 : nil
        case .nginx:
            guard let ingress = try? await environment.object("ingress", "app-canary", namespace: namespace) else { return 0 }
            let annotations = (ingress["metadata"] as? [String: Any])?["annotations"] as? [String: Any]
            return (annotations?["nginx.ingress.kubernetes.io/canary-weight"] as? String).flatMap { Int($0) }
        case .istio:
            let service = try await environment.object("virtualservices.networking.istio.io", "app", namespace: namespace)
            let routes = ((service["spec"] as? [String: Any])?["http"] as? [[String: Any]])?.first?["route"] as? [[String: Any]]
            return routes?.first { (($0["destination"] as? [String: Any])?["host"] as? String) == "app-canary" }?["weight"] as? Int
        case .gatewayAPI:
            let route = try await environment.object("httproutes.gateway.networking.k8s.io", "app", namespace: namespace)
            let backends = ((route["spec"] as? [String: Any])?["rules"] as? [[String: Any]])?.first?["backendRefs"] as? [[String: Any]]
            return backends?.first { ($0["name"] as? String) == "app-canary" }?["weight"] as? Int
        }
    }

    @Test("a good image walks every weight step to 100 % and is promoted, through each of the four routers")
    func goodImageEveryRouter() async throws {
        try await CanaryEnvironment.with { environment in
            let address = environment.prometheus.address
            let steps = CanaryFixture.steps(["25", "analysis:error-rate,p99-latency", "50", "analysis:error-rate", "100"])
            for router in CanaryFixture.Router.allCases {
                try await environment.apply(CanaryFixture.application(
                    router, steps: steps, gates: [CanaryFixture.errorRateGate(address), CanaryFixture.latencyGate(address)]))
            }
            for router in CanaryFixture.Router.allCases {
                try await environment.apply(CanaryFixture.request("release-2", namespace: router.namespace, image: "shop/app:2.0.0"))
            }
            for router in CanaryFixture.Router.allCases {
                let namespace = router.namespace
                let request = try await environment.waitForRequest("release-2", namespace: namespace, in: .finished, timeout: .seconds(180))
                #expect(request.phase == .succeeded, "\(router): \(request.status?.message ?? "")")
                let weights = request.status?.timeline?.filter { $0.action == "WeightSet" }.map(\.detail) ?? []
                #expect(weights.count == 3, "\(router): weight steps \(weights)")
                #expect(request.timelineActions.filter { $0 == "AnalysisPassed" }.count == 2, "\(router): \(request.timelineActions)")
                #expect(request.timelineActions.contains("Completed"), "\(router): \(request.timelineActions)")
                #expect(try await environment.deployment("app-stable", namespace: namespace).spec?.template.spec?.containers.first?.image == "shop/app:2.0.0")
                #expect(try await environment.target(namespace: namespace).status?.currentImage == "shop/app:2.0.0")
                let canaryDown = try await waitUntil(timeout: .seconds(30)) {
                    (try await environment.deployment("app-canary", namespace: namespace).spec?.replicas) == 0
                }
                #expect(canaryDown, "\(router): the canary kept its replicas after promotion")
                #expect(try await routedWeight(environment, router) == 0, "\(router): traffic did not return to stable")
                // The canary really served traffic while it held a weight.
                #expect(try await environment.canaryRequests(namespace: namespace) > 0, "\(router): Prometheus saw no canary traffic")
            }
            // The stable Deployment gets its replicas back after the replica ratio moved them.
            #expect(try await environment.deployment("app-stable", namespace: CanaryFixture.Router.replicaRatio.namespace).spec?.replicas == 4)
        }
    }

    @Test("an errors20 image fails its error-rate analysis at the first weight step and is rolled back with the canary at 0")
    func errorRateRollsBack() async throws {
        try await CanaryEnvironment.with { environment in
            let router = CanaryFixture.Router.istio
            let namespace = router.namespace
            try await environment.apply(CanaryFixture.application(
                router, steps: CanaryFixture.steps(["20", "analysis:error-rate", "50", "100"]),
                gates: [CanaryFixture.errorRateGate(environment.prometheus.address)]))
            try await environment.apply(CanaryFixture.request("release-bad", namespace: namespace, image: "shop/app:2.0.0-errors20"))

            let request = try await environment.waitForRequest("release-bad", namespace: namespace, in: .finished)
            #expect(request.phase == .rolledBack, "\(request.status?.message ?? "")")
            #expect(request.status?.message?.contains("error-rate") == true, "\(request.status?.message ?? "")")
            // Failed at the first weight: 20 % was set, 50 % never.
            let weights = request.status?.timeline?.filter { $0.action == "WeightSet" } ?? []
            #expect(weights.count == 1, "\(weights.map(\.detail))")
            let gate = request.status?.gates?.first { $0.name.hasSuffix("error-rate") }
            #expect(gate?.phase == .failed)
            let rate = try #require(gate?.lastValue.flatMap { Double($0) }, "the measured value is recorded: \(gate?.lastValue ?? "none")")
            // About a fifth; the first seconds of a series make PromQL's extrapolation coarse.
            #expect(rate > 0.05 && rate < 0.5, "measured error rate \(rate)")
            #expect(request.status?.canaryWeight == 0)
            #expect(try await routedWeight(environment, router) == 0)
            let canary = try await environment.deployment("app-canary", namespace: namespace)
            #expect(canary.spec?.replicas == 0)
            #expect(canary.spec?.template.spec?.containers.first?.image == CanaryFixture.firstImage, "the failed image stayed configured")
            #expect(try await environment.deployment("app-stable", namespace: namespace).spec?.template.spec?.containers.first?.image == CanaryFixture.firstImage)
            #expect(try await environment.target(namespace: namespace).status?.currentImage != "shop/app:2.0.0-errors20")
        }
    }

    @Test("a latency400 image fails a p99 latency gate and is rolled back")
    func latencyRollsBack() async throws {
        try await CanaryEnvironment.with { environment in
            let router = CanaryFixture.Router.gatewayAPI
            let namespace = router.namespace
            try await environment.apply(CanaryFixture.application(
                router, steps: CanaryFixture.steps(["20", "analysis:p99-latency", "100"]),
                gates: [CanaryFixture.latencyGate(environment.prometheus.address)]))
            try await environment.apply(CanaryFixture.request("release-slow", namespace: namespace, image: "shop/app:2.0.0-latency400"))

            let request = try await environment.waitForRequest("release-slow", namespace: namespace, in: .finished)
            #expect(request.phase == .rolledBack, "\(request.status?.message ?? "")")
            let gate = request.status?.gates?.first { $0.name.hasSuffix("p99-latency") }
            #expect(gate?.phase == .failed)
            let p99 = try #require(gate?.lastValue.flatMap { Double($0) }, "the measured value is recorded: \(gate?.lastValue ?? "none")")
            #expect(p99 > 0.3 && p99 <= 0.5, "measured p99 \(p99) s")
            #expect(try await routedWeight(environment, router) == 0)
            #expect(try await environment.deployment("app-canary", namespace: namespace).spec?.replicas == 0)
        }
    }

    @Test("a query without data follows the gate's policy: fail rolls back, pass continues, inconclusive pauses for a human")
    func noDataPolicies() async throws {
        try await CanaryEnvironment.with { environment in
            let address = environment.prometheus.address
            let policies = ["fail": CanaryFixture.Router.replicaRatio, "pass": .nginx, "inconclusive": .gatewayAPI]
            for (policy, router) in policies {
                try await environment.apply(CanaryFixture.application(
                    router, steps: CanaryFixture.steps(["50", "analysis:teapots", "100"]),
                    gates: [CanaryFixture.noDataGate(address, policy: policy)]))
                try await environment.apply(CanaryFixture.request("release-2", namespace: router.namespace, image: "shop/app:2.0.0"))
            }

            let failed = try await environment.waitForRequest("release-2", namespace: CanaryFixture.Router.replicaRatio.namespace, in: .finished)
            #expect(failed.phase == .rolledBack, "\(failed.status?.message ?? "")")
            #expect(failed.status?.gates?.first?.phase == .failed)

            let passed = try await environment.waitForRequest("release-2", namespace: CanaryFixture.Router.nginx.namespace, in: .finished)
            #expect(passed.phase == .succeeded, "\(passed.status?.message ?? "")")

            let inconclusiveNamespace = CanaryFixture.Router.gatewayAPI.namespace
            let paused = try await environment.waitForRequest("release-2", namespace: inconclusiveNamespace, in: .finished.union([.paused]))
            #expect(paused.phase == .paused, "\(paused.status?.message ?? "")")
            #expect(paused.status?.message?.contains("inconclusive") == true, "\(paused.status?.message ?? "")")
            #expect(paused.status?.canaryWeight == 50, "the weight stays while a human decides")
            #expect(try await routedWeight(environment, .gatewayAPI) == 50)
            // A human looks and lets it continue.
            try await environment.kubectl(["annotate", "deploymentrequest", "release-2", "-n", inconclusiveNamespace, "slipway.dev/promote=true"])
            let continued = try await environment.waitForRequest("release-2", namespace: inconclusiveNamespace, in: .finished)
            #expect(continued.phase == .succeeded, "\(continued.status?.message ?? "")")
            #expect(continued.timelineActions.contains("AnalysisOverridden"), "\(continued.timelineActions)")
        }
    }

    @Test("a pause step holds the weight, with the canary serving its share, until slipway.dev/promote")
    func pauseUntilPromoted() async throws {
        try await CanaryEnvironment.with { environment in
            let router = CanaryFixture.Router.nginx
            let namespace = router.namespace
            try await environment.apply(CanaryFixture.application(router, steps: CanaryFixture.steps(["30", "pause", "100"]), gates: []))
            try await environment.apply(CanaryFixture.request("release-2", namespace: namespace, image: "shop/app:2.0.0"))

            let paused = try await environment.waitForRequest("release-2", namespace: namespace, in: .finished.union([.paused]))
            #expect(paused.phase == .paused, "\(paused.status?.message ?? "")")
            #expect(paused.status?.canaryWeight == 30)
            #expect(try await routedWeight(environment, router) == 30)
            // While it waits, about 30 % of the traffic reaches the canary, as Prometheus measures it.
            var share = Double.nan
            let measured = try await waitUntil(timeout: .seconds(30)) {
                share = try await environment.prometheus.query("""
                    sum(rate(http_requests_total{namespace="\(namespace)",deployment="app-canary"}[5s]))
                      / sum(rate(http_requests_total{namespace="\(namespace)"}[5s]))
                    """).first?.value ?? .nan
                return abs(share - 0.3) <= 0.05
            }
            #expect(measured, "canary share while paused: \(share)")
            let stillPaused = try await environment.request("release-2", namespace: namespace)
            #expect(stillPaused.phase == .paused && stillPaused.status?.currentStep == 1)

            try await environment.kubectl(["annotate", "deploymentrequest", "release-2", "-n", namespace, "slipway.dev/promote=true"])
            let done = try await environment.waitForRequest("release-2", namespace: namespace, in: .finished)
            #expect(done.phase == .succeeded, "\(done.status?.message ?? "")")
            #expect(done.timelineActions.contains("PauseEnded"))
        }
    }

    @Test("an external edit of the VirtualService during a release is detected, not overwritten, and reported")
    func externalEdit() async throws {
        try await CanaryEnvironment.with { environment in
            let router = CanaryFixture.Router.istio
            let namespace = router.namespace
            try await environment.apply(CanaryFixture.application(router, steps: CanaryFixture.steps(["20", "pause", "60", "100"]), gates: []))
            try await environment.apply(CanaryFixture.request("release-2", namespace: namespace, image: "shop/app:2.0.0"))
            let paused = try await environment.waitForRequest("release-2", namespace: namespace, in: .finished.union([.paused]))
            #expect(paused.phase == .paused && paused.status?.canaryWeight == 20, "\(paused.status?.message ?? "")")

            // Someone sends half the traffic to the canary by hand.
            try await environment.kubectl(["patch", "virtualservices.networking.istio.io", "app", "-n", namespace, "--type", "json", "-p",
                                           #"[{"op":"replace","path":"/spec/http/0/route/0/weight","value":50},{"op":"replace","path":"/spec/http/0/route/1/weight","value":50}]"#])
            try await environment.kubectl(["annotate", "deploymentrequest", "release-2", "-n", namespace, "slipway.dev/promote=true"])

            var request = paused
            let stopped = try await waitUntil(timeout: .seconds(60)) {
                request = try await environment.request("release-2", namespace: namespace)
                return request.phase == .paused && request.status?.message?.contains("edited by someone else") == true
            }
            #expect(stopped, "the release did not stop on the edit: \(request.phase.rawValue): \(request.status?.message ?? "")")
            #expect(request.status?.message?.contains("stable 50 / canary 50") == true, "\(request.status?.message ?? "")")
            #expect(request.status?.canaryWeight == 20, "the recorded weight is the one the controller wrote")
            #expect(try await routedWeight(environment, router) == 50, "the edit was overwritten")
            let events = try await environment.kubectl(["get", "events", "-n", namespace, "--field-selector", "involvedObject.name=release-2",
                                                        "-o", "jsonpath={range .items[*]}{.type} {.reason}{\"\\n\"}{end}"])
            #expect(events.contains("Warning ExternalEdit"), "events: \(events)")
        }
    }
}
