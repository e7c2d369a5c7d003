import Crypto
import SlipwayAPI

/// Deterministic request names: the same chat message always maps to the same
/// DeploymentRequest name, so a redelivered update, a restart between question and
/// confirmation, or a second bot replica can only ever get 409 AlreadyExists for it.
/// The name is `<target>-<action><10 hex digits of SHA-256(chat, message, action)>`.
public enum RequestNaming {
    public static func name(target: String, chatID: Int64, messageID: Int64, action: RequestAction) -> String {
        let digest = SHA256.hash(data: Array("slipway-chat|\(chatID)|\(messageID)|\(action.rawValue)".utf8))
        let hex = digest.prefix(5).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
        let suffix = (action == .rollback ? "rb" : "d") + hex
        // Object names are at most 253 characters (DNS subdomain).
        let prefix = String(target.prefix(253 - suffix.count - 1))
        return "\(prefix)-\(suffix)"
    }
}
