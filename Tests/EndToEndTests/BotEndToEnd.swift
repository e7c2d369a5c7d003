import FakeTelegramAPI
import Foundation
import Kube
import SlipwayAPI
import Synchronization
import Testing

/// `slipway cluster`, `slipway controller` and `slipway bot` as separate processes, the bot
/// talking to a fake Telegram in this process. Afterwards every Bot API call the bot made is
/// checked against the published API: a mismatch fails the test.
final class BotEndToEnd: Sendable {
    let cluster: EndToEndCluster
    let telegram: FakeTelegram
    let bot: ChildProcess
    let auditFile: String
    /// The arguments every bot process of this test gets.
    let botArguments: [String]
    private let replicas = Mutex<[ChildProcess]>([])

    private init(cluster: EndToEndCluster, telegram: FakeTelegram, bot: ChildProcess, auditFile: String, botArguments: [String]) {
        self.cluster = cluster
        self.telegram = telegram
        self.bot = bot
        self.auditFile = auditFile
        self.botArguments = botArguments
    }

    /// Starts another `slipway bot` process with the same configuration (and `extra` arguments);
    /// it is stopped with the test.
    func startBot(_ extra: [String] = []) throws -> ChildProcess {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built") }
        let process = try ChildProcess(binary, botArguments + extra)
        replicas.withLock { $0.append(process) }
        return process
    }

    /// Runs `body` with the production application of `Fixture` (approval as asked), a staging
    /// one, and a bot polling the fake Telegram; stops everything afterwards.
    static func with(approvalRequired: Bool = false, callbackLifetime: Int = 600, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: (BotEndToEnd) async throws -> Void) async throws {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built") }
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(approvalRequired: approvalRequired))
            try await cluster.apply(BotFixture.stagingApplication())
            let telegram = try await FakeTelegram.start()
            let directory = cluster.directory
            let auditFile = directory.appendingPathComponent("audit.jsonl").path
            let state = directory.appendingPathComponent("bot-state").path
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let tokenFile = directory.appendingPathComponent("bot-token").path
            let secretFile = directory.appendingPathComponent("callback-secret").path
            let configFile = directory.appendingPathComponent("chatops.yaml").path
            try Data((telegram.token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
            try Data(BotFixture.callbackSecret.utf8).write(to: URL(fileURLWithPath: secretFile))
            try Data(BotFixture.configuration(auditFile: auditFile, stateDirectory: state, secretFile: secretFile,
                                              callbackLifetime: callbackLifetime).utf8).write(to: URL(fileURLWithPath: configFile))
            let arguments = ["bot", "--kubeconfig", cluster.kubeconfig, "--config", configFile, "--token-file", tokenFile,
                             "--api-url", telegram.url, "--poll-timeout", "2", "--log-level", "debug",
                             "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0"]
            let bot = try ChildProcess(binary, arguments)
            let environment = BotEndToEnd(cluster: cluster, telegram: telegram, bot: bot, auditFile: auditFile, botArguments: arguments)
            do {
                guard try await bot.waitForOutput(containing: "slipway bot started", timeout: .seconds(30)) else {
                    throw EndToEndError("slipway bot did not start: \(bot.stderr)")
                }
                try await body(environment)
            } catch {
                await environment.stop()
                throw error
            }
            await environment.stop()
            for violation in Set(telegram.violations).sorted() {
                Issue.record("the bot's call does not match the Bot API: \(violation)", sourceLocation: sourceLocation)
            }
            #expect(!bot.stderr.contains(telegram.token), "the bot token appeared in the bot's log", sourceLocation: sourceLocation)
            #expect(!bot.stderr.contains(BotFixture.callbackSecret), "the callback secret appeared in the bot's log", sourceLocation: sourceLocation)
        }
    }

    private func stop() async {
        for process in [bot] + replicas.withLock({ $0 }) {
            process.terminate()
            if (try? await process.waitForExit(timeout: .seconds(15))) != true {
                process.kill()
                _ = try? await process.waitForExit(timeout: .seconds(5))
            }
        }
        await telegram.stop()
    }

    // MARK: Talking to the bot

    /// Sends `text` as `user` (in their private chat unless `chat` is given) and waits until the
    /// bot has taken the update; returns the update id.
    @discardableResult
    func say(_ text: String, as user: FakeUser, in chat: Int64? = nil) async throws -> Int64 {
        let update = telegram.sendMessage(from: user, text: text, chatID: chat)
        try await waitUntilTaken()
        return update.updateID
    }

    /// Waits until the bot confirmed every update, and then until it answered a /status sent
    /// after them: updates are handled in order, so everything before has been handled too.
    func waitUntilHandled(chat: Int64 = BotFixture.admin.id, user: FakeUser = BotFixture.admin) async throws {
        let before = telegram.messages(chat: chat).count
        telegram.sendMessage(from: user, text: "/status", chatID: chat)
        let answered = try await waitUntil(timeout: .seconds(30)) { self.telegram.messages(chat: chat).count > before }
        guard answered else { throw EndToEndError("the bot did not answer /status: \(bot.stderr.suffix(2000))") }
    }

    func waitUntilTaken() async throws {
        guard try await waitUntil(timeout: .seconds(30), { self.telegram.unconfirmedUpdates == 0 }) else {
            throw EndToEndError("the bot did not take its updates")
        }
    }

    /// The first message of the bot in `chat` whose text contains `text`, waiting for it.
    func message(in chat: Int64, containing text: String, timeout: Duration = .seconds(30),
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> FakeMessage {
        var found: FakeMessage?
        _ = try await waitUntil(timeout: timeout) {
            found = self.telegram.messages(chat: chat).first { $0.text.contains(text) }
            return found != nil
        }
        guard let found else {
            let seen = telegram.messages(chat: chat).map(\.text).joined(separator: "\n---\n")
            Issue.record("no message containing \"\(text)\" in chat \(chat); the bot sent:\n\(seen)", sourceLocation: sourceLocation)
            throw EndToEndError("no message containing \"\(text)\"")
        }
        return found
    }

    /// Waits until the message (by id) satisfies `condition`; returns it as it then was.
    func waitForMessage(_ message: FakeMessage, timeout: Duration = .seconds(90), sourceLocation: SourceLocation = #_sourceLocation,
                        until condition: @escaping (FakeMessage) -> Bool) async throws -> FakeMessage {
        var latest = message
        let reached = try await waitUntil(timeout: timeout) {
            latest = self.telegram.messages(chat: message.chatID).first { $0.messageID == message.messageID } ?? latest
            return condition(latest)
        }
        if !reached { Issue.record("message \(message.messageID) never got there; it reads:\n\(latest.text)", sourceLocation: sourceLocation) }
        return latest
    }

    /// The button titled `title` of a message.
    func button(_ title: String, of message: FakeMessage) throws -> FakeButton {
        guard let button = message.buttons.joined().first(where: { $0.title == title }) else {
            throw EndToEndError("message \(message.messageID) has no \(title) button: \(message.buttons)")
        }
        return button
    }

    /// Presses a button and waits for the bot's answer to it.
    @discardableResult
    func press(_ button: FakeButton, on message: FakeMessage, as user: FakeUser) async throws -> FakeCallbackAnswer {
        let press = telegram.pressButton(from: user, chatID: message.chatID, messageID: message.messageID, data: button.callbackData)
        var answer: FakeCallbackAnswer?
        _ = try await waitUntil(timeout: .seconds(30)) {
            answer = self.telegram.callbackAnswers.first { $0.callbackID == press.callbackID }
            return answer != nil
        }
        guard let answer else { throw EndToEndError("the bot did not answer the press of \(button.title)") }
        return answer
    }

    // MARK: The cluster and the audit log

    func requests() async throws -> [DeploymentRequest] {
        try await cluster.client.listAll(DeploymentRequest.self, namespace: Fixture.namespace).items
    }

    func auditEntries() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: auditFile, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// `slipway audit verify FILE`: its exit status and output.
    func verifyAudit(_ file: String) async throws -> (status: Int32, output: String) {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built") }
        let result = try await runProgram(binary, ["audit", "verify", file])
        return (result.status, result.stdout + result.stderr)
    }
}

extension FakeButton {
    var title: String { text }
}
