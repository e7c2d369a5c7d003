import FakeTelegramAPI
import JSON
import Logging
import Synchronization
import Telegram
import Testing

/// Updates a poller handed over, in order.
final class ReceivedUpdates: Sendable {
    private let storage = Mutex<[Update]>([])
    func append(_ update: Update) { storage.withLock { $0.append(update) } }
    var all: [Update] { storage.withLock { $0 } }
}

@Suite("Long polling against a fake Bot API")
struct UpdatePollerTests {
    @Test("updates arrive in order, each once, and are confirmed with the next offset")
    func deliversAndConfirms() async throws {
        try await TelegramHarness.with { harness in
            let received = ReceivedUpdates()
            let poller = UpdatePoller(client: harness.client, pollTimeout: .seconds(2), logger: Logger(label: "test"))
            let polling = Task { try await poller.run { received.append($0) } }
            let first = harness.fake.sendMessage(from: alice, text: "/status")
            let sent = try #require(try await harness.client.sendMessage(chatID: alice.id, html: "Deploy?",
                                                                         keyboard: [[InlineKeyboardButton(text: "Confirm", callbackData: "c:1")]]).first)
            let press = harness.fake.pressButton(from: alice, chatID: alice.id, messageID: sent.messageID, data: "c:1")
            #expect(await eventually { received.all.count == 2 })
            #expect(await eventually { harness.fake.unconfirmedUpdates == 0 })
            polling.cancel()
            _ = try? await polling.value

            let updates = received.all
            #expect(updates.map(\.updateID) == [first.updateID, press.updateID])
            #expect(updates.first?.message?.text == "/status")
            #expect(updates.first?.message?.from?.username == "alice")
            #expect(updates.last?.callbackQuery?.data == "c:1")
            #expect(updates.last?.callbackQuery?.message?.messageID == sent.messageID)
            #expect(harness.fake.parameters(of: "getUpdates").allSatisfy { $0["allowed_updates"] == ["message", "callback_query"] })
        }
    }

    @Test("an update whose text is not valid UTF-8 does not block the ones after it")
    func invalidUTF8DoesNotBlock() async throws {
        try await TelegramHarness.with { harness in
            let received = ReceivedUpdates()
            let poller = UpdatePoller(client: harness.client, pollTimeout: .seconds(2), logger: Logger(label: "test"))
            harness.fake.sendRawTextMessage(from: alice, textBytes: Array("/deploy ".utf8) + [0xC3, 0x28, 0xFF])
            harness.fake.sendMessage(from: alice, text: "/help")
            let polling = Task { try await poller.run { received.append($0) } }
            #expect(await eventually { received.all.contains { $0.message?.text == "/help" } })
            #expect(await eventually { harness.fake.unconfirmedUpdates == 0 })
            polling.cancel()
            _ = try? await polling.value
            // The broken text arrives with replacement characters, which no command accepts.
            let broken = received.all.compactMap(\.message?.text).filter { $0.hasPrefix("/deploy") }
            #expect(broken.allSatisfy { $0.contains("\u{FFFD}") })
        }
    }

    @Test("polling rides out an outage and a 429 storm without losing or repeating an update")
    func survivesFaults() async throws {
        try await TelegramHarness.with { harness in
            let received = ReceivedUpdates()
            let poller = UpdatePoller(client: harness.client, pollTimeout: .seconds(1), logger: Logger(label: "test"))
            let polling = Task { try await poller.run { received.append($0) } }
            harness.fake.sendMessage(from: alice, text: "/status one")
            #expect(await eventually { received.all.count == 1 })
            harness.fake.setOutage(true)
            harness.fake.sendMessage(from: alice, text: "/status two")
            harness.fake.injectFaults(.tooManyRequests(retryAfter: 1), count: 2, methods: ["getUpdates"])
            harness.fake.setOutage(false)
            await harness.fake.goOffline()
            harness.fake.sendMessage(from: alice, text: "/status three")
            try await harness.fake.comeOnline()
            #expect(await eventually(timeout: .seconds(20)) { received.all.count >= 3 })
            polling.cancel()
            _ = try? await polling.value
            #expect(received.all.compactMap(\.message?.text) == ["/status one", "/status two", "/status three"])
        }
    }
}
