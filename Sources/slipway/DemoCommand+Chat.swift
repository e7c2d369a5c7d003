import ChatOps
import Foundation
import Kube
import Logging
import SlipwayCLI
import Synchronization

/// `slipway demo --chat`: the bot's commands typed at the terminal. Lines go to the same
/// `ChatOpsEngine` the Telegram front-end uses, as messages from an admin in an allowed chat;
/// the bot's messages come back as plain text, their buttons numbered: type the number to
/// press one. Nothing here is special to the console except reading and printing.
enum DemoChat {
    static let chatID: Int64 = 1
    static let adminID: Int64 = 1

    static func run(client: KubeClient, namespace: String, directory: URL, style: TerminalStyle) async throws {
        var secret = [UInt8](repeating: 0, count: 32)
        for index in secret.indices { secret[index] = .random(in: .min ... .max) }
        let configuration = ChatOpsConfiguration(
            namespace: namespace, allowedChats: [chatID], roles: ["admin": [adminID]], callbackSecret: secret,
            auditLogPath: directory.appendingPathComponent("audit.jsonl").path,
            stateDirectory: directory.appendingPathComponent("chatops", isDirectory: true).path,
            identityPrefix: "console")
        let surface = ConsoleChatSurface(style: style)
        let engine = try ChatOpsEngine(configuration: configuration, surface: surface, kube: client,
                                       commitResolver: DemoCommitResolver(), logger: Logger(label: "slipway.chatops"))
        Terminal.line("""

            \(style.paint("Console chat", .bold)): type the bot's commands as an admin, e.g. /status, /deploy staging, \
            /deploy production, /history production, /rollback production. Type a button's number to press it; \
            quit or Ctrl-D ends the demo.
            """)
        var updateID: Int64 = 0
        for await line in StandardInputLines.stream() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "quit" || text == "exit" { break }
            updateID += 1
            let user = ChatUser(id: adminID, username: "demo-admin")
            if let number = Int(text) {
                guard let button = surface.button(number) else {
                    Terminal.line(style.paint("no button \(number) on screen", .yellow))
                    continue
                }
                await engine.handle(.callback(updateID: updateID, callbackID: "press-\(updateID)", message: button.message,
                                              from: user, data: button.data))
            } else {
                await engine.handle(.command(updateID: updateID, chatID: chatID, messageID: 100_000 + updateID, from: user, text: text))
            }
        }
        await engine.shutdown()
    }
}

/// The newest commit of a branch, as the demo pretends GitHub would answer: a stable hash of
/// the repository, the branch and the minute, so that `/deploy ENV` works without a network.
struct DemoCommitResolver: CommitResolver {
    func newestCommit(owner: String, repo: String, branch: String) async throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let minute = Int(Date().timeIntervalSince1970 / 60)
        for byte in "\(owner)/\(repo)@\(branch)#\(minute)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(String(hash, radix: 16).suffix(7)).padding(toLength: 7, withPad: "0", startingAt: 0)
    }
}

/// The bot's messages printed as text; each button gets a number the user types to press it.
final class ConsoleChatSurface: ChatSurface {
    struct Button: Sendable {
        var message: ChatMessageRef
        var data: String
    }

    private struct State {
        var nextMessage: Int64 = 1
        var buttons: [Int: Button] = [:]
        var nextButton = 1
    }

    private let state = Mutex(State())
    private let style: TerminalStyle

    init(style: TerminalStyle) { self.style = style }

    func button(_ number: Int) -> Button? { state.withLock { $0.buttons[number] } }

    func send(_ message: OutgoingMessage, to chatID: Int64) async throws -> ChatMessageRef {
        let ref = state.withLock { state -> ChatMessageRef in
            defer { state.nextMessage += 1 }
            return ChatMessageRef(chatID: chatID, messageID: state.nextMessage)
        }
        show(message, ref: ref, edited: false)
        return ref
    }

    func edit(_ ref: ChatMessageRef, to message: OutgoingMessage) async throws {
        show(message, ref: ref, edited: true)
    }

    func answerCallback(_ callbackID: String, text: String?, alert: Bool) async throws {
        if let text, !text.isEmpty { Terminal.line(style.paint("  (\(text))", .dim)) }
    }

    private func show(_ message: OutgoingMessage, ref: ChatMessageRef, edited: Bool) {
        let numbered = state.withLock { state in
            message.buttons.map { row in
                row.map { button -> String in
                    let number = state.nextButton
                    state.nextButton += 1
                    state.buttons[number] = Button(message: ref, data: button.callbackData)
                    return "[\(number)] \(button.title)"
                }.joined(separator: "  ")
            }
        }
        let label = "bot #\(ref.messageID)" + (edited ? " (edited)" : "")
        var text = style.paint(label, .cyan) + "\n" + Self.plainText(message.html).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  " + $0 }.joined(separator: "\n")
        for row in numbered where !row.isEmpty { text += "\n  " + style.paint(row, .bold) }
        Terminal.line(text)
    }

    /// Telegram's HTML subset as plain text: tags dropped, the five entities decoded.
    static func plainText(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; continue }
            if character == ">" && inTag { inTag = false; continue }
            if !inTag { text.append(character) }
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// Lines of standard input, read on a thread of their own (a blocking read must not hold a
/// thread of the concurrency pool).
enum StandardInputLines {
    static func stream() -> AsyncStream<String> {
        AsyncStream { continuation in
            Thread.detachNewThread {
                while let line = readLine(strippingNewline: true) {
                    continuation.yield(line)
                }
                continuation.finish()
            }
        }
    }
}
