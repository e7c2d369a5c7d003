import FakeTelegramAPI
import JSON
import Testing

/// The fake server's check of calls against the published Bot API must itself catch mistakes,
/// or every other test's "no violations" would mean nothing.
@Suite("Bot API reference check")
struct FakeTelegramSpecTests {
    let spec: BotAPISpec

    init() throws {
        spec = try BotAPISpec(path: try #require(BotAPISpec.defaultPath()))
    }

    @Test("documented calls pass")
    func goodCalls() {
        #expect(spec.violations(method: "sendMessage", parameters: [
            "chat_id": 1, "text": "hi", "parse_mode": "HTML",
            "reply_markup": ["inline_keyboard": [[["text": "OK", "callback_data": "ok"]]]],
        ]).isEmpty)
        #expect(spec.violations(method: "setMyCommands", parameters: [
            "commands": [["command": "deploy", "description": "Deploy"]], "scope": ["type": "chat", "chat_id": 5],
        ]).isEmpty)
        #expect(spec.violations(method: "getUpdates", parameters: ["offset": 3, "timeout": 25, "allowed_updates": ["message"]]).isEmpty)
    }

    @Test("unknown methods, unknown or missing parameters and wrong types are caught")
    func badCalls() {
        #expect(spec.violations(method: "sendMesage", parameters: ["chat_id": 1, "text": "x"]) == ["sendMesage: no such Bot API method"])
        #expect(spec.violations(method: "sendMessage", parameters: ["chat_id": 1]).contains("sendMessage: required parameter text is missing"))
        #expect(spec.violations(method: "sendMessage", parameters: ["chat_id": 1, "text": "x", "colour": "red"])
            .contains("sendMessage: unknown parameter colour"))
        #expect(!spec.violations(method: "sendMessage", parameters: ["chat_id": true, "text": "x"]).isEmpty)
        #expect(!spec.violations(method: "getUpdates", parameters: ["timeout": "25"]).isEmpty)
        #expect(!spec.violations(method: "sendMessage", parameters: [
            "chat_id": 1, "text": "x", "reply_markup": ["inline_keyboard": [[["callback_data": "no title"]]]],
        ]).isEmpty, "a button without text is not an InlineKeyboardButton")
        #expect(!spec.violations(method: "setMyCommands", parameters: [
            "commands": [["command": "deploy", "description": "Deploy"]], "scope": ["type": "chat"],
        ]).isEmpty, "a chat scope needs its chat_id")
    }
}
