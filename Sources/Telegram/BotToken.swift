import Foundation

/// A bot token from @BotFather, kept out of every description so that printing it (in an
/// error, a log line, a debugger) shows nothing secret.
///
/// The token goes into the URL path (`/bot<token>/<method>`), so its shape is checked before
/// use: digits, a colon, then letters, digits, `_` and `-`.
/// See https://core.telegram.org/bots/api#authorizing-your-bot
public struct BotToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let secret: String

    public init(_ text: String) throws(TelegramError) {
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = token.firstIndex(of: ":") else {
            throw .invalidArgument("the bot token has no colon; it must look like 123456:ABC-DEF (as @BotFather gives it)")
        }
        let id = token[..<colon], key = token[token.index(after: colon)...]
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidArgument("the bot token must start with the bot's numeric id and a colon, as @BotFather gives it")
        }
        guard key.count >= 8, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw .invalidArgument("the bot token's secret part must be letters, digits, '_' or '-', as @BotFather gives it")
        }
        secret = token
    }

    /// The token from `file` when given, else from `TELEGRAM_BOT_TOKEN` in `environment`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TelegramError) -> BotToken {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .invalidArgument("cannot read the bot token file \(file); check the path and its permissions")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .invalidArgument("the bot token file \(file) is not UTF-8 text")
            }
            return try BotToken(text)
        }
        guard let text = environment["TELEGRAM_BOT_TOKEN"], !text.isEmpty else {
            throw .invalidArgument("no bot token: pass --token-file FILE or set TELEGRAM_BOT_TOKEN")
        }
        return try BotToken(text)
    }

    /// The bot's own user id: the part before the colon, not secret.
    public var botID: Int64? { secret.split(separator: ":").first.flatMap { Int64($0) } }

    /// `text` with every occurrence of the token replaced.
    public func redact(_ text: String) -> String {
        text.contains(secret) ? text.replacing(secret, with: "<redacted>") : text
    }

    public var description: String { "<redacted bot token>" }
    public var debugDescription: String { description }
}
