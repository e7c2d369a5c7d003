import Synchronization
import Telegram

/// Whom a command is for. In a group several bots read the same messages, and Telegram's
/// convention is that `/deploy@other_bot staging` is for `other_bot` alone: a command whose
/// `@username` suffix is not this bot's is ignored without a word; one with this bot's
/// username, or none, is handled. Usernames compare case-insensitively, as Telegram's do.
/// See https://core.telegram.org/bots/features#commands
public enum CommandAddressee: Sendable, Equatable {
    /// No suffix: for every bot that reads it.
    case anyBot
    /// `/command@username`.
    case bot(String)

    /// The addressee of a message's text; nil when it is not a command.
    public init?(text: String) {
        let trimmed = text.drop { $0 == " " }
        guard trimmed.hasPrefix("/") else { return nil }
        let word = trimmed.prefix { $0 != " " && $0 != "\n" }
        guard let at = word.firstIndex(of: "@") else {
            self = .anyBot
            return
        }
        self = .bot(String(word[word.index(after: at)...]))
    }

    /// Whether a bot named `username` should handle the command.
    public func isFor(_ username: String) -> Bool {
        switch self {
        case .anyBot: true
        case .bot(let name): name.lowercased() == username.lowercased()
        }
    }
}

/// This bot's username, learnt once from getMe and kept (it changes only through BotFather,
/// and a bot restarts after that).
final class BotUsername: Sendable {
    private let known = Mutex<String?>(nil)

    /// The username, asking Telegram the first time; nil when Telegram cannot tell now.
    func value(client: TelegramClient) async -> String? {
        if let name = known.withLock({ $0 }) { return name }
        guard let name = try? await client.getMe().username else { return nil }
        known.withLock { $0 = name }
        return name
    }

    /// Learns the username, reporting Telegram's error (at start, before any update is taken).
    func learn(client: TelegramClient) async throws(TelegramError) {
        if known.withLock({ $0 }) != nil { return }
        let me = try await client.getMe()
        known.withLock { $0 = me.username }
    }
}
