import JSON

/// Checks a webhook delivery before anything of it is read: Telegram sends the `secret_token`
/// given to setWebhook in the `X-Telegram-Bot-Api-Secret-Token` header, and a request without
/// the right one is refused unparsed. The comparison takes the same time wherever the first
/// difference is, so the secret cannot be guessed byte by byte from response times.
/// See https://core.telegram.org/bots/api#setwebhook
public struct WebhookVerifier: Sendable {
    public static let headerName = "X-Telegram-Bot-Api-Secret-Token"

    private let secret: [UInt8]

    /// `secretToken`: 1–256 characters of `A-Z a-z 0-9 _ -`, as setWebhook requires.
    public init(secretToken: String) throws(TelegramError) {
        guard (1...256).contains(secretToken.utf8.count),
              secretToken.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw .invalidArgument("the webhook secret must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        }
        secret = Array(secretToken.utf8)
    }

    /// A fresh random secret for setWebhook (64 characters).
    public static func generateSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        var generator = SystemRandomNumberGenerator()
        return String((0..<64).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    public enum Outcome: Sendable, Equatable {
        /// The secret matched and the body is an update.
        case update(Update)
        /// The secret matched but the body is not an update Slipway reads; answer 200 so Telegram
        /// does not redeliver it forever.
        case unreadable
        /// Missing or wrong secret: answer 401 and read nothing.
        case forbidden
    }

    /// Whether the header carries the secret; a server calls this before reading the body.
    public func accepts(secretHeader: String?) -> Bool {
        guard let secretHeader else { return false }
        return Self.constantTimeEquals(Array(secretHeader.utf8), secret)
    }

    /// Verifies the header, and only then decodes the body.
    public func verify(secretHeader: String?, body: [UInt8]) -> Outcome {
        guard accepts(secretHeader: secretHeader) else { return .forbidden }
        let parsed = (try? JSONValue(parsing: body)) ?? (try? JSONValue(parsing: String(decoding: body, as: UTF8.self)))
        guard let parsed, let update = try? parsed.decode(as: Update.self) else { return .unreadable }
        return .update(update)
    }

    /// Compares every byte of `expected` whatever `given` holds; the length of the secret is
    /// the only thing the timing may reveal.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            let other = index < given.count ? given[index] : 0
            difference |= other ^ expected[index]
        }
        return difference == 0
    }
}
