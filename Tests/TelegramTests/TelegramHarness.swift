import FakeTelegramAPI
import HTTP
import Logging
import Telegram
import Testing

/// A fake Telegram and a client pointed at it, for one test. Afterwards every call the client
/// made is checked against the published Bot API: a mismatch fails the test.
struct TelegramHarness {
    let fake: FakeTelegram
    let client: TelegramClient
    let token: BotToken

    static let quickRetries = TelegramClientConfiguration(
        requestTimeout: .seconds(60), maxAttempts: 6, longestRetryAfter: .seconds(5),
        backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(400)))

    static func with(configuration: TelegramClientConfiguration = quickRetries,
                     sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: (TelegramHarness) async throws -> Void) async throws {
        let fake = try await FakeTelegram.start()
        let http = try HTTPClient()
        var configuration = configuration
        configuration.apiURL = fake.url
        let token = try BotToken(fake.token)
        let harness = TelegramHarness(fake: fake, client: TelegramClient(token: token, configuration: configuration, http: http,
                                                                         logger: Logger(label: "test.telegram")),
                                      token: token)
        do {
            try await body(harness)
        } catch {
            await fake.stop()
            http.shutdown()
            throw error
        }
        for violation in fake.violations {
            Issue.record("call does not match the Bot API: \(violation)", sourceLocation: sourceLocation)
        }
        await fake.stop()
        http.shutdown()
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

let alice = FakeUser(id: 1001, username: "alice", firstName: "Alice")
let mallory = FakeUser(id: 6666, username: "mallory", firstName: "Mallory")
