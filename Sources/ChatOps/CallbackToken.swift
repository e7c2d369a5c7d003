import Crypto
import Foundation

/// What a button does.
public enum CallbackKind: String, Sendable, Hashable, Codable, CaseIterable {
    case confirmDeploy = "d"
    case confirmRollback = "r"
    case cancel = "c"
    case approve = "a"
    case abort = "x"
    case promote = "p"
}

/// The callback data of one button: `K.NONCE.EXPIRY.MAC`, at most 50 ASCII bytes (Telegram
/// allows 64: https://core.telegram.org/bots/api#inlinekeyboardbutton).
///
/// - `K`: the `CallbackKind`;
/// - `NONCE`: 9 random bytes, base64url (12 characters), the key of the pending callback;
/// - `EXPIRY`: Unix seconds;
/// - `MAC`: the first 18 bytes of HMAC-SHA256 (base64url, 24 characters) over the kind, nonce
///   and expiry *and* what the data does not carry: the chat and message the button is on, the
///   user who asked, the environment, the commit and the request. A button copied to another
///   message, or a record changed behind the bot's back, no longer verifies.
///
/// The data carries no environment or commit: those come from the pending record the nonce
/// names, and the MAC proves they are the ones shown when the button was made.
public struct CallbackToken: Sendable, Hashable {
    public var kind: CallbackKind
    public var nonce: String
    public var expiresAt: Int64
    public var mac: String

    /// What the MAC covers besides the token's own fields.
    public struct Binding: Sendable, Hashable, Codable {
        public var chatID: Int64
        public var messageID: Int64
        public var userID: Int64
        public var environment: String
        public var commit: String
        public var request: String

        public init(chatID: Int64, messageID: Int64, userID: Int64, environment: String, commit: String = "", request: String = "") {
            self.chatID = chatID
            self.messageID = messageID
            self.userID = userID
            self.environment = environment
            self.commit = commit
            self.request = request
        }
    }

    public static let maximumDataBytes = 64
    static let macBytes = 18

    /// A new token with a fresh random nonce.
    public static func make(kind: CallbackKind, binding: Binding, expiresAt: Int64, secret: [UInt8]) -> CallbackToken {
        var generator = SystemRandomNumberGenerator()
        let nonce = Base64URL.encode((0..<9).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return sign(kind: kind, nonce: nonce, expiresAt: expiresAt, binding: binding, secret: secret)
    }

    static func sign(kind: CallbackKind, nonce: String, expiresAt: Int64, binding: Binding, secret: [UInt8]) -> CallbackToken {
        CallbackToken(kind: kind, nonce: nonce, expiresAt: expiresAt,
                      mac: Base64URL.encode(Array(code(kind: kind, nonce: nonce, expiresAt: expiresAt, binding: binding, secret: secret))))
    }

    /// The string for the button.
    public var data: String { "\(kind.rawValue).\(nonce).\(expiresAt).\(mac)" }

    /// Reads callback data; nil for anything that is not a well-formed token (the caller
    /// treats that as tampering).
    public init?(data: String) {
        guard data.utf8.count <= Self.maximumDataBytes, data.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
        let parts = data.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let kind = CallbackKind(rawValue: String(parts[0])),
              parts[1].utf8.count == 12, Base64URL.decode(String(parts[1])) != nil,
              (1...12).contains(parts[2].utf8.count), parts[2].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              // Only the form `data` writes: "0694" and "694" would otherwise be one token.
              parts[2] == "0" || parts[2].first != "0",
              let expiresAt = Int64(parts[2]),
              parts[3].utf8.count == 24, Base64URL.decode(String(parts[3])) != nil else { return nil }
        self.init(kind: kind, nonce: String(parts[1]), expiresAt: expiresAt, mac: String(parts[3]))
    }

    init(kind: CallbackKind, nonce: String, expiresAt: Int64, mac: String) {
        self.kind = kind
        self.nonce = nonce
        self.expiresAt = expiresAt
        self.mac = mac
    }

    /// Whether the MAC matches `binding` under `secret`, compared in constant time.
    public func verifies(binding: Binding, secret: [UInt8]) -> Bool {
        guard let given = Base64URL.decode(mac) else { return false }
        let expected = Self.code(kind: kind, nonce: nonce, expiresAt: expiresAt, binding: binding, secret: secret)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }

    private static func code(kind: CallbackKind, nonce: String, expiresAt: Int64, binding: Binding, secret: [UInt8]) -> ArraySlice<UInt8> {
        // Length-prefixed fields: no two different bindings serialise to the same bytes.
        var message: [UInt8] = Array("slipway-callback-v1".utf8)
        for field in [kind.rawValue, nonce, String(expiresAt), String(binding.chatID), String(binding.messageID), String(binding.userID),
                      binding.environment, binding.commit, binding.request] {
            let bytes = Array(field.utf8)
            message += withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init)
            message += bytes
        }
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return Array(code).prefix(macBytes)
    }
}

/// base64url without padding (RFC 4648 §5): safe in callback data and file names.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ isAlphabet($0) }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F
    }
}
