import ChatOps
import Foundation
import JSON
import Testing

@Suite struct AuditLogTests {
    func withLog(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(directory + "/audit.jsonl")
    }

    func fill(_ path: String, count: Int) async throws {
        let log = try AuditLog(path: path)
        for index in 0..<count {
            try await log.append(AuditEntry(actorID: Int64(100 + index), username: "user\(index)", chatID: -42, action: .deployRequested,
                                            environment: "staging", commit: "abc1234", request: "web-staging-\(index)"))
        }
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func entriesCarryTheFieldsAndVerify() async throws {
        try await withLog { path in
            try await fill(path, count: 3)
            let entries = try AuditLog.entries(fileAt: path)
            #expect(entries.count == 3)
            let first = try #require(entries.first)
            #expect(first["actor_id"]?.intValue == 100)
            #expect(first["username"]?.stringValue == "user0")
            #expect(first["chat"]?.intValue == -42)
            #expect(first["action"]?.stringValue == "deploy_requested")
            #expect(first["environment"]?.stringValue == "staging")
            #expect(first["commit"]?.stringValue == "abc1234")
            #expect(first["request"]?.stringValue == "web-staging-0")
            #expect(first["result"]?.stringValue == "ok")
            #expect(first["timestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(first["prev"]?.stringValue == AuditLog.genesis)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.isIntact)
            #expect(verification.lines == 3)
        }
    }

    @Test func reopeningContinuesTheChain() async throws {
        try await withLog { path in
            try await fill(path, count: 2)
            try await fill(path, count: 2)
            #expect(try AuditLog.verify(fileAt: path).isIntact)
            #expect(try AuditLog.entries(fileAt: path).last?["seq"]?.intValue == 4)
        }
    }

    @Test func anEditedLineIsFound() async throws {
        try await withLog { path in
            try await fill(path, count: 5)
            var all = try lines(path)
            all[1] = all[1].replacingOccurrences(of: "user1", with: "mallory")
            try write(all, to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.problems.map(\.line) == [2])
            #expect(verification.problems.first?.description.hasPrefix("line 2: edited") == true)
        }
    }

    @Test func aDeletedLineIsFound() async throws {
        try await withLog { path in
            try await fill(path, count: 5)
            var all = try lines(path)
            all.remove(at: 2)
            try write(all, to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.problems.map(\.line) == [3])
            #expect(verification.problems.first?.reason.contains("deleted") == true)
        }
    }

    @Test func anInsertedLineIsFound() async throws {
        try await withLog { path in
            try await fill(path, count: 4)
            var all = try lines(path)
            all.insert(all[1], at: 2)
            try write(all, to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(!verification.isIntact)
            all = try lines(path)
            all.insert("{\"seq\":3,\"note\":\"forged\"}", at: 2)
            try write(all, to: path)
            #expect(!(try AuditLog.verify(fileAt: path).isIntact))
        }
    }

    @Test func linesCutOffTheEndAreFound() async throws {
        try await withLog { path in
            try await fill(path, count: 4)
            try write(Array(try lines(path).dropLast(2)), to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.problems.map(\.line) == [3])
            #expect(verification.problems.first?.reason.contains("entries 3–4 at the end were deleted") == true)
        }
    }

    @Test func anEditedLastLineIsFound() async throws {
        try await withLog { path in
            try await fill(path, count: 3)
            var all = try lines(path)
            all[2] = all[2].replacingOccurrences(of: "user2", with: "mallory")
            try write(all, to: path)
            #expect(try AuditLog.verify(fileAt: path).problems.map(\.line) == [3])
        }
    }

    @Test func theFirstLineCannotBeDropped() async throws {
        try await withLog { path in
            try await fill(path, count: 3)
            try write(Array(try lines(path).dropFirst()), to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.problems.map(\.line) == [1])
        }
    }

    @Test func sequenceNumbersNoWriterUsesAreReportedNotCountedOn() async throws {
        try await withLog { path in
            try await fill(path, count: 2)
            var edited = try lines(path)
            edited[1] = edited[1].replacingOccurrences(of: #""seq":2"#, with: #""seq":9223372036854775807"#)
            try write(edited + ["not json"], to: path)
            let verification = try AuditLog.verify(fileAt: path)
            #expect(verification.problems.contains { $0.line == 2 && $0.reason.contains("not an audit entry") })
            // The writer refuses to continue such a log instead of trapping on the next number.
            try write(Array(edited.prefix(2)), to: path)
            #expect(throws: ChatOpsError.self) { try AuditLog(path: path) }
        }
    }

    @Test func actionsUseTheDocumentedNames() {
        #expect(AuditAction.allCases.map(\.rawValue) == [
            "deploy_requested", "deploy_confirmed", "deploy_cancelled", "approved", "aborted", "promoted", "rollback_requested",
            "denied", "callback_rejected", "deploy_succeeded", "deploy_failed", "rolled_back", "update_skipped",
        ])
        #expect(AuditAction.deployConfirmed.eventReason == "DeployConfirmed")
    }
}
