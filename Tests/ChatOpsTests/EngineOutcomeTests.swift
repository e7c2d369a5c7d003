import ChatOps
import Foundation
import Kube
import SlipwayAPI
import Testing

/// What the engine reports of each command (for metrics), and outcomes of releases that ended
/// while no front-end ran.
@Suite struct EngineOutcomeTests {
    typealias F = EngineFixture

    @Test func everyCommandAndButtonIsReportedWithABoundedNameAndItsOutcome() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/help", as: F.bob)
            await f.say("/deploy@slipway_bot staging abc1234", as: F.bob)
            await f.say("/deploy production abc1234", as: F.bob)
            await f.say("/deploy staging not-a-commit", as: F.bob)
            await f.say("/status", as: F.mallory)
            await f.say("/frobnicate \(UUID().uuidString)", as: F.alice)
            await f.say("hello", as: F.alice)
            await f.say("/deploy production; rm -rf /", as: F.alice)
            await f.say("/deploy production abcdef1", as: F.alice)
            try await f.press("Cancel", on: try f.lastMessage().ref, as: F.alice)
            #expect(f.commands.all == [
                "help ok", "deploy ok", "deploy denied", "deploy invalid", "status denied", "other invalid", "other invalid",
                "deploy denied", "deploy ok", "deploy cancelled",
            ])
        }
    }

    @Test func aReleaseThatEndedWhileNoFrontEndRanIsSettledOnceOnResume() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            await f.say("/deploy staging abc1234", as: F.bob)
            await f.say("/deploy staging abcdef1", as: F.bob)
            try await eventually("the requests") { try await f.cluster.requests().count == 2 }
            let requests = try await f.cluster.requests()
            let recent = try #require(requests.first { $0.spec.commit == "abc1234" })
            let old = try #require(requests.first { $0.spec.commit == "abcdef1" })
            let recentRef = try #require(f.surface.messages(in: F.chat).first { $0.message.html.contains("abc1234") }?.ref)
            try await f.waitFor("Pending", on: recentRef)

            // No front-end runs while both releases end: one an hour ago, one two days ago.
            await f.engine.shutdown()
            let hourAgo = RFC3339.string(from: f.clock.now.addingTimeInterval(-3600))
            let twoDaysAgo = RFC3339.string(from: f.clock.now.addingTimeInterval(-2 * 86400))
            try await f.cluster.setStatus(try #require(recent.metadata.name), DeploymentRequestStatus(phase: .succeeded, finishedAt: hourAgo))
            try await f.cluster.setStatus(try #require(old.metadata.name), DeploymentRequestStatus(phase: .failed, finishedAt: twoDaysAgo))
            #expect(try f.auditActions() == ["deploy_requested", "deploy_requested"])

            // Two replicas start at once: the recent outcome is announced once, the old one not at all.
            let first = try f.restarted(), second = try f.restarted()
            async let a = first.resumeTracking()
            async let b = second.resumeTracking()
            _ = await (a, b)
            try await f.waitFor("is live on <b>staging</b>", on: recentRef)
            #expect(try f.auditActions() == ["deploy_requested", "deploy_requested", "deploy_succeeded"])
            let settled = try await f.cluster.request(try #require(recent.metadata.name))
            #expect(settled.metadata.annotations?[ChatOpsEngine.outcomeAnnouncedAnnotation] != nil)

            // A later start has nothing left to announce.
            #expect(await (try f.restarted()).resumeTracking() == 0)
            #expect(try f.auditActions().filter { $0 == "deploy_succeeded" || $0 == "deploy_failed" } == ["deploy_succeeded"])
        }
    }

    @Test func anOutcomeSeenLiveIsNotAnnouncedAgainAfterARestart() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            await f.say("/deploy staging abc1234", as: F.bob)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let name = try #require(try await f.cluster.requests().first?.metadata.name)
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .succeeded, finishedAt: RFC3339.string(from: f.clock.now)))
            try await eventually("the outcome") { (try? f.auditActions().last) == "deploy_succeeded" }
            try await eventually("the tracker to stop") { await f.engine.trackedRequests.isEmpty }
            #expect(await (try f.restarted()).resumeTracking() == 0)
            #expect(try f.auditActions() == ["deploy_requested", "deploy_succeeded"])
        }
    }
}
