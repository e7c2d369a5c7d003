import FakeTelegramAPI
import Foundation
import HTTP
import Logging
import Telegram
import Testing

@Suite("Telegram client against a fake Bot API")
struct TelegramClientTests {
    @Test("sendMessage delivers escaped HTML with its buttons; the user sees the literal text")
    func sendsEscapedHTML() async throws {
        try await TelegramHarness.with { harness in
            let text = "<b>Deploy</b> " + HTMLText.escape("a < b && c > \"d\"")
            let sent = try await harness.client.sendMessage(
                chatID: alice.id, html: text,
                keyboard: [[InlineKeyboardButton(text: "Confirm", callbackData: "c:1"), InlineKeyboardButton(text: "Cancel", callbackData: "x:1")]])
            #expect(sent.count == 1)
            let message = try #require(harness.fake.messages(chat: alice.id).first)
            #expect(message.text == "Deploy a < b && c > \"d\"")
            #expect(message.buttons.flatMap { $0.map(\.callbackData) } == ["c:1", "x:1"])
            #expect(sent.first?.messageID == message.messageID)
        }
    }

    @Test("text past 4,096 characters goes out as several messages, each accepted, none breaking a tag")
    func splitsLongText() async throws {
        try await TelegramHarness.with { harness in
            let line = "<b>step</b> " + String(repeating: "x", count: 60) + " &amp; done\n"
            let html = "<pre>" + String(repeating: line, count: 200) + "</pre>"
            let sent = try await harness.client.sendMessage(chatID: alice.id, html: html,
                                                            keyboard: [[InlineKeyboardButton(text: "OK", callbackData: "ok")]])
            #expect(sent.count > 1)
            let messages = harness.fake.messages(chat: alice.id)
            #expect(messages.count == sent.count)
            #expect(messages.allSatisfy { $0.text.utf16.count <= 4096 })
            #expect(messages.last?.buttons.isEmpty == false)
            #expect(messages.dropLast().allSatisfy { $0.buttons.isEmpty })
            let joined = messages.map(\.text).joined(separator: "\n")
            #expect(joined.components(separatedBy: "&").count - 1 == 200, "an entity was cut or lost")
        }
    }

    @Test("editing to the same text counts as done; a changed text is applied")
    func editNotModifiedIsSuccess() async throws {
        try await TelegramHarness.with { harness in
            let sent = try #require(try await harness.client.sendMessage(chatID: alice.id, html: "<b>Queued</b>").first)
            try await harness.client.editMessageText(chatID: alice.id, messageID: sent.messageID, html: "<b>Queued</b>")
            try await harness.client.editMessageText(chatID: alice.id, messageID: sent.messageID, html: "<b>Progressing</b> 40%")
            let message = try #require(harness.fake.messages(chat: alice.id).first)
            #expect(message.text == "Progressing 40%")
            #expect(message.editCount == 1)
            try await harness.client.editMessageReplyMarkup(chatID: alice.id, messageID: sent.messageID,
                                                            keyboard: [[InlineKeyboardButton(text: "Abort", callbackData: "a")]])
            #expect(harness.fake.messages(chat: alice.id).first?.buttons.first?.first?.text == "Abort")
        }
    }

    @Test("callback data over 64 bytes and empty text are refused before anything is sent")
    func refusesWhatTelegramRefuses() async throws {
        try await TelegramHarness.with { harness in
            let long = String(repeating: "a", count: 65)
            await #expect(throws: TelegramError.self) {
                try await harness.client.sendMessage(chatID: alice.id, html: "x", keyboard: [[InlineKeyboardButton(text: "x", callbackData: long)]])
            }
            await #expect(throws: TelegramError.self) { try await harness.client.sendMessage(chatID: alice.id, html: "<b> </b>") }
            #expect(harness.fake.messages(chat: alice.id).isEmpty)
        }
    }

    @Test("malformed HTML gets Telegram's own explanation")
    func entityErrorIsReported() async throws {
        try await TelegramHarness.with { harness in
            do {
                try await harness.client.sendMessage(chatID: alice.id, html: "<b>unclosed")
                Issue.record("malformed HTML was accepted")
            } catch let error as TelegramError {
                #expect(error == .api(method: "sendMessage", code: 400,
                                      description: "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""))
            }
        }
    }

    @Test("answerCallbackQuery stops the spinner with a text; setMyCommands per chat gives each user their own list")
    func callbacksAndCommands() async throws {
        try await TelegramHarness.with { harness in
            let sent = try #require(try await harness.client.sendMessage(chatID: alice.id, html: "Deploy?",
                                                                         keyboard: [[InlineKeyboardButton(text: "Confirm", callbackData: "c")]]).first)
            let press = harness.fake.pressButton(from: alice, chatID: alice.id, messageID: sent.messageID, data: "c")
            try await harness.client.answerCallbackQuery(id: press.callbackID, text: "Confirmed", alert: false)
            #expect(harness.fake.callbackAnswers == [FakeCallbackAnswer(callbackID: press.callbackID, text: "Confirmed", showAlert: false)])

            try await harness.client.setMyCommands([BotCommand(command: "status", description: "Environments and releases")], scope: .defaultScope)
            try await harness.client.setMyCommands([BotCommand(command: "deploy", description: "Deploy an environment"),
                                                    BotCommand(command: "status", description: "Environments and releases")],
                                                   scope: .chat(alice.id))
            #expect(harness.fake.commands(scope: "default") == ["status"])
            #expect(harness.fake.commands(scope: "chat:\(alice.id)") == ["deploy", "status"])
        }
    }

    @Test("a 429 storm is waited out with retry_after and the message is sent once")
    func rateLimitIsWaitedOut() async throws {
        try await TelegramHarness.with { harness in
            harness.fake.injectFaults(.tooManyRequests(retryAfter: 1), count: 2, methods: ["sendMessage"])
            try await harness.client.sendMessage(chatID: alice.id, html: "after the storm")
            #expect(harness.fake.messages(chat: alice.id).map(\.text) == ["after the storm"])
            #expect(harness.fake.calls.filter { $0 == "sendMessage" }.count == 3)
        }
    }

    @Test("a rate limit longer than the client will wait is returned with its retry_after")
    func longRateLimitIsReturned() async throws {
        try await TelegramHarness.with { harness in
            harness.fake.injectFaults(.tooManyRequests(retryAfter: 60), count: 1)
            do {
                try await harness.client.sendMessage(chatID: alice.id, html: "x")
                Issue.record("the call succeeded through a 60 s rate limit")
            } catch let error as TelegramError {
                #expect(error == .rateLimited(method: "sendMessage", retryAfter: 60))
            }
        }
    }

    @Test("502s from a proxy are retried with backoff until Telegram answers")
    func badGatewayIsRetried() async throws {
        try await TelegramHarness.with { harness in
            harness.fake.injectFaults(.badGateway, count: 3)
            try await harness.client.sendMessage(chatID: alice.id, html: "through")
            #expect(harness.fake.messages(chat: alice.id).count == 1)
        }
    }

    @Test("an unreachable Telegram ends in a transport error that never shows the token")
    func outageErrorHidesToken() async throws {
        var configuration = TelegramHarness.quickRetries
        configuration.maxAttempts = 2
        try await TelegramHarness.with(configuration: configuration) { harness in
            await harness.fake.goOffline()
            do {
                try await harness.client.sendMessage(chatID: alice.id, html: "x")
                Issue.record("a call to a stopped server succeeded")
            } catch let error as TelegramError {
                guard case .transport = error else {
                    Issue.record("expected a transport error, got \(error)")
                    return
                }
                #expect(!"\(error)".contains(harness.token.secret))
                #expect(!String(reflecting: error).contains(harness.token.secret))
            }
            try await harness.fake.comeOnline()
            try await harness.client.sendMessage(chatID: alice.id, html: "back")
            #expect(harness.fake.messages(chat: alice.id).map(\.text) == ["back"])
        }
    }

    @Test("a wrong token is reported as Unauthorized with what to do, and the token is not in the message")
    func wrongToken() async throws {
        try await TelegramHarness.with { harness in
            let wrong = TelegramClient(token: try BotToken("42:wrongwrongwrongwrong"), configuration: harness.client.configuration,
                                       http: try HTTP.HTTPClient(), logger: .init(label: "test"))
            do {
                _ = try await wrong.getMe()
                Issue.record("a wrong token was accepted")
            } catch let error as TelegramError {
                #expect(error == .unauthorized(method: "getMe"))
                #expect("\(error)".contains("TELEGRAM_BOT_TOKEN"))
                #expect(!"\(error)".contains("wrongwrongwrongwrong"))
            }
        }
    }

    @Test("polling while a webhook is set is a clear conflict; deleteWebhook clears it")
    func webhookConflict() async throws {
        try await TelegramHarness.with { harness in
            try await harness.client.setWebhook(url: "https://bot.example.com/telegram", secretToken: WebhookVerifier.generateSecret())
            #expect(harness.fake.webhook?.url == "https://bot.example.com/telegram")
            do {
                _ = try await harness.client.getUpdates(offset: nil, timeout: .seconds(0))
                Issue.record("getUpdates worked with a webhook set")
            } catch let error as TelegramError {
                guard case .conflict(_, let description) = error else {
                    Issue.record("expected a conflict, got \(error)")
                    return
                }
                #expect(description.contains("webhook is active"))
                #expect("\(error)".contains("deleteWebhook"))
            }
            try await harness.client.deleteWebhook()
            let batch = try await harness.client.getUpdates(offset: nil, timeout: .seconds(0))
            #expect(batch.updates.isEmpty)
        }
    }

    @Test("a second poller terminates the first with 409, worded as Telegram words it")
    func twoPollersConflict() async throws {
        try await TelegramHarness.with { harness in
            let first = Task { try await harness.client.getUpdates(offset: nil, timeout: .seconds(25)) }
            #expect(await eventually { harness.fake.waitingPolls > 0 })
            _ = try await harness.client.getUpdates(offset: nil, timeout: .seconds(0))
            do {
                _ = try await first.value
                Issue.record("the first poll was not terminated")
            } catch let error as TelegramError {
                #expect(error == .conflict(method: "getUpdates",
                                           description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"))
            }
        }
    }
}
