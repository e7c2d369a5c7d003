import Foundation
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing

@Suite("Rollout admission: validation, queue, approval, windows, history")
struct RolloutAdmissionTests {
    @Test("an image without a tag is Rejected with the field named, and nothing is touched")
    func invalidImage() async throws {
        let world = RolloutWorld()
        world.cluster.create(DeploymentRequest(metadata: ObjectMeta(name: "bad", namespace: "shop"),
                                               spec: DeploymentRequestSpec(target: RolloutWorld.targetName, image: RolloutWorld.repository)))
        try await world.settle()
        #expect(world.phase("bad") == .rejected)
        #expect(world.message("bad").hasPrefix("spec.image:"))
        #expect(world.message("bad").contains("no tag or digest"))
        let request = try #require(world.cluster.storedRequest("bad"))
        #expect(request.status?.condition(RequestCondition.accepted)?.status == "False")
        #expect(world.workloadChanges.isEmpty)
        #expect(world.cluster.events.contains { $0.request == "bad" && $0.reason == "Rejected" && $0.type == .warning })
    }

    @Test("a request for a missing target, or from another repository, is Rejected naming the field")
    func invalidAgainstTarget() async throws {
        let world = RolloutWorld()
        world.cluster.create(DeploymentRequest(metadata: ObjectMeta(name: "nowhere", namespace: "shop"),
                                               spec: DeploymentRequestSpec(target: "web-staging", image: "\(RolloutWorld.repository):1.4.2")))
        world.cluster.create(DeploymentRequest(metadata: ObjectMeta(name: "foreign", namespace: "shop"),
                                               spec: DeploymentRequestSpec(target: RolloutWorld.targetName, image: "registry.example.com/other/app:1.0.0")))
        try await world.settle()
        #expect(world.phase("nowhere") == .rejected)
        #expect(world.message("nowhere").hasPrefix("spec.target:"))
        #expect(world.message("nowhere").contains("does not exist"))
        #expect(world.phase("foreign") == .rejected)
        #expect(world.message("foreign").hasPrefix("spec.image:"))
        #expect(world.workloadChanges.isEmpty)
    }

    @Test("a target whose Deployment is missing rejects the request naming the target's field")
    func missingDeployment() async throws {
        var target = RolloutWorld.target()
        target.spec.strategy.blueGreen?.greenDeployment = "web-teal"
        let world = RolloutWorld(target: target)
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("spec.strategy.blueGreen.greenDeployment"))
        #expect(world.message("r1").contains("web-teal"))
    }

    @Test("two requests for one target run one after the other, in creation order")
    func queue() async throws {
        let world = RolloutWorld()
        world.request("first", tag: "1.4.2")
        world.clock.advance(by: .seconds(1))
        world.request("second", tag: "1.4.3")

        try await world.step("second")
        try await world.step("first")
        try await world.step("second")
        #expect(world.phase("first") == .progressing)
        #expect(world.phase("second") == .queued)
        #expect(world.message("second").contains("first"))
        #expect(world.target?.activeRequest == "first")
        #expect(world.target?.queue == ["second"])

        try await world.settle()
        #expect(world.phase("first") == .succeeded)
        #expect(world.phase("second") == .succeeded)
        let first = try #require(world.cluster.storedRequest("first")?.status)
        let second = try #require(world.cluster.storedRequest("second")?.status)
        let firstFinished = try #require(first.finishedAt.flatMap(RFC3339.date(from:)))
        let secondStarted = try #require(second.startedAt.flatMap(RFC3339.date(from:)))
        #expect(firstFinished <= secondStarted)
        #expect(world.trafficSwitches == ["green", "blue"])
        #expect(world.target?.currentImage == "\(RolloutWorld.repository):1.4.3")
        #expect(world.target?.previousImage == "\(RolloutWorld.repository):1.4.2")
        #expect(world.target?.queue == nil)
        #expect(world.target?.activeRequest == nil)
    }

    @Test("an approval-gated release waits until enough distinct approvers other than the requester approve")
    func approval() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(approval: ApprovalPolicy(required: true, minApprovers: 2)))
        world.request("r1", tag: "1.4.2", requestedBy: "telegram:111")
        try await world.settle()
        #expect(world.phase("r1") == .awaitingApproval)
        #expect(world.message("r1").contains("0 of 2"))
        #expect(world.workloadChanges.isEmpty)

        world.cluster.annotate("r1", SlipwayAnnotation.approvedBy, "telegram:111, telegram:222, telegram:222")
        try await world.settle()
        #expect(world.phase("r1") == .awaitingApproval, "the requester and a repeated approver do not count twice")
        #expect(world.message("r1").contains("1 of 2"))
        #expect(world.message("r1").contains("requester"))

        world.cluster.annotate("r1", SlipwayAnnotation.approvedBy, "telegram:111,telegram:222,telegram:333")
        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        let status = try #require(world.cluster.storedRequest("r1")?.status)
        #expect(status.approvals?.map(\.by) == ["telegram:222", "telegram:333"])
        #expect(status.condition(RequestCondition.approved)?.status == "True")
    }

    @Test("outside the deployment windows the request waits, saying when the window opens, then proceeds")
    func outsideWindow() async throws {
        let windows = DeploymentWindows(timezone: "UTC", allowed: [AllowedWindow(days: [.monday, .tuesday, .wednesday, .thursday, .friday], start: "09:00", end: "17:00")])
        // Saturday 2026-11-28 10:00 UTC.
        let world = RolloutWorld(start: Date(timeIntervalSince1970: 1_795_860_000), target: RolloutWorld.target(windows: windows))
        world.request("r1", tag: "1.4.2")
        try await world.step("r1")
        #expect(world.phase("r1") == .queued)
        #expect(world.message("r1").contains("outside the deployment windows"))
        #expect(world.message("r1").contains("2026-11-30T09:00:00Z"))
        #expect(world.workloadChanges.isEmpty)

        try await world.settle()
        #expect(world.phase("r1") == .succeeded)
        let started = try #require(world.cluster.storedRequest("r1")?.status?.startedAt)
        #expect(started >= "2026-11-30T09:00:00Z")
    }

    @Test("with outsideWindow: reject, a request outside the windows is Rejected with the reason")
    func outsideWindowRejected() async throws {
        let windows = DeploymentWindows(timezone: "UTC", freezes: [Freeze(start: "2026-11-20T00:00:00Z", end: "2026-12-01T00:00:00Z", reason: "Black Friday")],
                                        outsideWindow: .reject)
        let world = RolloutWorld(target: RolloutWorld.target(windows: windows))
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .rejected)
        #expect(world.message("r1").contains("Black Friday"))
        #expect(world.workloadChanges.isEmpty)
    }

    @Test("a waiting request can be aborted before it starts")
    func abortWhileWaiting() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(approval: ApprovalPolicy(required: true)))
        world.request("r1", tag: "1.4.2")
        try await world.settle()
        #expect(world.phase("r1") == .awaitingApproval)
        world.cluster.annotate("r1", SlipwayAnnotation.abort, "not today")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.message("r1").contains("not today"))
        #expect(world.workloadChanges.isEmpty)
    }

    @Test("finished requests beyond historyLimit are deleted, oldest first")
    func historyLimit() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(historyLimit: 2))
        for (index, tag) in ["1.5.1", "1.5.2", "1.5.3", "1.5.4"].enumerated() {
            world.request("r\(index + 1)", tag: tag)
            world.clock.advance(by: .seconds(1))
        }
        try await world.settle()
        #expect(world.cluster.requestNames == ["r3", "r4"])
        #expect(world.target?.currentImage == "\(RolloutWorld.repository):1.5.4")
        let deletions = world.cluster.history.compactMap { mutation -> String? in
            if case .deleteRequest(let name) = mutation { return name }
            return nil
        }
        #expect(deletions == ["r1", "r2"])
    }
}
