import ChatOps
import Logging
import Telegram

/// ChatOps' chat surface on the Telegram Bot API.
///
/// Sends go out at once (split past 4,096 characters; the returned reference is the last part,
/// which carries the buttons). Edits go through an `EditCoalescer`, so a chat sees at most
/// about one edit a second and only the newest state of a progress message; an edit that
/// cannot be made while Telegram is unreachable is tried again until it lands.
public final class TelegramSurface: ChatSurface {
    private let client: TelegramClient
    private let coalescer: EditCoalescer
    private let logger: Logger

    public init(client: TelegramClient, editInterval: Duration = .seconds(1), logger: Logger) {
        self.client = client
        self.logger = logger
        coalescer = EditCoalescer(interval: editInterval) { edit in
            do {
                try await client.editMessageText(chatID: edit.chatID, messageID: edit.messageID, html: edit.html, keyboard: edit.keyboard)
                return true
            } catch let error as TelegramError {
                logger.warning("could not edit a message", metadata: ["chat": "\(edit.chatID)", "message": "\(edit.messageID)",
                                                                      "error": "\(error)"])
                return !error.isRetryable
            } catch {
                return true
            }
        }
    }

    public func send(_ message: OutgoingMessage, to chatID: Int64) async throws -> ChatMessageRef {
        let sent = try await client.sendMessage(chatID: chatID, html: message.html, keyboard: Self.keyboard(message.buttons))
        guard let last = sent.last else {
            throw TelegramError.invalidResponse(method: "sendMessage", detail: "no message was sent")
        }
        return ChatMessageRef(chatID: last.chat.id, messageID: last.messageID)
    }

    public func edit(_ ref: ChatMessageRef, to message: OutgoingMessage) async throws {
        await coalescer.submit(EditCoalescer.Edit(chatID: ref.chatID, messageID: ref.messageID, html: message.html,
                                                  keyboard: Self.keyboard(message.buttons)))
    }

    public func answerCallback(_ callbackID: String, text: String?, alert: Bool) async throws {
        do {
            try await client.answerCallbackQuery(id: callbackID, text: text, alert: alert)
        } catch {
            // A query older than Telegram keeps (a redelivered update) cannot be answered; the
            // press itself was still handled, so this is no failure of the command.
            if case .api(_, 400, let description) = error, description.contains("query is too old") { return }
            throw error
        }
    }

    /// Returns once every queued edit has been made (or given up), for a graceful stop.
    public func flush() async {
        await coalescer.waitUntilIdle()
    }

    static func keyboard(_ rows: [[ChatButton]]) -> [[InlineKeyboardButton]] {
        rows.map { row in row.map { InlineKeyboardButton(text: $0.title, callbackData: $0.callbackData) } }
    }
}
