import ChatOps
import Foundation
import Kube
import SlipwayAPI
import Testing

@Suite struct EngineProgressTests {
    typealias F = EngineFixture

    /// Deploys staging as bob and returns the request name and its progress message.
    func deployStaging(_ f: EngineFixture) async throws -> (name: String, ref: ChatMessageRef) {
        await f.say("/deploy staging abc1234", as: F.bob)
        try await eventually("the request") { try await f.cluster.requests().count == 1 }
        let name = try #require(try await f.cluster.requests().first?.metadata.name)
        return (name, try f.lastMessage().ref)
    }

    @Test func theProgressMessageFollowsTheReleaseToTheEnd() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging",
                                             canarySteps: [.setWeight(20), .pause(seconds: 30), .setWeight(60), .pause(seconds: 30)])
            let (name, ref) = try await deployStaging(f)
            try await f.waitFor("Pending", on: ref)
            #expect(f.surface.current(ref)?.buttons.flatMap { $0 }.map(\.title) == ["Abort"])

            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .progressing, currentStep: 2, canaryWeight: 60, gates: [
                GateStatus(name: "errors", phase: .running, successes: 4, failures: 0, lastValue: "0.01"),
            ]))
            try await f.waitFor("step 3/4 · weight 60%", on: ref)
            let text = try #require(f.surface.current(ref)?.html)
            #expect(text.contains("█████░░░░░ 50%"))
            #expect(text.contains("gate <code>errors</code> 4 ok"))

            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .succeeded, currentStep: 4, canaryWeight: 100))
            try await f.waitFor("is live on <b>staging</b>", on: ref)
            #expect(f.surface.current(ref)?.buttons.isEmpty == true)
            try await eventually("the tracker to stop") { await f.engine.trackedRequests.isEmpty }
            #expect(try f.auditActions() == ["deploy_requested", "deploy_succeeded"])
            let events = try await f.cluster.events(about: name).compactMap(\.reason)
            #expect(Set(events) == ["DeployRequested", "DeploySucceeded"])
        }
    }

    @Test func aRollbackIsAnnouncedInTheChatAndTheNotificationChat() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/deploy production abc1234", as: F.alice)
            let question = try f.lastMessage()
            try await f.press("Confirm", on: question.ref, as: F.alice)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let name = try #require(try await f.cluster.requests().first?.metadata.name)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .rolledBack, message: "gate errors failed: 12% errors"))
            try await f.waitFor("rolled back", on: question.ref)
            try await eventually("the announcement") {
                f.surface.messages(in: F.chat).contains { $0.ref != question.ref && $0.message.html.contains("gate errors failed") }
            }
            try await eventually("the notification") {
                f.surface.messages(in: F.notifications).contains { $0.message.html.contains("rolled back") }
            }
            #expect(try f.auditActions().last == "rolled_back")
        }
    }

    @Test func twoPersonApprovalDoesNotCountTheRequester() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production",
                                             approval: ApprovalPolicy(required: true, minApprovers: 1))
            await f.say("/deploy production abc1234", as: F.alice)
            let progress = try f.lastMessage().ref
            try await f.press("Confirm", on: progress, as: F.alice)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let name = try #require(try await f.cluster.requests().first?.metadata.name)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .awaitingApproval, message: "waiting for 1 approval"))
            try await eventually("the Approve button") {
                f.surface.current(progress)?.buttons.flatMap { $0 }.map(\.title) == ["Approve", "Abort"]
            }

            // The requester may not approve, by button or by command; a staging user may not either.
            let own = try await f.press("Approve", on: progress, as: F.alice)
            #expect(own.alert)
            await f.say("/approve production", as: F.alice)
            #expect(try f.lastMessage().message.html.contains("someone else must approve"))
            #expect(try await f.press("Approve", on: progress, as: F.bob).alert)
            #expect(try await f.cluster.request(name).approvers.isEmpty)

            // Dave approves.
            let approval = try await f.press("Approve", on: progress, as: F.dave)
            #expect(!approval.alert)
            #expect(try await f.cluster.request(name).metadata.annotations?[SlipwayAnnotation.approvedBy] == "telegram:4")
            let entries = try f.auditEntries()
            #expect(entries.filter { $0["action"] == "denied" }.map { $0["result"] } == ["requester may not approve", "requester may not approve",
                                                                                        "not allowed to approve"])
            #expect(entries.last?["action"] == "approved")
            #expect(entries.last?["actor_id"] == "4")
        }
    }

    @Test func promoteAndAbortAnnotateTheRequest() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            let (name, ref) = try await deployStaging(f)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .paused, message: "preview ready; promote to switch"))
            try await eventually("the Promote button") {
                f.surface.current(ref)?.buttons.flatMap { $0 }.map(\.title) == ["Promote", "Abort"]
            }
            #expect(try await !f.press("Promote", on: ref, as: F.bob).alert)
            #expect(try await f.cluster.request(name).isPromoteRequested)

            await f.say("/abort staging", as: F.bob)
            #expect(try await f.cluster.request(name).isAbortRequested)
            #expect(try await f.cluster.request(name).metadata.annotations?[SlipwayAnnotation.abort]?.contains("telegram:2") == true)
            #expect(try f.auditActions() == ["deploy_requested", "promoted", "aborted"])
            await f.say("/promote staging", as: F.mallory)
            #expect(try f.lastMessage().message.html.contains("not allowed"))
        }
    }

    @Test func rollbackAsksAndCreatesARollbackRequest() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production", status: DeploymentTargetStatus(
                currentImage: "registry.example.com/shop/web:bbbbbbb", currentCommit: "bbbbbbb",
                previousImage: "registry.example.com/shop/web:aaaaaaa", previousCommit: "aaaaaaa"))
            await f.say("/rollback production", as: F.alice)
            let question = try f.lastMessage()
            #expect(question.message.html.contains("Roll back <b>production</b>"))
            #expect(question.message.html.contains("registry.example.com/shop/web:aaaaaaa"))
            try await f.press("Confirm", on: question.ref, as: F.alice)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let request = try #require(try await f.cluster.requests().first)
            #expect(request.spec.effectiveAction == .rollback)
            #expect(request.spec.image == nil)
            #expect(try f.auditEntries().map { $0["action"] ?? "" } == ["rollback_requested", "rollback_requested"])
        }
    }

    @Test func statusHistoryAndHelp() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging", status: DeploymentTargetStatus(
                currentImage: "registry.example.com/shop/web:ccccccc", currentCommit: "ccccccc", health: .healthy))
            try await f.cluster.createTarget("web-production", environment: "production")
            let (name, _) = try await deployStaging(f)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .succeeded))

            await f.say("/status", as: F.bob)
            let status = try f.lastMessage().message.html
            #expect(status.contains("<b>production</b> (web-production)"))
            #expect(status.contains("<b>staging</b> (web-staging)"))
            #expect(status.contains("live: <code>ccccccc</code>"))

            await f.say("/history staging", as: F.bob)
            let history = try f.lastMessage().message.html
            #expect(history.contains("<code>abc1234</code> · telegram:2 · ✅ Succeeded"))

            await f.say("/help", as: F.bob)
            let help = try f.lastMessage().message.html
            #expect(help.contains("/deploy"))
            #expect(!help.contains("/rollback"))
            await f.say("/start", as: F.alice)
            #expect(try f.lastMessage().message.html.contains("/rollback"))
        }
    }

    @Test func progressIsFollowedAgainAfterARestart() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            let (name, ref) = try await deployStaging(f)
            try await f.waitFor("Pending", on: ref)
            await f.engine.shutdown()
            let restarted = try f.restarted()
            #expect(await restarted.resumeTracking() == 1)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .succeeded))
            try await f.waitFor("is live on <b>staging</b>", on: ref)
            await restarted.shutdown()
        }
    }

    @Test func theAuditLogOfASessionVerifiesAndHoldsNoSecret() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/deploy production abc1234", as: F.alice)
            try await f.press("Confirm", on: try f.lastMessage().ref, as: F.alice)
            await f.say("/deploy production abc1234", as: F.bob)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            #expect(try AuditLog.verify(fileAt: f.auditPath).isIntact)
            let text = try String(contentsOfFile: f.auditPath, encoding: .utf8)
            #expect(!text.contains(F.secret))
            let ledger = try String(contentsOfFile: f.configuration.stateDirectory! + "/" + CallbackLedger.fileName, encoding: .utf8)
            #expect(!ledger.contains(F.secret))
        }
    }

    @Test func theRoleIsCheckedAgainWhenAButtonIsPressed() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            let (name, ref) = try await deployStaging(f)
            try await eventually("the Abort button") { f.surface.current(ref)?.buttons.flatMap { $0 }.map(\.title) == ["Abort"] }
            let abort = try #require(f.surface.current(ref)?.buttons.first?.first?.callbackData)
            // Bob loses the staging role; the button he was shown no longer works for him.
            let revoked = try f.restarted(roles: ["admin": [F.alice.id]])
            let answer = await f.press(data: abort, on: ref, as: F.bob, using: revoked)
            #expect(answer.alert)
            #expect(try await !f.cluster.request(name).isAbortRequested)
            // The button was not used up by the refusal: an admin can still press it.
            #expect(await f.press(data: abort, on: ref, as: F.alice, using: revoked).alert == false)
            #expect(try await f.cluster.request(name).isAbortRequested)
            await revoked.shutdown()
            #expect(try f.auditEntries().suffix(2).map { $0["action"] ?? "" } == ["denied", "aborted"])
        }
    }
}
