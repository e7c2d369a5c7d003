/// Removes credentials from text that leaves the client (error messages, log lines).
///
/// libcurl's error buffer names hosts but could echo a URL; a URL or proxy may carry
/// `user:password@`, some headers carry tokens, and Telegram's Bot API puts the bot token in
/// the path (`/bot<token>/method`). Whatever of those could appear is replaced, so no user of
/// the client can leak them through an error or a log line.
/// See https://core.telegram.org/bots/api#making-requests
struct SecretRedactor: Sendable {
    private static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie"]
    private let secrets: [String]

    init(url: String, proxy: String?, headers: [(name: String, value: String)]) {
        var secrets: [String] = []
        for candidate in [url, proxy ?? ""] {
            secrets.append(contentsOf: Self.userInfoParts(of: candidate))
        }
        secrets.append(contentsOf: Self.pathTokens(of: url))
        for header in headers where Self.sensitiveHeaders.contains(header.name.lowercased()) {
            secrets.append(header.value)
            if let token = header.value.split(separator: " ", maxSplits: 1).dropFirst().first {
                secrets.append(String(token))
            }
        }
        // Longest first, so that a secret containing another is removed whole.
        self.secrets = secrets.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "<redacted>")
        }
        return result
    }

    /// `user:password` of `scheme://user:password@host/...`, whole and in parts.
    static func userInfoParts(of url: String) -> [String] {
        guard let schemeEnd = url.firstRange(of: "://") else { return [] }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return [] }
        let userInfo = authority[..<at]
        var parts = [String(userInfo)]
        parts.append(contentsOf: userInfo.split(separator: ":", maxSplits: 1).map(String.init))
        return parts
    }

    /// The bot tokens in a URL's path: the `<token>` of each `/bot<token>` segment, where a
    /// token is `<digits>:<secret>` as Telegram issues them.
    static func pathTokens(of url: String) -> [String] {
        guard let schemeEnd = url.firstRange(of: "://") else { return [] }
        let rest = url[schemeEnd.upperBound...].prefix { $0 != "?" && $0 != "#" }
        return rest.split(separator: "/").dropFirst().compactMap { segment in
            isBotTokenSegment(segment) ? String(segment.dropFirst(3)) : nil
        }
    }

    /// `bot123456:ABC-def_…`: the path segment carrying a Telegram bot token.
    static func isBotTokenSegment(_ segment: Substring) -> Bool {
        guard segment.hasPrefix("bot") else { return false }
        let token = segment.dropFirst(3)
        guard let colon = token.firstIndex(of: ":") else { return false }
        let id = token[..<colon], secret = token[token.index(after: colon)...]
        return !id.isEmpty && id.allSatisfy(\.isASCII) && id.allSatisfy(\.isNumber) && !secret.isEmpty
    }

    /// `scheme://host/path` without user information, query or bot token, for log lines.
    static func loggableLocation(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "<malformed URL>" }
        let scheme = url[..<schemeEnd.lowerBound]
        var rest = url[schemeEnd.upperBound...]
        rest = rest.prefix { $0 != "?" && $0 != "#" }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        let path = rest[authorityEnd...].split(separator: "/", omittingEmptySubsequences: false)
            .map { isBotTokenSegment($0) ? "bot<redacted>" : String($0) }.joined(separator: "/")
        return "\(scheme)://\(host)\(path)"
    }
}
