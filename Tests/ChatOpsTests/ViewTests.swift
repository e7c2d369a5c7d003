import ChatOps
import Foundation
import Kube
import SlipwayAPI
import Testing

@Suite struct ViewTests {
    func target(steps: [CanaryStep]? = nil, approval: ApprovalPolicy? = nil) -> DeploymentTarget {
        let strategy = steps.map { ReleaseStrategy(canary: CanaryStrategy(stableDeployment: "s", canaryDeployment: "c", service: "web",
                                                                          trafficRouting: TrafficRouting(replicaRatio: ReplicaRatioRouting()), steps: $0)) }
            ?? ReleaseStrategy(blueGreen: BlueGreenStrategy(activeService: "a", previewService: "p", blueDeployment: "b", greenDeployment: "g"))
        return DeploymentTarget(metadata: ObjectMeta(name: "web-production"), spec: DeploymentTargetSpec(
            environment: "production", source: ReleaseSource(imageRepository: "registry.example.com/web"), container: "web",
            strategy: strategy, approval: approval))
    }

    func request(_ status: DeploymentRequestStatus?, annotations: [String: String] = ["slipway.dev/requested-by": "telegram:7"]) -> DeploymentRequest {
        DeploymentRequest(metadata: ObjectMeta(name: "web-production-d1", annotations: annotations),
                          spec: DeploymentRequestSpec(target: "web-production", action: .deploy, image: "registry.example.com/web:abc1234def",
                                                      commit: "abc1234def"), status: status)
    }

    @Test func progressShowsPhaseStepWeightGatesAndBar() {
        let steps: [CanaryStep] = [.setWeight(20), .pause(seconds: 60), .setWeight(50), .analysis(["errors"])]
        let status = DeploymentRequestStatus(phase: .progressing, currentStep: 2, canaryWeight: 50, gates: [
            GateStatus(name: "errors", phase: .running, successes: 3, failures: 1, lastValue: "0.2"),
            GateStatus(name: "health", phase: .passed, successes: 5),
        ], message: "setting weight 50")
        let text = ProgressView.render(request(status), target: target(steps: steps))
        #expect(text.contains("Deploy <code>abc1234</code> to <b>production</b>"))
        #expect(text.contains("Progressing</b> · step 3/4 · weight 50%"))
        #expect(text.contains("█████░░░░░ 50%"))
        #expect(text.contains("⏳ gate <code>errors</code> 3 ok, 1 failed · last 0.2"))
        #expect(text.contains("✅ gate <code>health</code> 5 ok"))
        #expect(text.contains("<i>setting weight 50</i>"))
        #expect(text.contains("Requested by telegram:7"))
    }

    @Test("with an image policy the progress shows the tag as asked for and the short digest it runs as; without, no image line")
    func progressShowsDigest() {
        let digest = "sha256:" + String(repeating: "0123456789abcdef", count: 4)
        var status = DeploymentRequestStatus(phase: .progressing, releaseImage: "registry.example.com/web@\(digest)")
        status.releaseDigest = digest
        status.requestedImage = "registry.example.com/web:abc1234def"
        let text = ProgressView.render(request(status), target: target())
        #expect(text.contains("Image <code>registry.example.com/web:abc1234def</code> · <code>sha256:0123456789ab</code>"), "\(text)")
        let plain = ProgressView.render(request(DeploymentRequestStatus(phase: .progressing)), target: target())
        #expect(!plain.contains("Image "))
    }

    @Test func theEndIsSaidInWords() {
        let done = ProgressView.render(request(DeploymentRequestStatus(phase: .succeeded)), target: target())
        #expect(done.contains("✅ <code>abc1234</code> is live on <b>production</b>."))
        #expect(done.contains("██████████ 100%"))
        let back = ProgressView.render(request(DeploymentRequestStatus(phase: .rolledBack, message: "gate errors failed")), target: target())
        #expect(back.contains("rolled back"))
        #expect(back.contains("gate errors failed"))
    }

    @Test func buttonsFollowThePhase() {
        #expect(ProgressView.actions(for: request(DeploymentRequestStatus(phase: .awaitingApproval))) == [.approve, .abort])
        #expect(ProgressView.actions(for: request(DeploymentRequestStatus(phase: .paused))) == [.promote, .abort])
        #expect(ProgressView.actions(for: request(DeploymentRequestStatus(phase: .progressing))) == [.abort])
        #expect(ProgressView.actions(for: request(DeploymentRequestStatus(phase: .succeeded))).isEmpty)
    }

    @Test func clusterTextIsEscaped() {
        let status = DeploymentRequestStatus(phase: .failed, gates: [GateStatus(name: "g", phase: .failed, lastError: "<script>&")],
                                             message: "body <b>bold</b> & more")
        let text = ProgressView.render(request(status, annotations: ["slipway.dev/requested-by": "<evil>"]), target: target())
        #expect(!text.contains("<script>"))
        #expect(!text.contains("<evil>"))
        #expect(text.contains("&lt;script&gt;&amp;"))
        #expect(text.contains("body &lt;b&gt;bold&lt;/b&gt; &amp; more"))
    }

    @Test func approvalsAreCountedWithoutTheRequester() {
        let annotated = request(DeploymentRequestStatus(phase: .awaitingApproval),
                                annotations: ["slipway.dev/requested-by": "telegram:7", "slipway.dev/approved-by": "telegram:7,telegram:8"])
        let text = ProgressView.render(annotated, target: target(approval: ApprovalPolicy(required: true, minApprovers: 2)))
        #expect(text.contains("approvals 1/2: telegram:8"))
    }

    @Test func barsAreBounded() {
        #expect(ProgressView.bar(0) == "░░░░░░░░░░ 0%")
        #expect(ProgressView.bar(2) == "██████████ 100%")
        #expect(ProgressView.bar(0.25) == "███░░░░░░░ 25%")
    }

    @Test func statusListsEveryEnvironment() {
        var production = target()
        production.status = DeploymentTargetStatus(currentImage: "registry.example.com/web:abc", currentCommit: "abc1234ffff", health: .healthy,
                                                    activeRequest: "web-production-d1")
        let text = StatusView.status(targets: [production], requests: [request(DeploymentRequestStatus(phase: .paused))])
        #expect(text.contains("<b>production</b> (web-production)"))
        #expect(text.contains("live: <code>abc1234</code> · <code>registry.example.com/web:abc</code>"))
        #expect(text.contains("health: 🟢 Healthy"))
        #expect(text.contains("active: <code>web-production-d1</code> · Paused"))
    }

    @Test func windowsAreExplainedInTheTargetsTimeZone() throws {
        let windows = DeploymentWindows(timezone: "Europe/Berlin", allowed: [AllowedWindow(days: [.monday], start: "09:00", end: "17:00")])
        // Saturday 2026-11-28 12:00 UTC.
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-28T12:00:00Z"))
        let decision = windows.decision(at: now)
        let sentence = WindowWording.sentence(environment: "production", decision: decision, timezone: "Europe/Berlin", now: now)
        #expect(sentence == "production is outside its deployment windows; production opens Monday 09:00 Europe/Berlin.")
        let frozen = DeploymentWindows(timezone: "UTC", freezes: [Freeze(start: "2026-11-28T00:00:00Z", end: "2026-12-20T00:00:00Z", reason: "year end")])
        let frozenSentence = WindowWording.sentence(environment: "production", decision: frozen.decision(at: now), timezone: "UTC", now: now)
        #expect(frozenSentence == "Deployments to production are frozen (year end); production opens Sunday 20 December 00:00 UTC.")
    }
}
