import ChatOps
import Foundation
import JSON
import Kube
import SlipwayAPI
import Synchronization
import Testing

/// Update and message ids, increasing.
final class Counter: Sendable {
    private let value = Mutex<Int64>(1)
    func next() -> Int64 { value.withLock { $0 += 1; return $0 } }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date) { time = Mutex(start) }
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

struct FixedCommitResolver: CommitResolver {
    var sha: String
    func newestCommit(owner: String, repo: String, branch: String) async throws -> String { sha }
}

/// An engine on the embedded cluster with a recording surface, and the people of the tests.
struct EngineFixture: Sendable {
    static let chat: Int64 = -100
    static let notifications: Int64 = -200
    static let alice = ChatUser(id: 1, username: "alice")      // admin
    static let dave = ChatUser(id: 4, username: "dave")        // admin
    static let bob = ChatUser(id: 2, username: "bob")          // staging
    static let mallory = ChatUser(id: 9, username: "mallory")  // nobody
    static let secret = "fixture-callback-secret-0123456789abcdef"
    static let newest = "feedc0ffee0123456789abcdef0123456789abcd"

    let cluster: ChatCluster
    let surface: RecordingSurface
    let engine: ChatOpsEngine
    let clock: TestClock
    let configuration: ChatOpsConfiguration
    let ids: Counter

    var auditPath: String { configuration.auditLogPath ?? "" }

    static func configuration(directory: URL, github: GitHubSettings = GitHubSettings()) -> ChatOpsConfiguration {
        ChatOpsConfiguration(
            namespace: ChatCluster.namespace, allowedChats: [chat, notifications],
            roles: ["admin": [alice.id, dave.id], "staging": [bob.id]],
            notificationChat: notifications, callbackSecret: Array(secret.utf8), callbackLifetime: .seconds(600),
            auditLogPath: directory.appendingPathComponent("audit.jsonl").path, stateDirectory: directory.path, github: github)
    }

    /// Runs `body` with a fresh cluster and engine. Saturday 2026-11-28 12:00 UTC.
    static func with(resolver: (any CommitResolver)? = FixedCommitResolver(sha: newest), github: GitHubSettings = GitHubSettings(),
                     _ body: (EngineFixture) async throws -> Void) async throws {
        try await ChatCluster.with { cluster in
            let clock = TestClock(Date(timeIntervalSince1970: 1_795_867_200))
            let surface = RecordingSurface()
            let configuration = configuration(directory: cluster.directory, github: github)
            let engine = try ChatOpsEngine(configuration: configuration, surface: surface, kube: cluster.kube, commitResolver: resolver,
                                           clock: { clock.now })
            let fixture = EngineFixture(cluster: cluster, surface: surface, engine: engine, clock: clock, configuration: configuration,
                                        ids: Counter())
            do {
                try await body(fixture)
            } catch {
                await engine.shutdown()
                throw error
            }
            await engine.shutdown()
        }
    }

    /// A second engine on the same state, as after a restart (optionally with other roles).
    func restarted(roles: [String: Set<Int64>]? = nil) throws -> ChatOpsEngine {
        let clock = self.clock
        var configuration = self.configuration
        if let roles { configuration.roles = roles }
        return try ChatOpsEngine(configuration: configuration, surface: surface, kube: cluster.kube,
                                 commitResolver: FixedCommitResolver(sha: Self.newest), clock: { clock.now })
    }

    func nextID() -> Int64 { ids.next() }

    /// Sends a command; returns the update so a test can deliver it again.
    @discardableResult
    func say(_ text: String, as user: ChatUser, in chat: Int64 = Self.chat) async -> ChatInput {
        let id = nextID()
        let input = ChatInput.command(updateID: id, chatID: chat, messageID: id, from: user, text: text)
        await engine.handle(input)
        return input
    }

    /// Presses the button titled `title` on the message `ref` as it is now.
    @discardableResult
    func press(_ title: String, on ref: ChatMessageRef, as user: ChatUser) async throws -> RecordingSurface.Answer {
        let message = try #require(surface.current(ref))
        let button = try #require(message.buttons.flatMap { $0 }.first { $0.title == title }, "no \(title) button on \(message.html)")
        return await press(data: button.callbackData, on: ref, as: user)
    }

    func press(data: String, on ref: ChatMessageRef, as user: ChatUser, using engine: ChatOpsEngine? = nil) async -> RecordingSurface.Answer {
        let id = nextID()
        let callbackID = "cb\(id)"
        await (engine ?? self.engine).handle(.callback(updateID: id, callbackID: callbackID, message: ref, from: user, data: data))
        return surface.answers.last { $0.callbackID == callbackID } ?? RecordingSurface.Answer(callbackID: callbackID, text: nil, alert: false)
    }

    /// The newest message in the chat.
    func lastMessage(in chat: Int64 = Self.chat) throws -> (ref: ChatMessageRef, message: OutgoingMessage) {
        try #require(surface.messages(in: chat).last)
    }

    func auditActions() throws -> [String] {
        try AuditLog.entries(fileAt: auditPath).compactMap { $0["action"]?.stringValue }
    }

    func auditEntries() throws -> [[String: String]] {
        try AuditLog.entries(fileAt: auditPath).map { entry in
            var fields: [String: String] = [:]
            for key in ["action", "environment", "commit", "request", "result", "username"] {
                if let value = entry[key]?.stringValue { fields[key] = value }
            }
            if let actor = entry["actor_id"]?.intValue { fields["actor_id"] = String(actor) }
            return fields
        }
    }

    /// Waits for the message to show `text`.
    func waitFor(_ text: String, on ref: ChatMessageRef, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("the message to show \(text)", sourceLocation: sourceLocation) {
            surface.current(ref)?.html.contains(text) == true
        }
    }
}
