import FakeTelegramAPI
import Foundation
import Kube
import SlipwayAPI
import Testing

/// Several `slipway bot` processes on one token: only the Lease holder polls, a standby takes
/// over when it stops, and a webhook replica accepts only deliveries carrying its secret.
@Suite("EndToEnd Telegram bot replicas", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct BotReplicaEndToEndTests {
    let admin = BotFixture.admin, secondAdmin = BotFixture.secondAdmin

    @Test("one replica polls, the other stands by and takes over on SIGTERM; a webhook replica refuses a wrong secret and the poller reports the conflict")
    func replicasAndWebhook() async throws {
        try await BotEndToEnd.with { bot in
            let standby = try bot.startBot(["--log-format", "json"])
            #expect(try await standby.waitForOutput(containing: "standing by for the lease", timeout: .seconds(30)))
            // A standby is ready, says it does not take updates, and still knows whether Telegram
            // answers (so the TelegramUnreachable alert does not fire for it).
            let health = try await EndToEndControllerFlagsTests.endpoint("health", of: standby)
            let metrics = try await EndToEndControllerFlagsTests.endpoint("metrics", of: standby)
            #expect(try await waitUntil(timeout: .seconds(30)) { try await EndToEndControllerFlagsTests.get(health + "/readyz").code == 200 })
            var samples: [String: Double] = [:]
            _ = try await waitUntil(timeout: .seconds(30)) {
                samples = BotEndToEndTests.samples(try await EndToEndControllerFlagsTests.get(metrics + "/metrics").body)
                return samples["slipway_telegram_up"] == 1
            }
            #expect(samples["slipway_telegram_up"] == 1, "\(samples)")
            #expect(samples["slipway_bot_leader"] == 0, "\(samples)")
            #expect(samples["slipway_bot_ready"] == 1, "\(samples)")
            try await bot.say("/deploy staging 5555555", as: admin)
            try await bot.waitUntilHandled()
            #expect(!standby.stdout.contains("slipway bot started"), "the standby polls although the leader holds the lease")
            #expect(bot.telegram.conflictsAnswered == 0, "two pollers fought over getUpdates")

            // The leader stops; the standby takes the Lease at once and answers.
            bot.bot.terminate()
            #expect(try await bot.bot.waitForExit(timeout: .seconds(30)))
            #expect(bot.bot.exitStatus == 0, "\(bot.bot.stderr.suffix(2000))")
            // --log-format json: every line the standby wrote is one JSON object.
            let lines = standby.stderr.split(separator: "\n")
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] },
                    "\(standby.stderr.prefix(2000))")
            #expect(try await standby.waitForOutput(containing: "slipway bot started", timeout: .seconds(30)),
                    "the standby did not take over: \(standby.stderr.suffix(2000))")
            try await bot.say("/deploy staging 6666666", as: admin)
            let release = try await bot.waitForRelease(commit: "6666666", in: [.pending, .queued, .progressing, .succeeded])
            #expect(release.spec.target == "app-staging")
            #expect(try await bot.requests().filter { $0.spec.commit == "5555555" }.count == 1)

            // A webhook replica: Telegram then refuses the poller, which says what is wrong.
            let secret = "e2e-webhook-secret_0123456789"
            let secretFile = bot.cluster.directory.appendingPathComponent("webhook-secret").path
            try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
            let webhook = try bot.startBot(["--webhook-addr", "127.0.0.1:0", "--webhook-url", "https://bot.example.test/telegram",
                                            "--webhook-secret-file", secretFile])
            #expect(try await webhook.waitForOutput(containing: "slipway bot started", timeout: .seconds(30)), "\(webhook.stderr.suffix(2000))")
            #expect(bot.telegram.webhook?.url == "https://bot.example.test/telegram")
            #expect(bot.telegram.webhook?.secret == secret)
            #expect(try await waitUntil(timeout: .seconds(30)) { standby.stderr.contains("deleteWebhook") },
                    "the poller did not report the webhook conflict")

            let line = try #require(webhook.stdout.split(separator: "\n").first { $0.hasPrefix("webhook listening on ") })
            let url = "http://" + line.dropFirst("webhook listening on ".count) + "/telegram"
            let update = #"{"update_id":900001,"message":{"message_id":9001,"from":{"id":\#(admin.id),"is_bot":false,"first_name":"Alice","username":"alice"},"chat":{"id":\#(admin.id),"type":"private"},"date":1700000000,"text":"/status"}}"#
            let before = bot.telegram.messages(chat: admin.id).count
            #expect(try await post(update, to: url, secret: "wrong-secret") == "401")
            #expect(try await post(update, to: url, secret: nil) == "401")
            #expect(bot.telegram.messages(chat: admin.id).count == before, "an unauthenticated delivery was acted on")
            #expect(try await post(update, to: url, secret: secret) == "200")
            #expect(bot.telegram.messages(chat: admin.id).count == before + 1, "the authenticated /status was not answered")
        }
    }

    @Test("kill -9 of the bot while a release waits for approval: the next bot takes the Lease, honours the old buttons, keeps the same progress message up to date to the end, and creates nothing twice")
    func crashMidRelease() async throws {
        try await BotEndToEnd.with(approvalRequired: true) { bot in
            let group = BotFixture.releaseGroup
            let update = try await bot.say("/deploy production abcdef1", as: admin, in: group)
            var question = try await bot.message(in: group, containing: "Deploy abcdef1 to production?")
            question = try await bot.waitForMessage(question) { !$0.buttons.isEmpty }
            #expect(try await bot.press(try bot.button("Confirm", of: question), on: question, as: admin).text == "Confirmed")
            let waiting = try await bot.waitForRelease(commit: "abcdef1", in: [.awaitingApproval])
            var progress = try await bot.progressMessage(of: waiting)
            progress = try await bot.waitForMessage(progress) { $0.buttons.joined().contains { $0.title == "Approve" } }

            bot.bot.kill()
            #expect(try await bot.bot.waitForExit(timeout: .seconds(10)))
            // Telegram hands the command to the next bot again, as after a crash before the offset moved on.
            bot.telegram.redeliver(updateID: update)
            let next = try bot.startBot()
            #expect(try await next.waitForOutput(containing: "slipway bot started", timeout: .seconds(60)),
                    "the next bot did not take over: \(next.stderr.suffix(2000))")

            // The button the dead bot made still works, once, with the next one.
            let approval = try await bot.press(try bot.button("Approve", of: progress), on: progress, as: secondAdmin)
            #expect(approval.showAlert == false, "\(approval.text ?? "")")
            let release = try await bot.waitForRelease(commit: "abcdef1")
            #expect(release.phase == .succeeded, "\(release.status?.message ?? "")")
            let final = try await bot.waitForMessage(progress, timeout: .seconds(60)) { $0.text.contains("abcdef1 is live on production") }
            #expect(final.text.contains("abcdef1 is live on production"))

            try await bot.waitUntilTaken()
            try await bot.waitUntilHandled(chat: group, user: admin)
            #expect(try await bot.requests().count == 1)
            // One message about this release: the question that became its progress message.
            #expect(bot.telegram.messages(chat: group).filter { $0.text.contains("Deploy abcdef1") }.count == 1)
        }
    }

    /// POSTs a webhook delivery with curl (no shell); returns the HTTP status.
    private func post(_ body: String, to url: String, secret: String?) async throws -> String {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                         "--data-binary", body, url]
        if let secret { arguments += ["-H", "X-Telegram-Bot-Api-Secret-Token: \(secret)"] }
        return try await runProgram("/usr/bin/curl", arguments).stdout
    }
}
