import Crypto

/// A content digest as registries name manifests and blobs: `sha256:` and 64 lowercase hex
/// digits. Only sha256 is accepted: it is what every registry and cosign use.
/// https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
public struct ImageDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = text.utf8.dropFirst(7)
        guard hex.count == 64, hex.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }) else {
            return nil
        }
        rawValue = text
    }

    /// The digest of `bytes`.
    public init(of bytes: some Sequence<UInt8>) {
        let hash = SHA256.hash(data: Array(bytes))
        rawValue = "sha256:" + hash.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = ImageDigest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text) is not a sha256 digest"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The 64 hex digits.
    public var hex: String { String(rawValue.dropFirst(7)) }

    /// `sha256:` and the first 12 hex digits, as `docker images` shortens them: enough to tell
    /// releases apart in a chat message or a table.
    public var short: String { "sha256:" + hex.prefix(12) }

    /// The tag under which cosign stores this digest's signatures: `sha256-<hex>.sig`.
    public var cosignSignatureTag: String { "sha256-" + hex + ".sig" }

    public var description: String { rawValue }
}
