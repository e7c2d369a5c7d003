import FakeTelegramAPI
import Foundation
import JSON
import SlipwayAPI
import Testing

/// One person without a role, or one chat Telegram rate-limits, must not take the bot from
/// everyone else.
@Suite("EndToEnd Telegram bot under a stranger's flood", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct BotStrangerEndToEndTests {
    let admin = BotFixture.admin, stagingUser = BotFixture.stagingUser, stranger = BotFixture.stranger
    let group = BotFixture.releaseGroup

    @Test("30 messages from a stranger get one refusal in the group and one in private, and every one is audited")
    func refusalsToStrangersAreRateLimited() async throws {
        try await BotEndToEnd.with { bot in
            for index in 0..<30 {
                bot.telegram.sendMessage(from: stranger, text: "/deploy staging \(1_000_000 + index)", chatID: group)
                bot.telegram.sendMessage(from: stranger, text: "/status")
            }
            try await bot.waitUntilTaken()
            try await bot.waitUntilHandled(chat: group, user: admin)
            let groupReplies = bot.telegram.messages(chat: group).filter { $0.text.contains("not allowed to use this bot") }
            #expect(groupReplies.count == 1, "\(groupReplies.count) refusals in the group")
            let privateReplies = bot.telegram.messages(chat: stranger.id)
            #expect(privateReplies.count == 1, "\(privateReplies.count) refusals in private")
            let refused = try bot.auditEntries().filter { ($0["actor_id"] as? Int) == Int(stranger.id) }
            #expect(refused.count == 60, "every refused message is audited: \(refused.count)")
            #expect(try await bot.requests().isEmpty)
        }
    }

    @Test("while Telegram holds one chat's reply on a 429, other chats' commands are answered and a release's progress is edited")
    func aRateLimitedChatHoldsUpNoOne() async throws {
        try await BotEndToEnd.with { bot in
            bot.telegram.rateLimit(chat: group, retryAfter: 40, count: 1)
            // The refusal into the group waits 40 s for Telegram.
            bot.telegram.sendMessage(from: stranger, text: "/status", chatID: group)
            let held = try await waitUntil(timeout: .seconds(30)) {
                bot.telegram.parameters(of: "sendMessage").contains { $0["chat_id"]?.intValue == Int(group) }
            }
            #expect(held, "the bot never tried to answer in the group")
            let started = ContinuousClock.now
            // Sent while the group's update is still unconfirmed (it is not handled yet).
            bot.telegram.sendMessage(from: stagingUser, text: "/deploy staging 4444444")
            let progress = try await bot.message(in: stagingUser.id, containing: "4444444", timeout: .seconds(15))
            let live = try await bot.waitForMessage(progress, timeout: .seconds(25)) { $0.text.contains("is live on staging") }
            #expect(live.text.contains("is live on staging"))
            try await bot.waitUntilHandled()
            #expect(ContinuousClock.now - started < .seconds(35), "the other chats waited for the rate-limited one")
            // The held reply still lands once Telegram lets it.
            _ = try await bot.message(in: group, containing: "not allowed to use this bot", timeout: .seconds(60))
        }
    }
}
