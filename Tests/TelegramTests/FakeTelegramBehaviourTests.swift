import FakeTelegramAPI
import JSON
import Telegram
import Testing

/// The fake server refuses what Telegram refuses, in Telegram's words, so that the client's own
/// checks are tested against the real behaviour.
@Suite("Fake Telegram answers as Telegram does")
struct FakeTelegramBehaviourTests {
    func refusal(_ harness: TelegramHarness, _ method: String, _ parameters: JSONValue) async -> TelegramError? {
        do {
            _ = try await harness.client.callOnce(method, parameters)
            return nil
        } catch {
            return error
        }
    }

    @Test("text limits, empty text and oversized callback data")
    func limits() async throws {
        try await TelegramHarness.with { harness in
            let long = String(repeating: "x", count: 4097)
            #expect(await refusal(harness, "sendMessage", ["chat_id": 1001, "text": .string(long)])
                == .api(method: "sendMessage", code: 400, description: "Bad Request: message is too long"))
            #expect(await refusal(harness, "sendMessage", ["chat_id": 1001, "text": "  "])
                == .api(method: "sendMessage", code: 400, description: "Bad Request: message text is empty"))
            let data = String(repeating: "d", count: 65)
            #expect(await refusal(harness, "sendMessage", ["chat_id": 1001, "text": "x",
                                                           "reply_markup": ["inline_keyboard": [[["text": "b", "callback_data": .string(data)]]]]])
                == .api(method: "sendMessage", code: 400, description: "Bad Request: BUTTON_DATA_INVALID"))

            let sent = try #require(try await harness.client.sendMessage(chatID: 1001, html: "short").first)
            #expect(await refusal(harness, "editMessageText", ["chat_id": 1001, "message_id": .int(Int(sent.messageID)), "text": .string(long)])
                == .api(method: "editMessageText", code: 400, description: "Bad Request: MESSAGE_TOO_LONG"))
            // The client cuts an over-long edit at a safe place instead.
            try await harness.client.editMessageText(chatID: 1001, messageID: sent.messageID, html: "<b>" + long + "</b>")
            let edited = try #require(harness.fake.messages(chat: 1001).first)
            #expect(edited.text.utf16.count <= 4096 && edited.text.hasSuffix("…"))
        }
    }

    @Test("entity errors name the offending tag and offset")
    func entities() async throws {
        try await TelegramHarness.with { harness in
            #expect(await refusal(harness, "sendMessage", ["chat_id": 1001, "text": "<blink>x</blink>", "parse_mode": "HTML"])
                == .api(method: "sendMessage", code: 400,
                        description: "Bad Request: can't parse entities: Unsupported start tag \"blink\" at byte offset 0"))
            #expect(await refusal(harness, "sendMessage", ["chat_id": 1001, "text": "<b>x</i>", "parse_mode": "HTML"])
                == .api(method: "sendMessage", code: 400,
                        description: "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""))
        }
    }

    @Test("a rate limit carries retry_after, and an answered query cannot be answered again")
    func rateLimitAndQueries() async throws {
        try await TelegramHarness.with { harness in
            harness.fake.injectFaults(.tooManyRequests(retryAfter: 7), count: 1)
            let limited = await refusal(harness, "getMe", [:])
            #expect(limited == .rateLimited(method: "getMe", retryAfter: 7), "\(String(describing: limited))")
            let press = harness.fake.pressButton(from: alice, chatID: alice.id, messageID: 1, data: "x")
            let answered = await refusal(harness, "answerCallbackQuery", ["callback_query_id": .string(press.callbackID)])
            #expect(answered == nil, "\(String(describing: answered))")
            let again = await refusal(harness, "answerCallbackQuery", ["callback_query_id": .string(press.callbackID)])
            #expect(again == .api(method: "answerCallbackQuery", code: 400,
                                  description: "Bad Request: query is too old and response timeout expired or query ID is invalid"),
                    "\(String(describing: again))")
        }
    }
}
