import Foundation
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing

@Suite("Rollout blue/green releases")
struct RolloutBlueGreenTests {
    let new = "\(RolloutWorld.repository):1.4.2"
    let old = "\(RolloutWorld.repository):1.4.1"

    @Test("a good release goes live on the idle slot and the old slot is scaled down after the delay")
    func goodRelease() async throws {
        let world = RolloutWorld()
        world.request("r1", tag: "1.4.2", commit: "abcdef1")
        try await world.settle()

        #expect(world.phase("r1") == .succeeded)
        #expect(world.liveSlot == "green")
        #expect(world.trafficSwitches == ["green"])
        #expect(world.cluster.deploymentImage("web-green") == new)
        #expect(world.cluster.deploymentReplicas("web-green") == 3)
        #expect(world.cluster.deploymentReplicas("web-blue") == 0)
        #expect(world.cluster.selector(of: "web-preview")?["slot"] == "green")
        let target = try #require(world.target)
        #expect(target.currentImage == new)
        #expect(target.currentCommit == "abcdef1")
        #expect(target.previousImage == old)
        #expect(target.previousCommit == "1a2b3c4")
        #expect(target.activeSlot == .green)
        #expect(target.health == .healthy)
        #expect(target.activeRequest == nil)
        #expect(target.lastDeployedAt != nil)

        let request = try #require(world.cluster.storedRequest("r1"))
        #expect(request.status?.condition(RequestCondition.complete)?.status == "True")
        #expect(request.status?.condition(RequestCondition.trafficSwitched)?.status == "True")
        #expect(request.status?.previousImage == old)
        #expect(request.status?.startedAt != nil && request.status?.finishedAt != nil)
        let gates = request.status?.gates ?? []
        #expect(gates.map(\.name).sorted() == ["post/live-healthy", "pre/pods-ready", "pre/preview-healthy"])
        #expect(gates.allSatisfy { $0.phase == .passed })
        #expect(gates.first { $0.name == "pre/preview-healthy" }?.successes == 3)
        #expect(world.timeline("r1") == ["Started", "ImageSet", "ScaledUp", "PreviewPointed", "Available", "PrePromotionGatesPassed",
                                         "SwitchingTraffic", "SwitchedTraffic", "PostPromotionGatesPassed", "ScaledDownPrevious", "Completed"])
        // The old slot stayed warm for scaleDownDelaySeconds after the switch.
        let timeline = request.status?.timeline ?? []
        let switched = try #require(timeline.first { $0.action == "SwitchedTraffic" }.flatMap { RFC3339.date(from: $0.time) })
        let scaledDown = try #require(timeline.first { $0.action == "ScaledDownPrevious" }.flatMap { RFC3339.date(from: $0.time) })
        #expect(scaledDown.timeIntervalSince(switched) >= 30)
        let reasons = world.cluster.events.filter { $0.request == "r1" }.map(\.reason)
        #expect(reasons == ["Started", "Succeeded"])
    }

    @Test("an unhealthy preview never gets traffic: idle slot scaled down and restored, target unchanged, Failed")
    func unhealthyPreview() async throws {
        let world = RolloutWorld()
        world.request("r1", tag: "1.4.2-unhealthy")
        try await world.settle()

        #expect(world.phase("r1") == .failed)
        #expect(world.trafficSwitches.isEmpty)
        #expect(world.liveSlot == "blue")
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        #expect(world.cluster.deploymentReplicas("web-blue") == 3)
        #expect(world.cluster.deploymentImage("web-green") == old)
        let target = try #require(world.target)
        #expect(target.currentImage == old)
        #expect(target.previousImage == "\(RolloutWorld.repository):1.4.0")
        #expect(target.activeSlot == .blue)
        #expect(target.activeRequest == nil)
        #expect(world.message("r1").contains("preview-healthy"))
        #expect(world.message("r1").contains("503"))
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "pre/preview-healthy" }
        #expect(gate?.phase == .failed)
        #expect(gate?.failures == 3)
        #expect(gate?.lastValue == "503")
        #expect(world.cluster.events.contains { $0.reason == "Failed" && $0.type == .warning })
    }

    @Test("a post-promotion failure switches back at once and restores the old image on the new slot")
    func postPromotionFailure() async throws {
        let world = RolloutWorld()
        let bad = new
        world.prober.setOverride { url, image in
            url == RolloutWorld.liveURL && image == bad ? HTTPProbeResponse(status: 500, body: "boom") : nil
        }
        world.request("r1", tag: "1.4.2")
        try await world.settle()

        #expect(world.phase("r1") == .rolledBack)
        #expect(world.trafficSwitches == ["green", "blue"])
        #expect(world.liveSlot == "blue")
        #expect(world.cluster.deploymentReplicas("web-blue") == 3)
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        #expect(world.cluster.deploymentImage("web-green") == old, "nothing stays configured with the bad release")
        #expect(world.cluster.deploymentImage("web-blue") == old)
        let target = try #require(world.target)
        #expect(target.currentImage == old)
        #expect(target.activeSlot == .blue)
        #expect(world.message("r1").contains("live-healthy"))
        let request = try #require(world.cluster.storedRequest("r1"))
        #expect(request.status?.condition(RequestCondition.trafficSwitched)?.reason == "SwitchedBack")
        // The switch back came before the new slot was touched.
        let changes = world.workloadChanges
        let back = try #require(changes.firstIndex(of: "selector web={app: web, slot: blue}"))
        let scaledDown = try #require(changes.firstIndex(of: "scale web-green=0"))
        #expect(back < scaledDown)
    }

    @Test("a crash-looping image fails by the progress deadline without traffic")
    func crashLoop() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(progressDeadlineSeconds: 60))
        world.request("r1", tag: "1.4.2-crashloop")
        try await world.settle()

        #expect(world.phase("r1") == .failed)
        #expect(world.message("r1").contains("progressDeadlineSeconds"))
        #expect(world.trafficSwitches.isEmpty)
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        #expect(world.target?.currentImage == old)
        let request = try #require(world.cluster.storedRequest("r1"))
        #expect(request.status?.condition(RequestCondition.rollingBack)?.status == "False")
        #expect(world.cluster.events.contains { $0.reason == "ProgressDeadlineExceeded" })
    }

    @Test("a rollback request deploys the previous release through the same path and restores traffic")
    func rollbackRequest() async throws {
        let world = RolloutWorld()
        world.request("r1", tag: "1.4.2", commit: "abcdef1")
        try await world.settle()
        #expect(world.liveSlot == "green")

        world.request("undo", action: .rollback)
        try await world.settle()

        #expect(world.phase("undo") == .succeeded)
        #expect(world.liveSlot == "blue")
        #expect(world.cluster.deploymentImage("web-blue") == old)
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        let target = try #require(world.target)
        #expect(target.currentImage == old)
        #expect(target.currentCommit == "1a2b3c4")
        #expect(target.previousImage == new)
        #expect(target.previousCommit == "abcdef1")
        #expect(world.trafficSwitches == ["green", "blue"])
    }

    @Test("without autoPromote the release pauses before the switch until promoted")
    func manualPromotion() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(autoPromote: false))
        world.request("r1", tag: "1.4.2")
        try await world.settle()

        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains(SlipwayAnnotation.promote))
        #expect(world.liveSlot == "blue")
        #expect(world.cluster.deploymentReplicas("web-green") == 3)

        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.trafficSwitches == ["green"])
        #expect(world.cluster.storedRequest("r1")?.metadata.annotations?[SlipwayAnnotation.promote] == nil, "one promotion passes one pause")
    }

    @Test("the promotion that allowed the switch does not also pass a later failed gate")
    func promotionIsConsumed() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(autoPromote: false, onGateFailure: .pause))
        let release = "\(RolloutWorld.repository):1.4.2"
        world.prober.setOverride { url, image in url == RolloutWorld.liveURL && image == release ? HTTPProbeResponse(status: 500) : nil }
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()

        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("live-healthy"))
        #expect(world.liveSlot == "green")
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "bad live health")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.liveSlot == "blue")
        #expect(world.trafficSwitches == ["green", "blue"])
    }

    @Test("abort while paused before the switch: nothing moves, the idle slot is scaled down and restored")
    func abortBeforeSwitch() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(autoPromote: false))
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .paused)

        world.cluster.annotate("r1", SlipwayAnnotation.abort, "changed my mind")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.message("r1").contains("aborted"))
        #expect(world.trafficSwitches.isEmpty)
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        #expect(world.cluster.deploymentImage("web-green") == old)
        #expect(world.target?.currentImage == old)
        #expect(world.target?.activeRequest == nil)
    }

    @Test("abort after the switch: traffic goes back to the warm old slot and the new slot is restored")
    func abortAfterSwitch() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(scaleDownDelaySeconds: 600))
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.timeline?.contains { $0.action == "PostPromotionGatesPassed" } ?? false }
        #expect(world.liveSlot == "green")

        world.cluster.annotate("r1", SlipwayAnnotation.abort, "wrong build")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.trafficSwitches == ["green", "blue"])
        #expect(world.cluster.deploymentReplicas("web-blue") == 3)
        #expect(world.cluster.deploymentReplicas("web-green") == 0)
        #expect(world.cluster.deploymentImage("web-green") == old)
        #expect(world.target?.currentImage == old)
        #expect(world.target?.activeSlot == .blue)
    }

    @Test("a failed gate with onGateFailure pause waits for a human; promote continues past it")
    func pauseOnGateFailure() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(onGateFailure: .pause))
        world.request("r1", tag: "1.4.2-unhealthy")
        try await world.settle()
        #expect(world.phase("r1") == .paused)
        #expect(world.message("r1").contains("preview-healthy"))
        #expect(world.message("r1").contains(SlipwayAnnotation.abort))
        #expect(world.trafficSwitches.isEmpty)

        world.prober.setOverride { _, _ in HTTPProbeResponse(status: 200, body: "ok") }
        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.timeline("r1").contains("PrePromotionGatesOverridden"))
        #expect(world.trafficSwitches == ["green"])
    }

    @Test("a Prometheus gate whose query Prometheus rejects fails closed with Prometheus's words, without stopping the controller")
    func prometheusQueryRejected() async throws {
        let errorRate = Gate(name: "error-rate", intervalSeconds: 30, failureLimit: 0,
                             prometheus: PrometheusGate(address: "http://prometheus.monitoring.svc:9090", query: "sum(up{deployment=\"{{canary}}\"", condition: MetricCondition(lessThan: 0.01)))
        let world = RolloutWorld(target: RolloutWorld.target(pre: ["preview-healthy", "error-rate"], extraGates: [errorRate]))
        world.prometheus.setAnswer { _ in .failure(.query(errorType: "bad_data", message: "1:30: parse error: unclosed left parenthesis")) }
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .failed)
        #expect(world.message("r1").contains("unclosed left parenthesis"))
        #expect(world.prometheus.queries.first == "sum(up{deployment=\"web-green\"")
        #expect(world.trafficSwitches.isEmpty)
        let gate = world.cluster.storedRequest("r1")?.status?.gates?.first { $0.name == "pre/error-rate" }
        #expect(gate?.phase == .failed)
        #expect(gate?.failures == 1)
    }
}

@Suite("Rollout availability")
struct RolloutAvailabilityTests {
    @Test("the release waits for the idle slot to be fully available before any gate or traffic change")
    func waitsForAvailability() async throws {
        let world = RolloutWorld()
        world.cluster.setBehavior { image in image.hasSuffix(":1.4.2") ? .whenTold : .healthy(readyAfter: .zero) }
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.timeline?.last?.action == "PreviewPointed" }
        for _ in 0..<5 {
            try await world.step("r1")
            world.clock.advance(by: .seconds(5))
        }
        #expect(world.phase("r1") == .progressing)
        #expect(world.timeline("r1").last == "PreviewPointed")
        #expect(world.message("r1").contains("0/3 available"))
        #expect(world.prober.probedURLs.isEmpty)

        world.cluster.makeAvailable("web-green")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        #expect(world.liveSlot == "green")
    }

    @Test("pods becoming available one by one count as progress, even when the whole rollout outlasts the deadline")
    func slowButProgressing() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(progressDeadlineSeconds: 60))
        world.cluster.setBehavior { image in image.hasSuffix(":1.4.2-slow") ? .gradual(perPod: .seconds(40)) : .healthy(readyAfter: .zero) }
        world.request("r1", tag: "1.4.2-slow")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        let timeline = world.cluster.storedRequest("r1")?.status?.timeline ?? []
        let scaled = try #require(timeline.first { $0.action == "ScaledUp" }.flatMap { RFC3339.date(from: $0.time) })
        let available = try #require(timeline.first { $0.action == "Available" }.flatMap { RFC3339.date(from: $0.time) })
        #expect(available.timeIntervalSince(scaled) > 60)
    }
}
