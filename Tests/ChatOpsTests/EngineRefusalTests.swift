import ChatOps
import Foundation
import Kube
import SlipwayAPI
import Testing

/// Refusals leave a trace, errors are worded once, and a restart repeats no edit.
@Suite struct EngineRefusalTests {
    typealias F = EngineFixture

    @Test func everyKindOfRefusedInputIsAudited() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            for text in ["/deploy nowhere", "/deploy staging not-a-commit", "/status extra", "/frobnicate", "/history"] {
                await f.say(text, as: F.alice)
            }
            let results = try f.auditEntries().filter { $0["action"] == "denied" }.compactMap { $0["result"] }
            #expect(results == ["refused input: unknown environment", "refused input: not a commit", "refused input: too many arguments to /status",
                                "refused input: unknown command", "refused input: /history without an argument"], "\(results)")
            #expect(try await f.cluster.requests().isEmpty)
        }
    }

    @Test func aCommitThatCannotBeResolvedIsExplainedOnce() async throws {
        let github = FakeGitHub(heads: [:])
        try await github.serve { url in
            try await F.with(resolver: nil, github: GitHubSettings(apiBaseURL: url)) { f in
                try await f.cluster.createTarget("web-staging", environment: "staging")
                await f.say("/deploy staging", as: F.bob)
                let reply = try f.lastMessage().message.html
                #expect(reply.hasPrefix("Could not find the newest commit: "), "\(reply)")
                #expect(!reply.contains("resolving the newest commit"), "\(reply)")
            }
        }
    }

    @Test func aRestartedEngineDoesNotEditAProgressMessageIntoTheTextItHas() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            await f.say("/deploy staging abc1234", as: F.bob)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let name = try #require(try await f.cluster.requests().first?.metadata.name)
            let ref = try f.lastMessage().ref
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .progressing, message: "filling the idle slot"))
            try await f.waitFor("Progressing", on: ref)
            let before = try #require(f.surface.current(ref))
            await f.engine.shutdown()

            let restarted = try f.restarted()
            let editsBefore = f.surface.editLog.count
            #expect(await restarted.resumeTracking() == 1)
            // A change after the restart is edited in; what the message already showed is not.
            try await f.cluster.setStatus(name, DeploymentRequestStatus(phase: .succeeded))
            try await f.waitFor("is live on <b>staging</b>", on: ref)
            await restarted.shutdown()
            let after = f.surface.editLog.dropFirst(editsBefore).filter { $0.ref == ref }.map(\.message)
            #expect(!after.contains(before), "the restarted engine sent the unchanged text again")
            #expect(after.last?.html.contains("is live on <b>staging</b>") == true)
        }
    }
}
