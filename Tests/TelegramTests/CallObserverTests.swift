import FakeTelegramAPI
import Foundation
import HTTP
import Logging
import Synchronization
import Telegram
import Testing

@Suite("Telegram client call observer")
struct CallObserverTests {
    @Test("every attempt is reported: answers as ok, outages, rate limits and a refused token as errors")
    func reportsEachAttempt() async throws {
        try await TelegramHarness.with { harness in
            let seen = Mutex<[String]>([])
            let http = try HTTPClient()
            defer { http.shutdown() }
            let client = TelegramClient(token: harness.token, configuration: TelegramHarness.quickRetries.with(apiURL: harness.fake.url),
                                        http: http, logger: Logger(label: "test.telegram"),
                                        observer: { method, outcome in seen.withLock { $0.append("\(method) \(outcome.rawValue)") } })
            _ = try await client.getMe()
            harness.fake.injectFaults(.badGateway, count: 1, methods: ["getMe"])
            await #expect(throws: TelegramError.self) { _ = try await client.callOnce("getMe") }
            harness.fake.injectFaults(.tooManyRequests(retryAfter: 1), count: 1, methods: ["getMe"])
            await #expect(throws: TelegramError.self) { _ = try await client.callOnce("getMe") }
            // `call` retries the outage: two attempts, two reports.
            harness.fake.injectFaults(.internalError, count: 1, methods: ["getMe"])
            _ = try await client.getMe()
            #expect(seen.withLock { $0 } == ["getMe ok", "getMe error", "getMe error", "getMe error", "getMe ok"])
        }
    }

    @Test("a refusal of one request still means Telegram answered; a cancelled call says nothing")
    func outcomeOfFailures() {
        #expect(TelegramCallOutcome(failure: .api(method: "editMessageText", code: 400, description: "Bad Request: message to edit not found")) == .ok)
        #expect(TelegramCallOutcome(failure: .api(method: "sendMessage", code: 403, description: "Forbidden: bot was blocked by the user")) == .ok)
        #expect(TelegramCallOutcome(failure: .api(method: "getMe", code: 502, description: "Bad Gateway")) == .error)
        #expect(TelegramCallOutcome(failure: .unauthorized(method: "getMe")) == .error)
        #expect(TelegramCallOutcome(failure: .conflict(method: "getUpdates", description: "Conflict")) == .error)
        #expect(TelegramCallOutcome(failure: .transport(method: "getMe", message: "connection refused")) == .error)
        #expect(TelegramCallOutcome(failure: .cancelled) == nil)
    }
}

extension TelegramClientConfiguration {
    func with(apiURL: String) -> TelegramClientConfiguration {
        var copy = self
        copy.apiURL = apiURL
        return copy
    }
}
