import ChatOps
import Foundation
import Kube
import SlipwayAPI
import Testing

@Suite struct EngineDeployTests {
    typealias F = EngineFixture

    @Test func aStagingUserDeploysStagingOnceEvenWhenTheUpdateComesTwice() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            let update = await f.say("/deploy staging abc1234", as: F.bob)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let request = try #require(try await f.cluster.requests().first)
            #expect(request.spec.target == "web-staging")
            #expect(request.spec.commit == "abc1234")
            #expect(request.spec.image == "registry.example.com/shop/web:abc1234")
            #expect(request.requestedBy == "telegram:2")
            let progress = try f.lastMessage()
            #expect(request.metadata.annotations?[ChatOpsEngine.chatMessageAnnotation] == "\(progress.ref.chatID)/\(progress.ref.messageID)")

            // Telegram delivers the same update again; a second engine (a restart, a replica) sees it too.
            await f.engine.handle(update)
            await (try f.restarted()).handle(update)
            #expect(try await f.cluster.requests().count == 1)
            #expect(f.surface.messages(in: F.chat).count == 1)
            #expect(try f.auditActions() == ["deploy_requested"])
            let events = try await f.cluster.events(about: request.metadata.name ?? "")
            #expect(events.map(\.reason) == ["DeployRequested"])
        }
    }

    @Test func withoutACommitTheBranchHeadFromGitHubIsDeployed() async throws {
        let sha = "0011223344556677889900112233445566778899"
        let github = FakeGitHub(heads: ["shop/web@main": sha])
        try await github.serve { url in
            try await F.with(resolver: nil, github: GitHubSettings(apiBaseURL: url)) { f in
                try await f.cluster.createTarget("web-staging", environment: "staging")
                await f.say("/deploy staging", as: F.bob)
                try await eventually("the request") { try await f.cluster.requests().count == 1 }
                #expect(try await f.cluster.requests().first?.spec.commit == sha)
            }
        }
    }

    @Test func strangersStagingUsersOnProductionAndOtherChatsAreRefused() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            try await f.cluster.createTarget("web-staging", environment: "staging")
            await f.say("/deploy staging abc1234", as: F.mallory)
            #expect(try f.lastMessage().message.html.contains("not allowed"))
            await f.say("/deploy production abc1234", as: F.bob)
            #expect(try f.lastMessage().message.html.contains("You may not deploy to <b>production</b>"))
            await f.say("/rollback staging", as: F.bob)
            #expect(try f.lastMessage().message.html.contains("may not roll back"))
            await f.say("/deploy staging abc1234", as: F.alice, in: -555)
            #expect(f.surface.messages(in: -555).isEmpty)
            #expect(try await f.cluster.requests().isEmpty)
            let denials = try f.auditEntries().filter { $0["action"] == "denied" }
            #expect(denials.map { $0["actor_id"] } == ["9", "2", "2", "1"])
            #expect(denials.map { $0["result"] } == ["unknown user", "not allowed to deploy", "not allowed to roll back", "chat not served"])
        }
    }

    @Test(arguments: ["/deploy production; rm -rf /", "$(reboot)", "/deploy staging $(reboot)", "/deploy staging `id`"])
    func hostileInputIsExplainedAndNothingHappens(_ text: String) async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-staging", environment: "staging")
            await f.say(text, as: F.alice)
            await f.say("/deploy " + String(repeating: "x", count: 10_000), as: F.alice)
            await f.say("/deploy staging " + String(decoding: [0xC3, 0x28, 0xFF], as: UTF8.self), as: F.alice)
            await f.say("/deploy staging\u{7}\u{0}", as: F.alice)
            let replies = f.surface.messages(in: F.chat).map(\.message.html)
            #expect(replies.count == 4)
            for reply in replies {
                #expect(reply.count < 200)
                #expect(!reply.contains("rm -rf"))
                #expect(!reply.contains("reboot"))
            }
            #expect(try await f.cluster.requests().isEmpty)
            let audit = try String(contentsOfFile: f.auditPath, encoding: .utf8)
            #expect(!audit.contains("reboot") && !audit.contains("rm -rf") && !audit.contains("xxxxxxxx"))
            #expect(try f.auditEntries().filter { $0["action"] == "denied" }.count >= 3)
        }
    }

    @Test func productionAsksAndDeploysExactlyTheCommitShown() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            let update = await f.say("/deploy production", as: F.alice)
            let question = try f.lastMessage()
            #expect(question.message.html.hasPrefix("Deploy <code>feedc0f</code> to <b>production</b>?"))
            // The same update delivered again does not ask twice.
            await f.engine.handle(update)
            #expect(f.surface.messages(in: F.chat).count == 1)
            #expect(question.message.buttons.flatMap { $0 }.map(\.title) == ["Confirm", "Cancel"])
            for button in question.message.buttons.flatMap({ $0 }) { #expect(button.callbackData.utf8.count <= 64) }
            #expect(try await f.cluster.requests().isEmpty)

            let answer = try await f.press("Confirm", on: question.ref, as: F.alice)
            #expect(!answer.alert)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            let request = try #require(try await f.cluster.requests().first)
            #expect(request.spec.commit == F.newest)
            #expect(request.spec.image == "registry.example.com/shop/web:\(F.newest)")
            // The question became the progress message.
            #expect(request.metadata.annotations?[ChatOpsEngine.chatMessageAnnotation] == "\(F.chat)/\(question.ref.messageID)")
            try await f.waitFor("Pending", on: question.ref)
            #expect(try f.auditActions() == ["deploy_requested", "deploy_confirmed"])
            // The notification chat hears of the production release.
            try await eventually("the notification") { f.surface.messages(in: F.notifications).count == 1 }
            #expect(try f.lastMessage(in: F.notifications).message.html.contains("@alice started"))
        }
    }

    @Test func replayedTamperedExpiredAndForeignPressesAreRefusedAndAudited() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/deploy production abc1234", as: F.alice)
            let question = try f.lastMessage()
            let confirm = try #require(question.message.buttons.first?.first?.callbackData)

            // Someone else presses the requester's button.
            let foreign = await f.press(data: confirm, on: question.ref, as: F.dave)
            #expect(foreign.alert)
            // Tampered: one character of the MAC changed; and the data moved to another message.
            var forged = Array(confirm)
            forged[forged.count - 1] = forged.last == "A" ? "B" : "A"
            #expect(await f.press(data: String(forged), on: question.ref, as: F.alice).text == "This button is not valid.")
            let moved = ChatMessageRef(chatID: F.chat, messageID: question.ref.messageID + 1)
            #expect(await f.press(data: confirm, on: moved, as: F.alice).text == "This button is not valid.")
            #expect(try await f.cluster.requests().isEmpty)

            // The real press works once; its replay does not.
            #expect(await f.press(data: confirm, on: question.ref, as: F.alice).alert == false)
            #expect(await f.press(data: confirm, on: question.ref, as: F.alice).text == "This button was already used.")
            try await eventually("the request") { try await f.cluster.requests().count == 1 }

            // Expired: a new question, answered after its lifetime.
            await f.say("/deploy production abc1235", as: F.alice)
            let late = try #require(f.surface.messages(in: F.chat).last { $0.message.html.contains("abc1235") })
            f.clock.advance(601)
            #expect(try await f.press("Confirm", on: late.ref, as: F.alice).text == "This button has expired. Send the command again.")
            #expect(try await f.cluster.requests().count == 1)

            let rejected = try f.auditEntries().filter { $0["action"] == "callback_rejected" }.map { $0["result"] ?? "" }
            #expect(rejected == ["not the requester", "tampered", "tampered", "replayed", "expired"])
        }
    }

    @Test func cancelCreatesNothing() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/deploy production abc1234", as: F.alice)
            let question = try f.lastMessage()
            try await f.press("Cancel", on: question.ref, as: F.alice)
            #expect(f.surface.current(question.ref)?.html.contains("Cancelled") == true)
            #expect(f.surface.current(question.ref)?.buttons.isEmpty == true)
            // Confirm was used up with Cancel.
            let confirm = try #require(question.message.buttons.first?.first?.callbackData)
            #expect(await f.press(data: confirm, on: question.ref, as: F.alice).text == "This button was already used.")
            #expect(try await f.cluster.requests().isEmpty)
            #expect(try f.auditActions() == ["deploy_requested", "deploy_cancelled", "callback_rejected"])
        }
    }

    @Test func aQuestionAskedBeforeARestartIsAnsweredOnceAfterIt() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            await f.say("/deploy production abc1234", as: F.alice)
            let question = try f.lastMessage()
            let confirm = try #require(question.message.buttons.first?.first?.callbackData)
            let restarted = try f.restarted()
            defer { Task { await restarted.shutdown() } }
            #expect(await f.press(data: confirm, on: question.ref, as: F.alice, using: restarted).alert == false)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
            // The first process still holds the button as pending in memory; pressing it there reaches the
            // same deterministic request name and creates nothing new.
            _ = await f.press(data: confirm, on: question.ref, as: F.alice)
            #expect(try await f.cluster.requests().count == 1)
            // A process started now reads the button as used.
            let third = try f.restarted()
            #expect(await f.press(data: confirm, on: question.ref, as: F.alice, using: third).text == "This button was already used.")
            await third.shutdown()
            #expect(try await f.cluster.requests().count == 1)
        }
    }

    @Test func aClosedWindowIsExplainedAndNothingIsCreated() async throws {
        try await F.with { f in
            let windows = DeploymentWindows(timezone: "Europe/Berlin", allowed: [AllowedWindow(days: [.monday, .tuesday], start: "09:00", end: "17:00")],
                                            outsideWindow: .reject)
            try await f.cluster.createTarget("web-staging", environment: "staging", windows: windows)
            await f.say("/deploy staging abc1234", as: F.bob)
            #expect(try f.lastMessage().message.html.contains("staging opens Monday 09:00 Europe/Berlin"))
            #expect(try await f.cluster.requests().isEmpty)
        }
    }

    @Test func aWaitingWindowIsExplainedAndTheRequestWaits() async throws {
        try await F.with { f in
            let windows = DeploymentWindows(timezone: "Europe/Berlin", allowed: [AllowedWindow(days: [.monday], start: "09:00", end: "17:00")])
            try await f.cluster.createTarget("web-staging", environment: "staging", windows: windows)
            await f.say("/deploy staging abc1234", as: F.bob)
            #expect(f.surface.sent.last?.message.html.contains("opens Monday 09:00 Europe/Berlin") == true)
            try await eventually("the request") { try await f.cluster.requests().count == 1 }
        }
    }

    @Test func aRequestAnotherReplicaAlreadyCreatedIsNotCreatedAgain() async throws {
        try await F.with { f in
            try await f.cluster.createTarget("web-production", environment: "production")
            let update = await f.say("/deploy production abc1234", as: F.alice)
            guard case .command(_, let chat, let messageID, _, _) = update else { return }
            let question = try f.lastMessage()
            // Another replica answered the same command first.
            let name = RequestNaming.name(target: "web-production", chatID: chat, messageID: messageID, action: .deploy)
            _ = try await f.cluster.kube.create(DeploymentRequest(
                metadata: ObjectMeta(name: name, annotations: [ChatOpsEngine.chatMessageAnnotation: "\(chat)/1"]),
                spec: DeploymentRequestSpec(target: "web-production", image: "registry.example.com/shop/web:abc1234", commit: "abc1234")),
                namespace: ChatCluster.namespace)
            try await f.press("Confirm", on: question.ref, as: F.alice)
            #expect(try await f.cluster.requests().count == 1)
            #expect(f.surface.current(question.ref)?.html.contains("already requested") == true)
        }
    }
}
