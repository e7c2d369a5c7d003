@testable import ChatOps
import Foundation
import Testing

@Suite struct CallbackTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    let binding = CallbackToken.Binding(chatID: -1001234567890123, messageID: 4_000_000_000, userID: 9_223_372_036_854_775_807,
                                        environment: "production", commit: String(repeating: "f", count: 40), request: "web-production-d0123456789")

    @Test func dataFitsTelegramsSixtyFourBytesAndRoundTrips() throws {
        let token = CallbackToken.make(kind: .confirmDeploy, binding: binding, expiresAt: 99_999_999_999, secret: secret)
        #expect(token.data.utf8.count <= 64)
        let read = try #require(CallbackToken(data: token.data))
        #expect(read == token)
        #expect(read.verifies(binding: binding, secret: secret))
    }

    @Test func theMacBindsChatMessageUserEnvironmentCommitAndRequest() {
        let token = CallbackToken.make(kind: .confirmDeploy, binding: binding, expiresAt: 2_000_000_000, secret: secret)
        var other = binding
        other.chatID += 1
        #expect(!token.verifies(binding: other, secret: secret))
        other = binding; other.messageID += 1
        #expect(!token.verifies(binding: other, secret: secret))
        other = binding; other.userID -= 1
        #expect(!token.verifies(binding: other, secret: secret))
        other = binding; other.environment = "staging"
        #expect(!token.verifies(binding: other, secret: secret))
        other = binding; other.commit = String(repeating: "e", count: 40)
        #expect(!token.verifies(binding: other, secret: secret))
        other = binding; other.request = "web-production-d0000000000"
        #expect(!token.verifies(binding: other, secret: secret))
        #expect(!token.verifies(binding: binding, secret: Array("another secret of thirty-two bytes!".utf8)))
    }

    @Test(arguments: ["", "d", "d.x.1.y", "z.AAAAAAAAAAAA.1.AAAAAAAAAAAAAAAAAAAAAAAA", String(repeating: "a", count: 65), "d.AAAAAAAAAAAA.-1.AAAAAAAAAAAAAAAAAAAAAAAA",
                      // Only the form the bot writes: a leading zero would make a second spelling of one token.
                      "d.AAAAAAAAAAAA.0694484839.AAAAAAAAAAAAAAAAAAAAAAAA"])
    func malformedDataIsNoToken(_ data: String) {
        #expect(CallbackToken(data: data) == nil)
    }

    @Test func aPressWorksOnceAndOnlyOnItsMessage() async throws {
        let ledger = try CallbackLedger(stateDirectory: nil, secret: secret)
        let token = try await ledger.issue(.confirmDeploy, binding: binding, group: "g", expiresAt: 2_000)
        let cancel = try await ledger.issue(.cancel, binding: binding, group: "g", expiresAt: 2_000)
        let wrongMessage = await ledger.check(data: token.data, chatID: binding.chatID, messageID: binding.messageID + 1, now: 1_000)
        #expect(wrongMessage == .failure(.tampered))
        let record = try await ledger.check(data: token.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000).get()
        #expect(try await ledger.consume(record))
        #expect(try await !ledger.consume(record))
        #expect(await ledger.check(data: token.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.replayed))
        // Confirm used up Cancel too.
        #expect(await ledger.check(data: cancel.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.replayed))
    }

    @Test func tamperedAndExpiredPressesAreRefused() async throws {
        let ledger = try CallbackLedger(stateDirectory: nil, secret: secret)
        let token = try await ledger.issue(.confirmDeploy, binding: binding, group: "g", expiresAt: 2_000)
        // Another kind under the same nonce and MAC.
        let otherKind = "c" + token.data.dropFirst()
        #expect(await ledger.check(data: otherKind, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.tampered))
        // A later expiry under the same MAC.
        let later = token.data.replacingOccurrences(of: ".2000.", with: ".9000.")
        #expect(await ledger.check(data: later, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.tampered))
        // One MAC character changed.
        var mac = Array(token.mac)
        mac[0] = mac[0] == "A" ? "B" : "A"
        let forged = "d.\(token.nonce).2000.\(String(mac))"
        #expect(await ledger.check(data: forged, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.tampered))
        #expect(await ledger.check(data: token.data, chatID: binding.chatID, messageID: binding.messageID, now: 2_000) == .failure(.expired))
    }

    @Test func usedButtonsStayUsedAcrossARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try CallbackLedger(stateDirectory: directory, secret: secret)
        let used = try await first.issue(.confirmDeploy, binding: binding, group: "a", expiresAt: 2_000)
        let waiting = try await first.issue(.confirmDeploy, binding: binding, group: "b", expiresAt: 2_000)
        let record = try await first.check(data: used.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000).get()
        #expect(try await first.consume(record))

        let restarted = try CallbackLedger(stateDirectory: directory, secret: secret)
        #expect(await restarted.check(data: used.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000) == .failure(.replayed))
        let pending = await restarted.check(data: waiting.data, chatID: binding.chatID, messageID: binding.messageID, now: 1_000)
        #expect((try? pending.get())?.binding == binding)
        let file = try String(contentsOfFile: directory + "/" + CallbackLedger.fileName, encoding: .utf8)
        #expect(!file.contains("0123456789abcdef0123456789abcdef"))
    }
}

/// The state directory is settled when the ledger is made (at start), never at the first button.
@Suite struct CallbackLedgerDirectoryTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test func aMissingStateDirectoryIsCreatedPrivateAndButtonsAreRecorded() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/nested/chatops"
        let ledger = try CallbackLedger(stateDirectory: directory, secret: secret)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o700)
        _ = try await ledger.issue(.confirmDeploy, binding: CallbackToken.Binding(chatID: 1, messageID: 2, userID: 3, environment: "production"),
                                   group: "a", expiresAt: 2_000)
        #expect(FileManager.default.fileExists(atPath: directory + "/" + CallbackLedger.fileName))
    }

    @Test func aStateDirectoryThatIsAFileStopsTheStartNamingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ChatOpsError.self) { try CallbackLedger(stateDirectory: path, secret: secret) }
        #expect(error.map { "\($0)" }?.contains(path) == true)
        #expect(error.map { "\($0)" }?.contains("stateDirectory") == true)
    }
}

@Suite struct CallbackLedgerPruningTests {
    @Test func expiredButtonsArePrunedAndStillReadAsExpired() async throws {
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        let binding = CallbackToken.Binding(chatID: 1, messageID: 2, userID: 3, environment: "staging")
        let ledger = try CallbackLedger(stateDirectory: nil, secret: secret)
        let old = try await ledger.issue(.confirmDeploy, binding: binding, group: "old", expiresAt: 100)
        let fresh = try await ledger.issue(.confirmDeploy, binding: binding, group: "fresh", expiresAt: 1_000)
        try await ledger.prune(now: 500)
        #expect(await ledger.pending(group: "old").isEmpty)
        #expect(await ledger.pending(group: "fresh").count == 1)
        #expect(await ledger.check(data: old.data, chatID: 1, messageID: 2, now: 500) == .failure(.expired))
        #expect((try? await ledger.check(data: fresh.data, chatID: 1, messageID: 2, now: 500).get()) != nil)
    }
}
