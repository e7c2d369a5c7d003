import Foundation
import JSON
import Synchronization

/// Everything the fake server remembers, under one lock.
struct FakeTelegramState {
    var outage = false
    var faults: [(FakeFault, Set<String>?)] = []
    var nextUpdateID: Int64 = 100_000
    var queue: [(Int64, [UInt8])] = []
    /// Confirmed updates, kept so that a test can have one delivered again.
    var delivered: [Int64: [UInt8]] = [:]
    var redelivered: Set<Int64> = []
    var messageCounters: [Int64: Int64] = [:]
    var messages: [FakeMessage] = []
    var callbackCounter = 0
    var openCallbacks: Set<String> = []
    var callbackAnswers: [FakeCallbackAnswer] = []
    var commands: [String: [String]] = [:]
    var webhook: (url: String, secret: String?)?
    var calls: [String] = []
    var callParameters: [(String, JSONValue)] = []
    var violations: [String] = []
    var conflicts = 0
    /// How many more getUpdates answers that carry updates are cut in half (HTTP 200, the body
    /// ends mid-JSON), as a proxy or a dropped connection can leave them.
    var truncatedUpdateAnswers = 0
    /// Per chat, how many more messages sent into it get 429 with this retry_after.
    var chatRateLimits: [Int64: (retryAfter: Int, count: Int)] = [:]
    /// The long poll that currently owns the queue; an older one is answered 409.
    var activePoll: UUID?
    var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    mutating func nextMessageID(chat: Int64) -> Int64 {
        let next = (messageCounters[chat] ?? 0) + 1
        messageCounters[chat] = next
        return next
    }

    mutating func enqueue(_ makeBody: (Int64) -> [UInt8]) -> Int64 {
        nextUpdateID += 1
        queue.append((nextUpdateID, makeBody(nextUpdateID)))
        return nextUpdateID
    }

    /// Confirms every update below `offset`, as getUpdates with that offset does.
    mutating func confirm(below offset: Int64) {
        for (id, body) in queue where id < offset { delivered[id] = body }
        queue.removeAll { $0.0 < offset }
    }

    mutating func takeFault(for method: String) -> FakeFault? {
        guard let index = faults.firstIndex(where: { $0.1?.contains(method) ?? true }) else { return nil }
        return faults.remove(at: index).0
    }
}

extension FakeTelegram {
    func wakePollers() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func wake(_ id: UUID) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
    }

    /// Waits until something changes or `deadline` passes.
    private func waitForChange(until deadline: ContinuousClock.Instant) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { $0.waiters[id] = continuation }
                Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    self?.wake(id)
                }
            }
        } onCancel: {
            self.wake(id)
        }
    }

    /// Answers one request to `/bot<token>/<method>`.
    func handle(path: String, body: [UInt8]) async -> FakeAnswer {
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].hasPrefix("bot") else { return .notFound }
        guard parts[0].dropFirst(3) == token else { return .unauthorized }
        let method = String(parts[1])
        let parameters: JSONValue
        if body.isEmpty {
            parameters = .emptyObject
        } else if let parsed = try? JSONValue(parsing: body) {
            parameters = parsed
        } else {
            return .badRequest("can't parse JSON encoded request")
        }
        let (outage, fault) = state.withLock { state -> (Bool, FakeFault?) in
            state.calls.append(method)
            state.callParameters.append((method, parameters))
            if let spec {
                state.violations.append(contentsOf: spec.violations(method: method, parameters: parameters))
            }
            return (state.outage, state.outage ? nil : state.takeFault(for: method))
        }
        if outage { return .badGatewayPage }
        if method == "sendMessage", let chat = parameters["chat_id"]?.intValue.map(Int64.init) {
            let retryAfter = state.withLock { state -> Int? in
                guard let limit = state.chatRateLimits[chat], limit.count > 0 else { return nil }
                state.chatRateLimits[chat] = (limit.retryAfter, limit.count - 1)
                return limit.retryAfter
            }
            if let retryAfter { return .error(429, "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter) }
        }
        switch fault {
        case .tooManyRequests(let retryAfter)?: return .error(429, "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter)
        case .badGateway?: return .badGatewayPage
        case .internalError?: return .error(500, "Internal Server Error")
        case nil: break
        }
        switch method {
        case "getMe": return .ok(bot.json.merging(["is_bot": true]))
        case "getUpdates": return truncatedIfAsked(await getUpdates(parameters))
        case "setWebhook": return setWebhook(parameters)
        case "deleteWebhook":
            state.withLock { $0.webhook = nil }
            return .ok(true)
        case "getWebhookInfo":
            let url = state.withLock { $0.webhook?.url } ?? ""
            return .ok(["url": .string(url), "has_custom_certificate": false, "pending_update_count": 0])
        case "sendMessage": return sendMessage(parameters)
        case "editMessageText": return editMessage(parameters, textChanges: true)
        case "editMessageReplyMarkup": return editMessage(parameters, textChanges: false)
        case "answerCallbackQuery": return answerCallback(parameters)
        case "setMyCommands": return setMyCommands(parameters)
        default: return .notFound
        }
    }

    /// The answer with its body cut in half when a truncation was asked for and it carries updates.
    private func truncatedIfAsked(_ answer: FakeAnswer) -> FakeAnswer {
        guard answer.status == 200, (try? JSONValue(parsing: answer.body))?["result"]?.arrayValue?.isEmpty == false else { return answer }
        let cut = state.withLock { state -> Bool in
            guard state.truncatedUpdateAnswers > 0 else { return false }
            state.truncatedUpdateAnswers -= 1
            return true
        }
        guard cut else { return answer }
        var truncated = answer
        truncated.body = Array(answer.body.prefix(answer.body.count / 2))
        return truncated
    }

    private func getUpdates(_ parameters: JSONValue) async -> FakeAnswer {
        let poll = UUID()
        let timeout = max(0, parameters["timeout"]?.intValue ?? 0)
        let offset = parameters["offset"]?.intValue.map(Int64.init)
        let limit = min(100, max(1, parameters["limit"]?.intValue ?? 100))
        let webhookActive = state.withLock { state -> Bool in
            guard state.webhook == nil else { return true }
            state.activePoll = poll
            if let offset { state.confirm(below: offset) }
            return false
        }
        if webhookActive {
            state.withLock { $0.conflicts += 1 }
            return .webhookActive
        }
        wakePollers()  // an older poll learns it was superseded
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            enum Step { case superseded, outage, deliver([UInt8]), wait }
            let step = state.withLock { state -> Step in
                if state.activePoll != poll {
                    state.conflicts += 1
                    return .superseded
                }
                if state.outage { return .outage }
                guard !state.queue.isEmpty else { return .wait }
                var body = Array("{\"ok\":true,\"result\":[".utf8)
                for (index, update) in state.queue.prefix(limit).enumerated() {
                    if index > 0 { body.append(UInt8(ascii: ",")) }
                    body += update.1
                }
                body += Array("]}".utf8)
                return .deliver(body)
            }
            switch step {
            case .superseded: return .terminatedByOtherPoll
            case .outage: return .badGatewayPage
            case .deliver(let body): return FakeAnswer(status: 200, body: body)
            case .wait:
                guard ContinuousClock.now < deadline, !Task.isCancelled else { return .ok([]) }
                await waitForChange(until: deadline)
            }
        }
    }

    private func setWebhook(_ parameters: JSONValue) -> FakeAnswer {
        guard let url = parameters["url"]?.stringValue else { return .badRequest("parameter \"url\" is required") }
        let secret = parameters["secret_token"]?.stringValue
        if let secret, !(1...256).contains(secret.count)
            || !secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            return .badRequest("secret token contains unallowed characters")
        }
        if url.isEmpty {
            state.withLock { $0.webhook = nil }
            return .ok(true)
        }
        guard url.hasPrefix("https://") else { return .badRequest("bad webhook: An HTTPS URL must be provided for webhook") }
        state.withLock { $0.webhook = (url, secret) }
        wakePollers()
        return .ok(true)
    }

    private func sendMessage(_ parameters: JSONValue) -> FakeAnswer {
        guard let chatID = parameters["chat_id"]?.intValue.map(Int64.init) else { return .badRequest("chat not found") }
        let checked = checkText(parameters, tooLong: "message is too long")
        let visible: String
        switch checked {
        case .failure(let failure): return failure.answer
        case .success(let text): visible = text
        }
        let buttons: [[FakeButton]]
        switch keyboard(parameters) {
        case .failure(let failure): return failure.answer
        case .success(let rows): buttons = rows
        }
        let message = state.withLock { state -> FakeMessage in
            let message = FakeMessage(chatID: chatID, messageID: state.nextMessageID(chat: chatID),
                                      html: parameters["text"]?.stringValue ?? "", text: visible, buttons: buttons, editCount: 0)
            state.messages.append(message)
            return message
        }
        return .ok(messageJSON(message))
    }

    private func editMessage(_ parameters: JSONValue, textChanges: Bool) -> FakeAnswer {
        guard let chatID = parameters["chat_id"]?.intValue.map(Int64.init),
              let messageID = parameters["message_id"]?.intValue.map(Int64.init) else {
            return .badRequest("message identifier is not specified")
        }
        var visible: String?
        if textChanges {
            switch checkText(parameters, tooLong: "MESSAGE_TOO_LONG") {
            case .failure(let failure): return failure.answer
            case .success(let text): visible = text
            }
        }
        let buttons: [[FakeButton]]
        switch keyboard(parameters) {
        case .failure(let failure): return failure.answer
        case .success(let rows): buttons = rows
        }
        return state.withLock { state -> FakeAnswer in
            guard let index = state.messages.firstIndex(where: { $0.chatID == chatID && $0.messageID == messageID }) else {
                return .badRequest("message to edit not found")
            }
            var message = state.messages[index]
            let html = textChanges ? parameters["text"]?.stringValue ?? "" : message.html
            if message.html == html && message.text == (visible ?? message.text) && message.buttons == buttons {
                return .notModified
            }
            message.html = html
            message.text = visible ?? message.text
            message.buttons = buttons
            message.editCount += 1
            state.messages[index] = message
            return .ok(messageJSON(message))
        }
    }

    private func answerCallback(_ parameters: JSONValue) -> FakeAnswer {
        guard let id = parameters["callback_query_id"]?.stringValue else { return .badRequest("QUERY_ID_INVALID") }
        return state.withLock { state -> FakeAnswer in
            guard state.openCallbacks.remove(id) != nil else {
                return .badRequest("query is too old and response timeout expired or query ID is invalid")
            }
            state.callbackAnswers.append(FakeCallbackAnswer(callbackID: id, text: parameters["text"]?.stringValue,
                                                            showAlert: parameters["show_alert"]?.boolValue ?? false))
            return .ok(true)
        }
    }

    private func setMyCommands(_ parameters: JSONValue) -> FakeAnswer {
        var names: [String] = []
        for command in parameters["commands"]?.arrayValue ?? [] {
            let name = command["command"]?.stringValue ?? ""
            guard (1...32).contains(name.count), name.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }) else {
                return .badRequest("BOT_COMMAND_INVALID")
            }
            guard (1...256).contains((command["description"]?.stringValue ?? "").count) else {
                return .badRequest("command description is empty")
            }
            names.append(name)
        }
        let scope: String
        switch parameters[path: "scope", "type"]?.stringValue ?? "default" {
        case "chat":
            guard let chat = parameters[path: "scope", "chat_id"]?.intValue else { return .badRequest("chat not found") }
            scope = "chat:\(chat)"
        case let other: scope = other
        }
        state.withLock { $0.commands[scope] = names }
        return .ok(true)
    }

    /// The visible text of a message's `text` under its parse mode, or the server's refusal.
    private func checkText(_ parameters: JSONValue, tooLong: String) -> Result<String, FakeAnswerFailure> {
        let text = parameters["text"]?.stringValue ?? ""
        var visible = text
        if parameters["parse_mode"]?.stringValue == "HTML" {
            switch FakeHTML.parse(text) {
            case .success(let parsed): visible = parsed
            case .failure(let failure): return .failure(FakeAnswerFailure(.badRequest("can't parse entities: " + failure.reason)))
            }
        }
        let trimmed = visible.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(FakeAnswerFailure(.badRequest("message text is empty"))) }
        guard trimmed.utf16.count <= 4096 else { return .failure(FakeAnswerFailure(.badRequest(tooLong))) }
        return .success(trimmed)
    }

    private func keyboard(_ parameters: JSONValue) -> Result<[[FakeButton]], FakeAnswerFailure> {
        guard let markup = parameters["reply_markup"] else { return .success([]) }
        var rows: [[FakeButton]] = []
        for row in markup["inline_keyboard"]?.arrayValue ?? [] {
            var buttons: [FakeButton] = []
            for button in row.arrayValue ?? [] {
                let data = button["callback_data"]?.stringValue ?? ""
                guard (1...64).contains(data.utf8.count) else { return .failure(FakeAnswerFailure(.badRequest("BUTTON_DATA_INVALID"))) }
                let text = button["text"]?.stringValue ?? ""
                guard !text.isEmpty else { return .failure(FakeAnswerFailure(.badRequest("BUTTON_TEXT_EMPTY"))) }
                buttons.append(FakeButton(text: text, callbackData: data))
            }
            rows.append(buttons)
        }
        return .success(rows)
    }

    private func messageJSON(_ message: FakeMessage) -> JSONValue {
        var value: JSONValue = [
            "message_id": .int(Int(message.messageID)), "from": bot.json.merging(["is_bot": true]),
            "chat": ["id": .int(Int(message.chatID)), "type": message.chatID > 0 ? "private" : "group"],
            "date": .int(Int(Date().timeIntervalSince1970)), "text": .string(message.text),
        ]
        if !message.buttons.isEmpty {
            value["reply_markup"] = ["inline_keyboard": .array(message.buttons.map { row in
                .array(row.map { ["text": .string($0.text), "callback_data": .string($0.callbackData)] })
            })]
        }
        return value
    }
}

struct FakeAnswerFailure: Error {
    var answer: FakeAnswer
    init(_ answer: FakeAnswer) { self.answer = answer }
}

extension JSONValue {
    func merging(_ other: OrderedDictionary<String, JSONValue>) -> JSONValue {
        guard var object = objectValue else { return self }
        for (key, value) in other { object[key] = value }
        return .object(object)
    }
}
