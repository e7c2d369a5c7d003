import JSON

/// The Bot API methods the bot uses, typed.
/// See https://core.telegram.org/bots/api#available-methods
extension TelegramClient {
    /// https://core.telegram.org/bots/api#getme — also proves the token works.
    public func getMe() async throws(TelegramError) -> User {
        try decode(try await call("getMe"), as: User.self, method: "getMe")
    }

    /// https://core.telegram.org/bots/api#setwebhook — Telegram then POSTs updates to `url`
    /// with `secretToken` in the `X-Telegram-Bot-Api-Secret-Token` header.
    public func setWebhook(url: String, secretToken: String, allowedUpdates: [String] = Update.handledKinds) async throws(TelegramError) {
        _ = try await call("setWebhook", [
            "url": .string(url),
            "secret_token": .string(secretToken),
            "allowed_updates": .array(allowedUpdates.map { .string($0) }),
        ])
    }

    /// https://core.telegram.org/bots/api#deletewebhook — needed before polling.
    public func deleteWebhook(dropPendingUpdates: Bool = false) async throws(TelegramError) {
        _ = try await call("deleteWebhook", ["drop_pending_updates": .bool(dropPendingUpdates)])
    }

    /// https://core.telegram.org/bots/api#sendmessage — HTML text, split into several messages
    /// past 4,096 characters; the keyboard goes on the last one. Returns the messages sent.
    @discardableResult
    public func sendMessage(chatID: Int64, html: String, keyboard: [[InlineKeyboardButton]] = []) async throws(TelegramError) -> [Message] {
        guard !HTMLText.visibleText(html).allSatisfy(\.isWhitespace) else {
            throw .invalidArgument("a message needs some visible text")
        }
        try Self.checkKeyboard(keyboard)
        let parts = HTMLText.split(html)
        var sent: [Message] = []
        for (index, part) in parts.enumerated() {
            var parameters: JSONValue = ["chat_id": .int(Int(chatID)), "text": .string(part), "parse_mode": "HTML"]
            if index == parts.count - 1, !keyboard.isEmpty {
                parameters["reply_markup"] = Self.markup(keyboard)
            }
            let result = try await call("sendMessage", parameters)
            sent.append(try decode(result, as: Message.self, method: "sendMessage"))
        }
        return sent
    }

    /// https://core.telegram.org/bots/api#editmessagetext — an edit to the same text and keyboard
    /// ("message is not modified") counts as done. Text past the limit is cut at a safe place.
    public func editMessageText(chatID: Int64, messageID: Int64, html: String, keyboard: [[InlineKeyboardButton]] = []) async throws(TelegramError) {
        guard !HTMLText.visibleText(html).allSatisfy(\.isWhitespace) else {
            throw .invalidArgument("a message needs some visible text")
        }
        try Self.checkKeyboard(keyboard)
        var text = html
        if text.utf16.count > HTMLText.messageLimit {
            text = (HTMLText.split(html, limit: HTMLText.messageLimit - 2).first ?? "") + "\n…"
        }
        var parameters: JSONValue = [
            "chat_id": .int(Int(chatID)), "message_id": .int(Int(messageID)), "text": .string(text), "parse_mode": "HTML",
        ]
        // An empty keyboard is sent too, so that an edit can remove the buttons.
        parameters["reply_markup"] = Self.markup(keyboard)
        try await ignoringNotModified { () async throws(TelegramError) in _ = try await call("editMessageText", parameters) }
    }

    /// https://core.telegram.org/bots/api#editmessagereplymarkup — an empty keyboard removes the buttons.
    public func editMessageReplyMarkup(chatID: Int64, messageID: Int64, keyboard: [[InlineKeyboardButton]]) async throws(TelegramError) {
        try Self.checkKeyboard(keyboard)
        let parameters: JSONValue = ["chat_id": .int(Int(chatID)), "message_id": .int(Int(messageID)), "reply_markup": Self.markup(keyboard)]
        try await ignoringNotModified { () async throws(TelegramError) in _ = try await call("editMessageReplyMarkup", parameters) }
    }

    /// https://core.telegram.org/bots/api#answercallbackquery — stops the button's spinner;
    /// `alert` shows the text in a dialog instead of a toast.
    public func answerCallbackQuery(id: String, text: String? = nil, alert: Bool = false) async throws(TelegramError) {
        var parameters: JSONValue = ["callback_query_id": .string(id)]
        if let text { parameters["text"] = .string(String(text.prefix(200))) }
        if alert { parameters["show_alert"] = true }
        _ = try await call("answerCallbackQuery", parameters)
    }

    /// https://core.telegram.org/bots/api#setmycommands — with `.chat(id)` each chat sees only
    /// the commands its user may use.
    public func setMyCommands(_ commands: [BotCommand], scope: BotCommandScope = .defaultScope) async throws(TelegramError) {
        let list: [JSONValue] = commands.map { ["command": .string($0.command), "description": .string($0.description)] }
        let scopeValue: JSONValue
        switch scope {
        case .defaultScope: scopeValue = ["type": "default"]
        case .allPrivateChats: scopeValue = ["type": "all_private_chats"]
        case .chat(let id): scopeValue = ["type": "chat", "chat_id": .int(Int(id))]
        }
        _ = try await call("setMyCommands", ["commands": .array(list), "scope": scopeValue])
    }

    static func markup(_ keyboard: [[InlineKeyboardButton]]) -> JSONValue {
        let rows: [JSONValue] = keyboard.map { row in
            .array(row.map { ["text": .string($0.text), "callback_data": .string($0.callbackData)] })
        }
        return ["inline_keyboard": .array(rows)]
    }

    /// Refuses buttons Telegram would refuse, with a message that says which.
    static func checkKeyboard(_ keyboard: [[InlineKeyboardButton]]) throws(TelegramError) {
        for button in keyboard.joined() {
            let bytes = button.callbackData.utf8.count
            guard (1...InlineKeyboardButton.maximumCallbackDataBytes).contains(bytes) else {
                throw .invalidArgument("the callback data of button \"\(button.text)\" is \(bytes) bytes; Telegram takes 1 to 64")
            }
            guard !button.text.isEmpty else { throw .invalidArgument("a button needs a title") }
        }
    }

    private func ignoringNotModified(_ body: () async throws(TelegramError) -> Void) async throws(TelegramError) {
        do {
            try await body()
        } catch {
            if case .api(_, 400, let description) = error, description.contains("message is not modified") { return }
            throw error
        }
    }
}
