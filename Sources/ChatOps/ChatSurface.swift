/// The few things ChatOps needs from a chat platform, and the values it exchanges with one.
///
/// ChatOps knows nothing of Telegram: the Bot API client adapts its updates to `ChatInput`
/// and implements `ChatSurface`; the demo's console chat and the tests do the same. Message
/// text is HTML in the subset Telegram's `parse_mode=HTML` accepts
/// (https://core.telegram.org/bots/api#html-style); ChatOps escapes every piece of user or
/// cluster text it puts in, so a surface sends `html` as is. Splitting text longer than
/// Telegram's 4,096 characters and coalescing frequent edits are the surface's job.

/// Who sent a message or pressed a button. Telegram user ids are 64-bit.
public struct ChatUser: Sendable, Hashable {
    public var id: Int64
    public var username: String?

    public init(id: Int64, username: String? = nil) {
        self.id = id
        self.username = username
    }
}

/// One message the bot sent, so it can be edited later.
public struct ChatMessageRef: Sendable, Hashable, Codable {
    public var chatID: Int64
    public var messageID: Int64

    public init(chatID: Int64, messageID: Int64) {
        self.chatID = chatID
        self.messageID = messageID
    }
}

/// An inline button; `callbackData` comes back in `ChatInput.callback` when it is pressed.
/// ChatOps keeps it within Telegram's 64 bytes.
public struct ChatButton: Sendable, Hashable {
    public var title: String
    public var callbackData: String

    public init(title: String, callbackData: String) {
        self.title = title
        self.callbackData = callbackData
    }
}

/// A message to send or an edit to make: HTML text (already escaped) and rows of buttons
/// (empty: no keyboard, and an edit removes any keyboard).
public struct OutgoingMessage: Sendable, Hashable {
    public var html: String
    public var buttons: [[ChatButton]]

    public init(html: String, buttons: [[ChatButton]] = []) {
        self.html = html
        self.buttons = buttons
    }
}

/// One update from the chat platform.
public enum ChatInput: Sendable, Hashable {
    /// A text message. `text` is passed as received; ChatOps parses and validates it.
    case command(updateID: Int64, chatID: Int64, messageID: Int64, from: ChatUser, text: String)
    /// A button press on one of the bot's messages.
    case callback(updateID: Int64, callbackID: String, message: ChatMessageRef, from: ChatUser, data: String)
}

/// What ChatOps needs from a chat platform. Implementations: Telegram (Bot API), the demo
/// console, tests.
public protocol ChatSurface: Sendable {
    /// Sends a new message and returns where it landed.
    func send(_ message: OutgoingMessage, to chatID: Int64) async throws -> ChatMessageRef
    /// Replaces text and buttons of a message the bot sent. "Message is not modified" is success.
    func edit(_ ref: ChatMessageRef, to message: OutgoingMessage) async throws
    /// Answers a button press (stops the client's spinner); `alert` shows a dialog instead of a toast.
    func answerCallback(_ callbackID: String, text: String?, alert: Bool) async throws
}
