import Foundation
import Logging
import Synchronization
import Telegram
import Testing

/// A log handler that keeps what it is asked to write.
struct CapturingLogHandler: LogHandler {
    let lines: CapturedLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        lines.append("\(event.message) \(merged)")
    }
}

final class CapturedLines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

@Suite("Bot token handling")
struct SecretHandlingTests {
    let tokenText = "123456789:AAHsecretSECRETsecret_-42"

    @Test("the token never shows when printed, and malformed tokens are refused with a hint")
    func tokenDescription() throws {
        let token = try BotToken(tokenText + "\n")
        #expect(token.secret == tokenText)
        #expect(!"\(token)".contains("secret"))
        #expect(!String(reflecting: token).contains("secret"))
        #expect(token.botID == 123456789)
        #expect(throws: TelegramError.self) { try BotToken("no-colon") }
        #expect(throws: TelegramError.self) { try BotToken("12:abc/../x") }
        #expect(throws: TelegramError.self) { try BotToken("abc:defghijklmnop") }
    }

    @Test("the token comes from a file first, else from TELEGRAM_BOT_TOKEN")
    func loading() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try Data((tokenText + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try BotToken.load(file: file.path, environment: [:]).secret == tokenText)
        #expect(try BotToken.load(file: nil, environment: ["TELEGRAM_BOT_TOKEN": tokenText]).secret == tokenText)
        #expect(throws: TelegramError.self) { try BotToken.load(file: nil, environment: [:]) }
        #expect(throws: TelegramError.self) { try BotToken.load(file: "/nonexistent/token", environment: [:]) }
    }

    @Test("log lines through the redacting handler never carry the token, in the message or the metadata")
    func logRedaction() {
        let lines = CapturedLines()
        var logger = Logger(label: "test") { _ in
            RedactingLogHandler(wrapping: CapturingLogHandler(lines: lines), secrets: [tokenText])
        }
        logger.logLevel = .trace
        logger[metadataKey: "url"] = "https://api.telegram.org/bot\(tokenText)/getMe"
        logger.debug("transfer finished: POST https://api.telegram.org/bot\(tokenText)/sendMessage",
                     metadata: ["request": "POST /bot\(tokenText)/getUpdates", "list": .array([.string(tokenText)])])
        #expect(lines.all.count == 1)
        #expect(lines.all.allSatisfy { !$0.contains(tokenText) && !$0.contains("AAHsecret") })
        #expect(lines.all.first?.contains("<redacted>") == true)
    }
}
