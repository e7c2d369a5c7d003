import Crypto
import Foundation
import JSON

/// The append-only audit log: JSON Lines, one `AuditEntry` a line, each line fsync'ed before
/// the action it records is reported done.
///
/// Tampering is detectable: every line carries `seq` (1, 2, 3, …) and `prev`, the SHA-256
/// (hex) of the previous line's bytes (64 zeros on the first line). `verify(fileAt:)` walks the
/// chain: an edited line breaks the next line's `prev`; a deleted line leaves a gap in `seq`;
/// an inserted line repeats or skips a `seq`. Cutting lines off the end leaves a valid shorter
/// chain, so the writer also keeps the newest entry's `seq` and hash in `<file>.head`
/// (replaced atomically after each append); `verify` compares the end of the chain with it
/// when it exists, and returns the head hash for comparison with a copy kept elsewhere.
///
/// Line format (keys in this order):
/// `{"seq":1,"timestamp":"2026-11-25T12:00:00.000Z","actor_id":42,"username":"alice","chat":-100,
///   "action":"deploy_requested","environment":"staging","commit":"abc1234",
///   "request":"web-staging-…","result":"ok","prev":"000…"}`
public actor AuditLog {
    public let path: String
    private var head: String
    private var sequence: Int

    public static let genesis = String(repeating: "0", count: 64)

    /// Opens (or creates on first append) the log at `path`, continuing its chain.
    public init(path: String) throws {
        self.path = path
        let state = try Self.chainState(of: path)
        head = state.head
        sequence = state.sequence
    }

    /// Appends one entry and syncs it to disk.
    public func append(_ entry: AuditEntry) throws {
        let line = Self.encode(entry, sequence: sequence + 1, previous: head)
        do {
            try DurableFile.append(line + [0x0A], to: path)
        } catch {
            throw ChatOpsError.audit("\(error)")
        }
        sequence += 1
        head = Self.hash(line)
        do {
            try DurableFile.replace(Self.headPath(path), with: Array("\(sequence) \(head)\n".utf8))
        } catch {
            throw ChatOpsError.audit("\(error)")
        }
    }

    static func headPath(_ path: String) -> String { path + ".head" }

    /// The sequence numbers an entry can have: from 1 to far more than any log holds, with room
    /// left to count the lines after one (a line that claims more was not written by this writer;
    /// counting on from `Int.max` would trap).
    static let sequenceNumbers = 1...(Int.max / 2)

    /// The `seq` and hash recorded in `<file>.head`, if any.
    static func recordedHead(of path: String) -> (sequence: Int, hash: String)? {
        guard let bytes = try? DurableFile.read(headPath(path)) else { return nil }
        let parts = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let sequence = Int(parts[0]) else { return nil }
        return (sequence, String(parts[1]))
    }

    /// The entries of the log, for tests and tools (lines that are not entries are skipped).
    public static func entries(fileAt path: String) throws -> [JSONValue] {
        guard let bytes = try DurableFile.read(path) else { return [] }
        return bytes.split(separator: 0x0A).compactMap { try? JSONValue(parsing: Array($0)) }
    }

    static func encode(_ entry: AuditEntry, sequence: Int, previous: String) -> [UInt8] {
        var object = OrderedDictionary<String, JSONValue>()
        object["seq"] = .int(sequence)
        object["timestamp"] = .string(entry.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        object["actor_id"] = .int(Int(entry.actorID))
        object["username"] = entry.username.map(JSONValue.string) ?? .null
        object["chat"] = entry.chatID.map { .int(Int($0)) } ?? .null
        object["action"] = .string(entry.action.rawValue)
        object["environment"] = entry.environment.map(JSONValue.string) ?? .null
        object["commit"] = entry.commit.map(JSONValue.string) ?? .null
        object["request"] = entry.request.map(JSONValue.string) ?? .null
        object["result"] = .string(entry.result)
        object["prev"] = .string(previous)
        return JSONValue.object(object).jsonBytes()
    }

    static func hash(_ line: some Collection<UInt8>) -> String {
        SHA256.hash(data: Array(line)).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// The hash of the last line and its sequence number.
    private static func chainState(of path: String) throws -> (head: String, sequence: Int) {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw ChatOpsError.audit("\(error)") }
        guard let bytes, let last = bytes.split(separator: 0x0A).last else { return (genesis, 0) }
        let sequence = (try? JSONValue(parsing: Array(last)))?["seq"]?.intValue ?? 0
        guard sequence == 0 || sequenceNumbers.contains(sequence) else {
            throw ChatOpsError.audit("the last entry of \(path) has the sequence number \(sequence), which no audit log writes; check the file with `slipway audit verify` and move it aside to start a new log")
        }
        return (hash(last), sequence)
    }
}

/// The outcome of `AuditLog.verify(fileAt:)`.
public struct AuditVerification: Sendable, Equatable {
    /// One break in the chain, at `line` (1-based line number in the file).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public var lines: Int
    /// SHA-256 of the last line: compare with a head recorded elsewhere to detect truncation.
    public var head: String
    public var problems: [Problem]

    public var isIntact: Bool { problems.isEmpty }
}

extension AuditLog {
    /// Walks the chain of the file at `path` and reports every break, naming the line.
    public static func verify(fileAt path: String) throws -> AuditVerification {
        let bytes: [UInt8]
        do {
            guard let read = try DurableFile.read(path) else { throw ChatOpsError.audit("\(path) does not exist") }
            bytes = read
        } catch let error as ChatOpsError {
            throw error
        } catch {
            throw ChatOpsError.audit("\(error)")
        }
        return verify(contents: bytes, recordedHead: recordedHead(of: path), headFile: headPath(path))
    }

    /// Walks the chain in `contents` (the log's bytes as read) and reports every break.
    /// `recordedHead` is what the head file says, if there is one; `headFile` names it in problems.
    static func verify(contents bytes: [UInt8], recordedHead: (sequence: Int, hash: String)?, headFile: String) -> AuditVerification {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        var problems: [AuditVerification.Problem] = []
        var previousHash = genesis
        var expectedSequence = 1
        var count = 0
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.isEmpty {
                if index == lines.count - 1 { break }
                problems.append(.init(line: number, reason: "empty line inserted"))
                continue
            }
            count += 1
            defer { previousHash = hash(line) }
            guard let object = try? JSONValue(parsing: Array(line)), let sequence = object["seq"]?.intValue,
                  sequenceNumbers.contains(sequence), let previous = object["prev"]?.stringValue else {
                problems.append(.init(line: number, reason: "not an audit entry (edited or inserted)"))
                expectedSequence += 1
                continue
            }
            if sequence > expectedSequence {
                problems.append(.init(line: number, reason: "entries \(expectedSequence)–\(sequence - 1) before this line were deleted"))
            } else if sequence < expectedSequence {
                problems.append(.init(line: number, reason: "entry \(sequence) is out of order (inserted or moved)"))
            } else if previous != previousHash {
                // The line before no longer hashes to what this line recorded: it was edited.
                problems.append(number == 1
                    ? .init(line: 1, reason: "the first entry does not start the chain (lines before it were deleted)")
                    : .init(line: number - 1, reason: "edited (line \(number) recorded a different hash of it)"))
            }
            expectedSequence = sequence + 1
        }
        let last = lines.last(where: { !$0.isEmpty })
        let headHash = last.map { hash($0) } ?? genesis
        if let recorded = recordedHead {
            let lastSequence = expectedSequence - 1
            if lastSequence < recorded.sequence {
                problems.append(.init(line: count + 1, reason: "entries \(lastSequence + 1)–\(recorded.sequence) at the end were deleted (see \(headFile))"))
            } else if lastSequence > recorded.sequence {
                problems.append(.init(line: count, reason: "entries after \(recorded.sequence) were not written by the audit log writer, or it stopped between its two writes"))
            } else if recorded.hash != headHash {
                problems.append(.init(line: count, reason: "edited (differs from the head recorded in \(headFile))"))
            }
        }
        return AuditVerification(lines: count, head: headHash, problems: problems)
    }
}
