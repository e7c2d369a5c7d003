import Foundation
import JSON

/// A button the bot has shown and not yet seen used.
public struct PendingCallback: Sendable, Hashable, Codable {
    public var kind: CallbackKind
    public var nonce: String
    public var expiresAt: Int64
    public var binding: CallbackToken.Binding
    /// Buttons of one group are used up together: Confirm and Cancel of one question, the
    /// buttons of one progress message.
    public var group: String
}

/// Why a button press was refused.
public enum CallbackRefusal: Error, Sendable, Hashable {
    /// Not a token, or its MAC does not match what it claims to be bound to.
    case tampered
    case expired
    /// Already used (or never issued by this bot).
    case replayed

    public var auditResult: String {
        switch self {
        case .tampered: "tampered"
        case .expired: "expired"
        case .replayed: "replayed"
        }
    }
}

/// The buttons shown and not yet used, so that each works once.
///
/// A press is accepted only while its record is pending, and taking the record out is the
/// same step that accepts it: a replayed button finds nothing. The record lives in
/// `<stateDirectory>/chatops-callbacks.json` (replaced atomically and fsync'ed on every
/// change), so a restart between showing a button and its press neither loses the question
/// nor lets a used button work again. Without a state directory the ledger is kept in memory.
/// The directory is created (0700) when the ledger is made, at start: an unusable one stops
/// the program there, naming it, instead of refusing the first button.
/// Only one bot replica serves a chat at a time (the polling Lease), so one file suffices.
public actor CallbackLedger {
    private struct State: Codable {
        var pending: [PendingCallback] = []
        /// Nonces used, until their expiry, to tell "already used" from "unknown".
        var used: [String: Int64] = [:]
    }

    private var state = State()
    private let path: String?
    private let secret: [UInt8]

    public static let fileName = "chatops-callbacks.json"

    public init(stateDirectory: String?, secret: [UInt8]) throws {
        self.secret = secret
        path = stateDirectory.map { ($0 as NSString).appendingPathComponent(Self.fileName) }
        if let stateDirectory {
            do {
                try DurableFile.ensureDirectory(stateDirectory)
            } catch {
                throw ChatOpsError.configuration("the state directory \(stateDirectory) cannot hold the button ledger (\(error)); create it writable for this user or set stateDirectory to another path")
            }
        }
        if let path, let bytes = try DurableFile.read(path) {
            do {
                state = try JSONValue(parsing: bytes).decode(as: State.self)
            } catch {
                throw ChatOpsError.configuration("the callback ledger \(path) is unreadable (\(error)); move it aside to start afresh (pending buttons stop working)")
            }
        }
    }

    /// Makes and records a button's token.
    public func issue(_ kind: CallbackKind, binding: CallbackToken.Binding, group: String, expiresAt: Int64) throws -> CallbackToken {
        let token = CallbackToken.make(kind: kind, binding: binding, expiresAt: expiresAt, secret: secret)
        state.pending.append(PendingCallback(kind: kind, nonce: token.nonce, expiresAt: expiresAt, binding: binding, group: group))
        try save()
        return token
    }

    /// Checks a press: well-formed, issued, bound to this chat and message, signed, not
    /// expired. Does not use it up; `consume` does.
    public func check(data: String, chatID: Int64, messageID: Int64, now: Int64) -> Result<PendingCallback, CallbackRefusal> {
        guard let token = CallbackToken(data: data) else { return .failure(.tampered) }
        guard let record = state.pending.first(where: { $0.nonce == token.nonce }) else {
            // Used before; or never issued here (forged), unless so old that it was pruned.
            if state.used[token.nonce] != nil { return .failure(.replayed) }
            return .failure(now >= token.expiresAt ? .expired : .tampered)
        }
        guard record.kind == token.kind, record.expiresAt == token.expiresAt,
              record.binding.chatID == chatID, record.binding.messageID == messageID,
              token.verifies(binding: record.binding, secret: secret) else { return .failure(.tampered) }
        guard now < token.expiresAt else { return .failure(.expired) }
        return .success(record)
    }

    /// Uses up the press's record and every other button of its group. False when it was
    /// already used (a concurrent press of the same or a sibling button).
    public func consume(_ record: PendingCallback) throws -> Bool {
        guard state.pending.contains(where: { $0.nonce == record.nonce }) else { return false }
        for sibling in state.pending where sibling.group == record.group { state.used[sibling.nonce] = sibling.expiresAt }
        state.pending.removeAll { $0.group == record.group }
        try save()
        return true
    }

    /// Forgets a group's buttons without using them (a progress message that ended).
    public func discard(group: String) throws {
        guard state.pending.contains(where: { $0.group == group }) else { return }
        state.pending.removeAll { $0.group == group }
        try save()
    }

    /// Whether a question about `request` is still open (a redelivered command must not ask twice).
    public func hasPending(request: String) -> Bool {
        state.pending.contains { $0.binding.request == request && ($0.kind == .confirmDeploy || $0.kind == .confirmRollback) }
    }

    /// The pending buttons of a group (to re-render a message with the same buttons).
    public func pending(group: String) -> [PendingCallback] {
        state.pending.filter { $0.group == group }
    }

    /// The token of a pending record, re-signed (the MAC is deterministic).
    public func token(for record: PendingCallback) -> CallbackToken {
        CallbackToken.sign(kind: record.kind, nonce: record.nonce, expiresAt: record.expiresAt, binding: record.binding, secret: secret)
    }

    /// Drops expired records.
    public func prune(now: Int64) throws {
        let before = (state.pending.count, state.used.count)
        state.pending.removeAll { $0.expiresAt <= now }
        state.used = state.used.filter { $0.value > now }
        if before != (state.pending.count, state.used.count) { try save() }
    }

    private func save() throws {
        guard let path else { return }
        let bytes = try JSONValue(encoding: state).jsonBytes()
        try DurableFile.replace(path, with: bytes)
    }
}
