import FakeTelegramAPI
import Foundation
import Kube
import SlipwayAPI
import Testing

/// The Telegram bot end to end: `slipway cluster`, `slipway controller` and `slipway bot` as
/// processes, Telegram faked in this process. Each test has a cluster of its own.
@Suite("EndToEnd Telegram bot", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct BotEndToEndTests {
    let admin = BotFixture.admin, secondAdmin = BotFixture.secondAdmin
    let stagingUser = BotFixture.stagingUser, stranger = BotFixture.stranger

    @Test("deploys from chat succeed for those allowed; strangers, staging users on production and hostile input get a refusal and nothing runs; the audit chain verifies and an edited line is found")
    func deploysRefusalsAndAudit() async throws {
        try await BotEndToEnd.with { bot in
            // Each person's command menu shows what their role allows.
            #expect(bot.telegram.commands(scope: "default") == ["start", "help"])
            let adminMenu = bot.telegram.commands(scope: "chat:\(admin.id)") ?? []
            #expect(adminMenu.contains("approve") && adminMenu.contains("rollback") && adminMenu.contains("deploy"))
            let stagingMenu = bot.telegram.commands(scope: "chat:\(stagingUser.id)") ?? []
            #expect(stagingMenu.contains("deploy") && !stagingMenu.contains("approve") && !stagingMenu.contains("rollback"))
            #expect(bot.telegram.commands(scope: "chat:\(stranger.id)") == nil)

            // A staging user releases staging without a question.
            try await bot.say("/deploy staging abc1234", as: stagingUser)
            // An admin releases production after confirming.
            try await bot.say("/deploy production abcdef1", as: admin)
            var question = try await bot.message(in: admin.id, containing: "Deploy abcdef1 to production?")
            question = try await bot.waitForMessage(question) { !$0.buttons.isEmpty }
            let confirmed = try await bot.press(try bot.button("Confirm", of: question), on: question, as: admin)
            #expect(confirmed.text == "Confirmed")

            // Refusals, while the releases run.
            try await bot.say("/deploy staging abc1234", as: stranger)
            _ = try await bot.message(in: stranger.id, containing: "not allowed to use this bot")
            try await bot.say("/deploy production 1234567", as: stagingUser)
            _ = try await bot.message(in: stagingUser.id, containing: "You may not deploy to production")
            let repliesBefore = bot.telegram.messages(chat: admin.id).count
            let hostile = ["/deploy production; rm -rf /", "/deploy $(reboot)", "/deploy production `reboot`",
                           "/deploy " + String(repeating: "a", count: 10_000)]
            for text in hostile { try await bot.say(text, as: admin) }
            bot.telegram.sendRawTextMessage(from: admin, textBytes: Array("/deploy production ".utf8) + [0xC3, 0x28, 0xA0, 0xFF])
            try await bot.waitUntilHandled()

            let stagingRelease = try await bot.waitForRelease(commit: "abc1234")
            let productionRelease = try await bot.waitForRelease(commit: "abcdef1")
            #expect(stagingRelease.phase == .succeeded, "\(stagingRelease.status?.message ?? "")")
            #expect(stagingRelease.spec.target == "app-staging")
            #expect(stagingRelease.metadata.annotations?["slipway.dev/requested-by"] == "telegram:\(stagingUser.id)")
            #expect(productionRelease.phase == .succeeded, "\(productionRelease.status?.message ?? "")")
            #expect(productionRelease.spec.image == "shop/app:abcdef1", "the commit shown is the commit deployed")
            _ = try await bot.message(in: stagingUser.id, containing: "abc1234 is live on staging", timeout: .seconds(30))
            _ = try await bot.message(in: admin.id, containing: "abcdef1 is live on production", timeout: .seconds(30))

            // Nothing else was created: one request per allowed deploy.
            let requests = try await bot.requests()
            #expect(requests.count == 2, "requests: \(requests.map { "\($0.metadata.name ?? "") \($0.spec.commit ?? "")" })")
            // Hostile text is never repeated back.
            let replies = bot.telegram.messages(chat: admin.id).map(\.text)
            #expect(!replies.contains { $0.contains("rm -rf") || $0.contains("reboot") || $0.contains("aaaaaaaaaa") })
            #expect(replies.count - repliesBefore >= hostile.count + 1, "every hostile message gets a short refusal")

            // The audit log names what happened, and its chain holds until a line is edited.
            let actions = try bot.auditEntries().compactMap { $0["action"] as? String }
            #expect(actions.contains("deploy_requested"))
            #expect(actions.contains("deploy_confirmed"))
            #expect(actions.filter { $0 == "denied" }.count >= 2)
            let verified = try await bot.verifyAudit(bot.auditFile)
            #expect(verified.status == 0, "\(verified.output)")
            let tampered = bot.cluster.directory.appendingPathComponent("audit-edited.jsonl").path
            var lines = try String(contentsOfFile: bot.auditFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let victim = try #require(lines.firstIndex { $0.contains("\"denied\"") })
            lines[victim] = lines[victim].replacingOccurrences(of: "\"denied\"", with: "\"deploy_confirmed\"")
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: tampered))
            let broken = try await bot.verifyAudit(tampered)
            #expect(broken.status != 0)
            #expect(broken.output.contains("line \(victim + 1)"), "\(broken.output)")

            // Operators see the same: commands by name and outcome, Telegram reachable, ready.
            let health = try await EndToEndControllerFlagsTests.endpoint("health", of: bot.bot)
            let metrics = try await EndToEndControllerFlagsTests.endpoint("metrics", of: bot.bot)
            #expect(try await EndToEndControllerFlagsTests.get(health + "/healthz").code == 200)
            #expect(try await EndToEndControllerFlagsTests.get(health + "/readyz").code == 200)
            let exposition = try await EndToEndControllerFlagsTests.get(metrics + "/metrics")
            #expect(exposition.code == 200)
            let samples = Self.samples(exposition.body)
            #expect((samples[#"slipway_telegram_commands_total{command="deploy",outcome="ok"}"#] ?? 0) >= 2, "\(exposition.body)")
            #expect((samples[#"slipway_telegram_commands_total{command="deploy",outcome="denied"}"#] ?? 0) >= 2, "\(exposition.body)")
            #expect((samples[#"slipway_telegram_commands_total{command="status",outcome="ok"}"#] ?? 0) >= 1, "\(exposition.body)")
            #expect(samples["slipway_telegram_up"] == 1, "\(exposition.body)")
            #expect((samples["slipway_telegram_last_success_timestamp_seconds"] ?? 0) > Date().timeIntervalSince1970 - 300)
            #expect((samples[#"slipway_telegram_api_requests_total{outcome="ok"}"#] ?? 0) > 0)
            #expect(samples["slipway_bot_leader"] == 1, "\(exposition.body)")
            #expect(samples["slipway_bot_ready"] == 1, "\(exposition.body)")
            #expect(exposition.body.contains(#"slipway_build_info{"#) && exposition.body.contains(#"component="bot""#))
            #expect(!exposition.body.contains(bot.telegram.token))
        }
    }

    /// `name{labels} value` lines of a Prometheus exposition, by `name{labels}` (labels as written).
    static func samples(_ exposition: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    @Test("two people release production: tampered, foreign and replayed presses are refused, the requester cannot approve, a redelivered update creates nothing")
    func twoPersonApprovalAndCallbacks() async throws {
        try await BotEndToEnd.with(approvalRequired: true) { bot in
            let group = BotFixture.releaseGroup
            let deployUpdate = try await bot.say("/deploy production abcdef1", as: admin, in: group)
            var question = try await bot.message(in: group, containing: "Deploy abcdef1 to production?")
            question = try await bot.waitForMessage(question) { !$0.buttons.isEmpty }
            let confirm = try bot.button("Confirm", of: question)

            var forged = confirm
            forged.callbackData = String(confirm.callbackData.dropLast()) + (confirm.callbackData.hasSuffix("A") ? "B" : "A")
            #expect(try await bot.press(forged, on: question, as: admin).text == "This button is not valid.")
            #expect(try await bot.press(confirm, on: question, as: secondAdmin).text == "Only the person who asked can answer this.")
            #expect(try await bot.requests().isEmpty)
            #expect(try await bot.press(confirm, on: question, as: admin).text == "Confirmed")
            #expect(try await bot.press(confirm, on: question, as: admin).text == "This button was already used.")

            let waiting = try await bot.waitForRelease(commit: "abcdef1", in: [.awaitingApproval])
            let name = try #require(waiting.metadata.name)
            var progress = try await bot.progressMessage(of: waiting)
            progress = try await bot.waitForMessage(progress) { $0.buttons.joined().contains { $0.title == "Approve" } }
            let approve = try bot.button("Approve", of: progress)
            let selfApproval = try await bot.press(approve, on: progress, as: admin)
            #expect(selfApproval.text == "You asked for this release; someone else must approve it.")
            #expect(try await bot.cluster.request(name).phase == .awaitingApproval)
            let approval = try await bot.press(approve, on: progress, as: secondAdmin)
            #expect(approval.showAlert == false, "\(approval.text ?? "")")

            let released = try await bot.waitForRelease(commit: "abcdef1")
            #expect(released.phase == .succeeded, "\(released.status?.message ?? "")")
            #expect(released.metadata.annotations?["slipway.dev/approved-by"]?.contains("\(secondAdmin.id)") == true)
            _ = try await bot.message(in: group, containing: "abcdef1 is live on production")

            // Telegram delivers the command again (a failover): nothing new is created or asked.
            let questionsBefore = bot.telegram.messages(chat: group).filter { $0.text.contains("Deploy abcdef1 to production?") }.count
            bot.telegram.redeliver(updateID: deployUpdate)
            try await bot.waitUntilTaken()
            try await bot.waitUntilHandled(chat: group, user: admin)
            #expect(try await bot.requests().count == 1)
            #expect(bot.telegram.messages(chat: group).filter { $0.text.contains("Deploy abcdef1 to production?") }.count == questionsBefore)

            let entries = try bot.auditEntries()
            let rejected = entries.filter { $0["action"] as? String == "callback_rejected" }.compactMap { $0["result"] as? String }
            #expect(rejected.contains("tampered"), "\(rejected)")
            #expect(rejected.contains("replayed"), "\(rejected)")
            #expect(entries.contains { $0["action"] as? String == "approved" })
        }
    }

    @Test("a 429 storm and a Telegram outage in the middle of releases lose no command and duplicate none; an expired button is refused")
    func faultsLoseNothing() async throws {
        try await BotEndToEnd.with(callbackLifetime: 10) { bot in
            // A question left unanswered past its lifetime.
            try await bot.say("/deploy production abcdef1", as: admin)
            var question = try await bot.message(in: admin.id, containing: "Deploy abcdef1 to production?")
            question = try await bot.waitForMessage(question) { !$0.buttons.isEmpty }
            let confirm = try bot.button("Confirm", of: question)
            let expiry = try #require(confirm.callbackData.split(separator: ".").dropFirst(2).first.flatMap { Double($0) })
            #expect(try await waitUntil(timeout: .seconds(30)) { Date().timeIntervalSince1970 >= expiry + 1 })
            #expect(try await bot.press(confirm, on: question, as: admin).text == "This button has expired. Send the command again.")
            #expect(try await bot.requests().isEmpty)

            // Releases with a storm and an outage in the middle.
            try await bot.say("/deploy staging 1111111", as: admin)
            _ = try await bot.waitForRelease(commit: "1111111", in: [.pending, .queued, .progressing, .succeeded])
            bot.telegram.injectFaults(.tooManyRequests(retryAfter: 1), count: 6)
            bot.telegram.sendMessage(from: admin, text: "/deploy staging 2222222")
            try await bot.waitUntilTaken()

            let failuresBefore = bot.pollFailures
            bot.telegram.setOutage(true)
            bot.telegram.sendMessage(from: admin, text: "/deploy staging 3333333")
            #expect(try await waitUntil(timeout: .seconds(30)) { bot.pollFailures > failuresBefore }, "the bot never saw the 502s")
            bot.telegram.setOutage(false)
            await bot.telegram.goOffline()
            bot.telegram.sendMessage(from: admin, text: "/deploy staging 4444444")
            let refusedBefore = bot.pollFailures
            #expect(try await waitUntil(timeout: .seconds(30)) { bot.pollFailures > refusedBefore }, "the bot never saw the refused connections")
            try await bot.telegram.comeOnline()
            try await bot.waitUntilTaken()

            let commits = ["1111111", "2222222", "3333333", "4444444"]
            for commit in commits {
                let release = try await bot.waitForRelease(commit: commit, timeout: .seconds(180))
                #expect(release.phase == .succeeded, "\(commit): \(release.status?.message ?? "")")
            }
            let requests = try await bot.requests().filter { $0.spec.target == "app-staging" }
            #expect(requests.compactMap(\.spec.commit).sorted() == commits, "each command made exactly one request")
            for commit in commits {
                let messages = bot.telegram.messages(chat: admin.id).filter { $0.text.contains(commit) }
                #expect(messages.count == 1, "\(commit): \(messages.map(\.text))")
                if let progress = messages.first {
                    let final = try await bot.waitForMessage(progress, timeout: .seconds(60)) { $0.text.contains("\(commit) is live on staging") }
                    #expect(final.text.contains("\(commit) is live on staging"))
                }
            }
        }
    }
}

extension BotEndToEnd {
    /// The request for `commit`, once it reached one of `phases` (default: any end).
    func waitForRelease(commit: String, in phases: Set<Phase> = [.succeeded, .failed, .rolledBack, .rejected, .aborted],
                        timeout: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentRequest {
        var found: DeploymentRequest?
        let reached = try await waitUntil(timeout: timeout) {
            found = try? await self.requests().first { $0.spec.commit == commit }
            return found.map { phases.contains($0.phase) } ?? false
        }
        guard reached, let found else {
            let state = found.map { "\($0.phase.rawValue): \($0.status?.message ?? "")" } ?? "no request"
            Issue.record("the release of \(commit) did not reach \(phases.map(\.rawValue).sorted()) within \(timeout): \(state)",
                         sourceLocation: sourceLocation)
            throw EndToEndError("the release of \(commit) did not get there")
        }
        return found
    }

    /// The progress message a request names in `slipway.dev/chat-message`.
    func progressMessage(of request: DeploymentRequest) async throws -> FakeMessage {
        guard let value = request.metadata.annotations?["slipway.dev/chat-message"] else {
            throw EndToEndError("request \(request.metadata.name ?? "") names no progress message")
        }
        let parts = value.split(separator: "/").compactMap { Int64($0) }
        guard parts.count == 2, let message = telegram.messages(chat: parts[0]).first(where: { $0.messageID == parts[1] }) else {
            throw EndToEndError("no progress message \(value)")
        }
        return message
    }

    /// How often the bot logged a failed poll.
    var pollFailures: Int { bot.stderr.components(separatedBy: "polling Telegram failed").count - 1 }
}
