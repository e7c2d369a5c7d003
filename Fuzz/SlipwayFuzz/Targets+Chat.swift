@testable import ChatOps
import Foundation
@testable import Telegram
import TelegramChatOps

extension FuzzTargets {
    /// What the bot reads from Telegram and from people: getUpdates answers, command text,
    /// callback data on button presses; and the audit log it verifies (a file anyone with
    /// access to the disk may have edited).
    static let chat: [FuzzTarget] = [
        FuzzTarget(name: "telegram-updates", input: "a getUpdates answer body") { bytes in
            guard let batch = try? UpdateBatch.read(bytes, status: 200) else { return }
            for update in batch.updates {
                switch ChatInput(telegram: update) {
                case .command(_, _, _, _, let text): checkCommand(text)
                case .callback(_, _, _, _, let data): checkCallbackData(data)
                case nil: break
                }
            }
        },
        FuzzTarget(name: "command", input: "a chat message's text") { bytes in
            checkCommand(String(decoding: bytes, as: UTF8.self))
        },
        FuzzTarget(name: "callback-token", input: "a button's callback data") { bytes in
            checkCallbackData(String(decoding: bytes, as: UTF8.self))
        },
        FuzzTarget(name: "audit-log", input: "the bytes of an audit log file, NUL, its head file") { bytes in
            let (log, head) = splitAtNUL(bytes)
            let parts = String(decoding: head, as: UTF8.self).split(separator: " ")
            let recorded = parts.count == 2 ? Int(parts[0]).map { (sequence: $0, hash: String(parts[1])) } : nil
            let verification = AuditLog.verify(contents: Array(log), recordedHead: recorded, headFile: "audit.log.head")
            // Every problem names a line of the file (or the one after its last).
            let lineCount = log.split(separator: 0x0A, omittingEmptySubsequences: false).count
            for problem in verification.problems {
                require((0...lineCount + 1).contains(problem.line), "problem at line \(problem.line) of a \(lineCount)-line file")
            }
        },
    ]

    static let environments: Set<String> = ["staging", "production"]

    /// Only allow-listed words get through: an accepted command names a known environment and,
    /// if any, a commit of 7–40 hex digits.
    static func checkCommand(_ text: String) {
        guard case .success(let command) = CommandParser.parse(text, environments: environments) else { return }
        switch command {
        case .deploy(let environment, let commit):
            require(environments.contains(environment), "accepted environment \(environment)")
            if let commit { require(CommandParser.isCommit(commit), "accepted commit \(commit)") }
        case .rollback(let environment), .approve(let environment), .abort(let environment),
             .promote(let environment), .history(let environment):
            require(environments.contains(environment), "accepted environment \(environment)")
        case .start, .help, .status:
            break
        }
    }

    static let secret = Array("fuzz-callback-secret-32-bytes!!!".utf8)
    static let binding = CallbackToken.Binding(chatID: 1, messageID: 2, userID: 3, environment: "staging")

    /// Data that reads as a token writes back as the same data, and a MAC the fuzzer made up
    /// does not verify unless it is the real one.
    static func checkCallbackData(_ data: String) {
        guard let token = CallbackToken(data: data) else { return }
        require(token.data == data, "\(data) reads as a token that writes \(token.data)")
        let genuine = CallbackToken.sign(kind: token.kind, nonce: token.nonce, expiresAt: token.expiresAt, binding: binding, secret: secret)
        require(token.verifies(binding: binding, secret: secret) == (token.mac == genuine.mac), "a forged MAC verified")
    }
}
