import Foundation
import JSON

/// What each progress message last showed, by fingerprint, kept in
/// `<stateDirectory>/chatops-progress.json` so that a restarted front-end does not edit a
/// message into the text it already has (Telegram answers such an edit "message is not
/// modified", and every call counts against the chat's rate limit). Without a state
/// directory it is kept in memory. Entries go when the request ends, so the file holds only
/// the progress messages of unfinished requests.
actor ProgressMemory {
    private var shown: [String: String] = [:]
    private let path: String?

    static let fileName = "chatops-progress.json"

    init(stateDirectory: String?) {
        path = stateDirectory.map { ($0 as NSString).appendingPathComponent(Self.fileName) }
        // An unreadable file costs one edit per message, nothing more: start empty.
        if let path, let bytes = try? DurableFile.read(path), let stored = try? JSONValue(parsing: bytes).decode(as: [String: String].self) {
            shown = stored
        }
    }

    /// Whether `message` is what the progress message shows already.
    func isShown(_ message: OutgoingMessage, on ref: ChatMessageRef) -> Bool {
        shown[Self.key(ref)] == Self.fingerprint(message)
    }

    func remember(_ message: OutgoingMessage, on ref: ChatMessageRef) {
        let fingerprint = Self.fingerprint(message)
        guard shown[Self.key(ref)] != fingerprint else { return }
        shown[Self.key(ref)] = fingerprint
        save()
    }

    func forget(_ ref: ChatMessageRef) {
        guard shown.removeValue(forKey: Self.key(ref)) != nil else { return }
        save()
    }

    private func save() {
        guard let path, let bytes = try? JSONValue(encoding: shown).jsonBytes() else { return }
        try? DurableFile.replace(path, with: bytes)
    }

    static func key(_ ref: ChatMessageRef) -> String { "\(ref.chatID)/\(ref.messageID)" }

    /// FNV-1a (64 bit) over the text and every button: stable across processes, unlike `Hasher`.
    static func fingerprint(_ message: OutgoingMessage) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        }
        add(message.html)
        for row in message.buttons {
            add("row")
            for button in row { add(button.title); add(button.callbackData) }
        }
        return String(hash, radix: 16)
    }
}
