import Foundation
import JSON
import Synchronization

/// A Telegram Bot API server for tests, on loopback, that answers like the real one for the
/// methods Slipway uses: the envelope, the error codes and the server's own wording, long
/// polling with offsets, 409 conflicts, 429 with retry_after, "message is not modified", the
/// 64-byte callback data and 4,096-character text limits, and HTML entity errors.
///
/// Every call is checked against the published Bot API (method, parameter names, required
/// parameters, types); whatever does not match is kept in `violations` for the test to fail on.
/// Tests inject updates (messages, button presses, raw bytes) and faults (429 storms, 502s,
/// refused connections, through a TCP gate that can be closed without stopping the server).
public final class FakeTelegram: Sendable {
    public let token: String
    public let bot: FakeUser
    let spec: BotAPISpec?
    let state = Mutex(FakeTelegramState())
    let listener = Mutex<FakeTelegramListener?>(nil)
    let gate = Mutex<TCPGate?>(nil)

    /// Starts a server on 127.0.0.1 with a random port.
    /// - Parameter specPath: the Bot API reference; nil looks for `../shared/reference/telegram-bot-api.json`.
    public static func start(token: String = "123456789:AAHfakeTokenForSlipwayTests_0123456789", specPath: String? = nil) async throws -> FakeTelegram {
        guard let path = specPath ?? BotAPISpec.defaultPath() else {
            throw FakeTelegramError("cannot find the Bot API reference (../shared/reference/telegram-bot-api.json)")
        }
        let server = FakeTelegram(token: token, spec: try BotAPISpec(path: path))
        let listener = try await FakeTelegramListener.start(port: 0, server: server)
        let gate = TCPGate(backendPort: listener.port)
        server.listener.withLock { $0 = listener }
        server.gate.withLock { $0 = gate }
        do {
            try gate.open()
        } catch {
            await listener.stop()
            throw error
        }
        return server
    }

    init(token: String, spec: BotAPISpec?) {
        self.token = token
        self.spec = spec
        bot = FakeUser(id: Int64(token.split(separator: ":").first.flatMap { Int64($0) } ?? 1), username: "slipway_test_bot", firstName: "Slipway")
    }

    /// `http://127.0.0.1:PORT`, the value for the client's API URL.
    public var url: String { "http://127.0.0.1:\(gate.withLock { $0 }?.port ?? 0)" }

    // MARK: Lifecycle and outages

    /// Stops listening: calls now fail with "connection refused".
    public func goOffline() async {
        gate.withLock { $0 }?.close()
        wakePollers()
    }

    /// Listens again, on the same port as before.
    public func comeOnline() async throws {
        try gate.withLock { $0 }?.open()
    }

    /// Stops the server for good.
    public func stop() async {
        gate.withLock { $0 }?.close()
        let current = listener.withLock { listener -> FakeTelegramListener? in
            defer { listener = nil }
            return listener
        }
        wakePollers()
        await current?.stop()
    }

    /// While on, every call is answered 502 (a proxy in front of an unreachable Telegram).
    public func setOutage(_ on: Bool) {
        state.withLock { $0.outage = on }
        wakePollers()
    }

    /// The next `count` calls (of `methods`, or of any method) get `fault` instead of an answer.
    public func injectFaults(_ fault: FakeFault, count: Int, methods: Set<String>? = nil) {
        state.withLock { state in
            for _ in 0..<count { state.faults.append((fault, methods)) }
        }
    }

    /// The next `count` getUpdates answers that carry updates arrive cut mid-JSON (HTTP 200).
    public func truncateUpdateAnswers(count: Int) {
        state.withLock { $0.truncatedUpdateAnswers += count }
    }

    /// The next `count` messages the bot sends into `chat` are answered 429 with `retryAfter`
    /// (Telegram limits each chat on its own: about 20 messages a minute in a group).
    public func rateLimit(chat: Int64, retryAfter: Int, count: Int) {
        state.withLock { $0.chatRateLimits[chat] = (retryAfter, count) }
    }

    /// Truncations asked for and not yet made.
    public var pendingTruncations: Int { state.withLock { $0.truncatedUpdateAnswers } }

    // MARK: Updates

    /// A user writes `text` in a private chat with the bot (chat id = user id unless given).
    @discardableResult
    public func sendMessage(from user: FakeUser, text: String, chatID: Int64? = nil) -> (updateID: Int64, messageID: Int64) {
        let result = state.withLock { state -> (Int64, Int64) in
            let chat = chatID ?? user.id
            let messageID = state.nextMessageID(chat: chat)
            var message: JSONValue = [
                "message_id": .int(Int(messageID)), "from": user.json, "chat": Self.chatJSON(chat, user: user),
                "date": .int(Int(Date().timeIntervalSince1970)), "text": .string(text),
            ]
            if text.hasPrefix("/") {
                let length = text.prefix { !$0.isWhitespace }.utf16.count
                message["entities"] = [["offset": 0, "length": .int(length), "type": "bot_command"]]
            }
            let id = state.enqueue { id in (["update_id": .int(Int(id)), "message": message] as JSONValue).jsonBytes() }
            return (id, messageID)
        }
        wakePollers()
        return (updateID: result.0, messageID: result.1)
    }

    /// A user writes raw bytes as a message's text: for text that is not valid UTF-8, as a
    /// broken client or a hostile proxy might produce.
    @discardableResult
    public func sendRawTextMessage(from user: FakeUser, textBytes: [UInt8], chatID: Int64? = nil) -> Int64 {
        let id = state.withLock { state -> Int64 in
            let chat = chatID ?? user.id
            let messageID = state.nextMessageID(chat: chat)
            return state.enqueue { id in
                let before: JSONValue = ["update_id": .int(Int(id))]
                var bytes = Array(before.jsonBytes().dropLast())
                bytes += Array(",\"message\":{\"message_id\":\(messageID),\"from\":".utf8) + user.json.jsonBytes()
                bytes += Array(",\"chat\":".utf8) + Self.chatJSON(chat, user: user).jsonBytes()
                bytes += Array(",\"date\":\(Int(Date().timeIntervalSince1970)),\"text\":\"".utf8) + textBytes + Array("\"}}".utf8)
                return bytes
            }
        }
        wakePollers()
        return id
    }

    /// A user presses a button of a bot message. Returns the update id and the query id.
    @discardableResult
    public func pressButton(from user: FakeUser, chatID: Int64, messageID: Int64, data: String) -> (updateID: Int64, callbackID: String) {
        let result = state.withLock { state -> (Int64, String) in
            state.callbackCounter += 1
            let callbackID = "\(4_000_000_000_000 + state.callbackCounter)"
            state.openCallbacks.insert(callbackID)
            var message: JSONValue = ["message_id": .int(Int(messageID)), "chat": Self.chatJSON(chatID, user: user), "date": 0]
            if let sent = state.messages.first(where: { $0.chatID == chatID && $0.messageID == messageID }) {
                message["from"] = bot.json
                message["date"] = .int(Int(Date().timeIntervalSince1970))
                message["text"] = .string(sent.text)
            }
            let query: JSONValue = ["id": .string(callbackID), "from": user.json, "message": message,
                                    "chat_instance": .string("\(-chatID)"), "data": .string(data)]
            let id = state.enqueue { id in (["update_id": .int(Int(id)), "callback_query": query] as JSONValue).jsonBytes() }
            return (id, callbackID)
        }
        wakePollers()
        return (updateID: result.0, callbackID: result.1)
    }

    /// A press Telegram delivers without a chat message: a button of an inline-mode message
    /// (`inline_message_id`), or one without `data` (a game button). Returns the query id.
    @discardableResult
    public func pressButtonWithoutMessage(from user: FakeUser, inlineMessageID: String?, data: String?) -> String {
        let callbackID = state.withLock { state -> String in
            state.callbackCounter += 1
            let callbackID = "\(4_000_000_000_000 + state.callbackCounter)"
            state.openCallbacks.insert(callbackID)
            var query: JSONValue = ["id": .string(callbackID), "from": user.json, "chat_instance": "inline"]
            if let inlineMessageID { query["inline_message_id"] = .string(inlineMessageID) }
            if let data { query["data"] = .string(data) }
            _ = state.enqueue { id in (["update_id": .int(Int(id)), "callback_query": query] as JSONValue).jsonBytes() }
            return callbackID
        }
        wakePollers()
        return callbackID
    }

    /// Delivers an update again although the bot confirmed it, as Telegram may after a failover.
    public func redeliver(updateID: Int64) {
        state.withLock { state in
            guard let body = state.delivered[updateID] else { return }
            state.queue.append((updateID, body))
            state.queue.sort { $0.0 < $1.0 }
            state.redelivered.insert(updateID)
        }
        wakePollers()
    }

    // MARK: Observations

    /// The bot's messages in `chat`, oldest first.
    public func messages(chat: Int64) -> [FakeMessage] {
        state.withLock { $0.messages.filter { $0.chatID == chat } }
    }

    public var allMessages: [FakeMessage] { state.withLock { $0.messages } }
    public var callbackAnswers: [FakeCallbackAnswer] { state.withLock { $0.callbackAnswers } }
    /// Method names of every call, in order.
    public var calls: [String] { state.withLock { $0.calls } }
    /// Every mismatch with the published Bot API, one line each.
    public var violations: [String] { state.withLock { $0.violations } }
    /// Updates not yet confirmed by an offset.
    public var unconfirmedUpdates: Int { state.withLock { $0.queue.count } }
    /// The commands set for a scope: "default", "all_private_chats" or "chat:ID".
    public func commands(scope: String) -> [String]? { state.withLock { $0.commands[scope] } }
    public var webhook: (url: String, secret: String?)? { state.withLock { $0.webhook } }
    /// The parameters of every call of `method`, in order.
    public func parameters(of method: String) -> [JSONValue] {
        state.withLock { $0.callParameters.filter { $0.0 == method }.map(\.1) }
    }

    /// Long polls waiting for an update right now.
    public var waitingPolls: Int { state.withLock { $0.waiters.count } }
    /// How many getUpdates calls were answered with 409.
    public var conflictsAnswered: Int { state.withLock { $0.conflicts } }

    static func chatJSON(_ chat: Int64, user: FakeUser) -> JSONValue {
        if chat == user.id {
            var value: JSONValue = ["id": .int(Int(chat)), "type": "private", "first_name": .string(user.firstName)]
            if let username = user.username { value["username"] = .string(username) }
            return value
        }
        return ["id": .int(Int(chat)), "type": "group", "title": "Releases"]
    }
}
