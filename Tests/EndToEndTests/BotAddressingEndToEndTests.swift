import FakeTelegramAPI
import Foundation
import SlipwayAPI
import Testing

/// What the bot takes from Telegram: only commands meant for it, and every one of those
/// exactly once, even when an answer of getUpdates arrives cut short.
@Suite("EndToEnd Telegram bot addressing and delivery", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct BotAddressingEndToEndTests {
    let admin = BotFixture.admin, stagingUser = BotFixture.stagingUser
    let group = BotFixture.releaseGroup

    @Test("a command addressed to another bot is ignored silently in groups and private chats; one addressed to this bot is handled")
    func commandsForOtherBotsAreIgnored() async throws {
        try await BotEndToEnd.with { bot in
            try await bot.say("/deploy@other_bot staging 1111111", as: stagingUser, in: group)
            try await bot.say("/help@other_bot", as: admin, in: group)
            try await bot.say("/deploy@other_bot staging 1111112", as: stagingUser)
            try await bot.say("/help@other_bot", as: admin)
            // This bot's own name, in any case, is handled as usual.
            try await bot.say("/help@Slipway_Test_Bot", as: admin, in: group)
            try await bot.say("/deploy@slipway_test_bot staging 2222222", as: stagingUser)
            _ = try await bot.message(in: stagingUser.id, containing: "2222222")
            try await bot.waitUntilHandled(chat: group, user: admin)
            try await bot.waitUntilHandled()

            let groupTexts = bot.telegram.messages(chat: group).map(\.text)
            #expect(groupTexts.count == 2, "only /help@Slipway_Test_Bot and /status are answered in the group: \(groupTexts)")
            #expect(groupTexts.first?.contains("/deploy") == true, "the help text answers /help@Slipway_Test_Bot: \(groupTexts)")
            #expect(bot.telegram.messages(chat: admin.id).count == 1, "only /status is answered in private")
            let commits = try await bot.requests().compactMap(\.spec.commit)
            #expect(commits == ["2222222"], "only the command for this bot made a request: \(commits)")
        }
    }

    @Test("a press on an inline message or of a button without data is answered, so the button stops spinning")
    func pressesWithoutMeaningAreAnswered() async throws {
        try await BotEndToEnd.with { bot in
            let inline = bot.telegram.pressButtonWithoutMessage(from: admin, inlineMessageID: "AAEAAAE-inline", data: "anything")
            let withoutData = bot.telegram.pressButtonWithoutMessage(from: admin, inlineMessageID: "AAEAAAE-game", data: nil)
            let answered = try await waitUntil(timeout: .seconds(30)) {
                let ids = Set(bot.telegram.callbackAnswers.map(\.callbackID))
                return ids.contains(inline) && ids.contains(withoutData)
            }
            #expect(answered, "answers: \(bot.telegram.callbackAnswers)")
            #expect(try await bot.requests().isEmpty)
        }
    }

    @Test("a getUpdates answer cut mid-JSON is asked for again with the same offset: the command in it is handled exactly once")
    func aTruncatedAnswerLosesNothing() async throws {
        try await BotEndToEnd.with { bot in
            bot.telegram.truncateUpdateAnswers(count: 1)
            bot.telegram.sendMessage(from: stagingUser, text: "/deploy staging 3333333")
            try await bot.waitUntilTaken()
            try await bot.waitUntilHandled(chat: stagingUser.id, user: stagingUser)
            let release = try await bot.waitForRelease(commit: "3333333")
            #expect(release.phase == .succeeded, "\(release.status?.message ?? "")")
            let requests = try await bot.requests().filter { $0.spec.commit == "3333333" }
            #expect(requests.count == 1)
            let announcements = bot.telegram.messages(chat: stagingUser.id).filter { $0.text.contains("Deploy 3333333 to staging") }
            #expect(announcements.count == 1, "\(bot.telegram.messages(chat: stagingUser.id).map(\.text))")
            #expect(!bot.bot.stderr.contains("skipped updates that could not be read"))
            #expect(bot.telegram.pendingTruncations == 0, "the fake never cut an answer")
        }
    }
}
