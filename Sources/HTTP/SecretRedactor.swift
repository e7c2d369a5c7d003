/// Removes credentials from text that leaves the client (error messages, log lines).
///
/// libcurl's error buffer names hosts but could echo a URL; a URL or proxy may carry
/// `user:password@`, and some headers carry tokens. Whatever of those could appear is replaced.
struct SecretRedactor: Sendable {
    private static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie"]
    private let secrets: [String]

    init(url: String, proxy: String?, headers: [(name: String, value: String)]) {
        var secrets: [String] = []
        for candidate in [url, proxy ?? ""] {
            secrets.append(contentsOf: Self.userInfoParts(of: candidate))
        }
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

    /// `scheme://host/path` without user information or query, for log lines.
    static func loggableLocation(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "<malformed URL>" }
        let scheme = url[..<schemeEnd.lowerBound]
        var rest = url[schemeEnd.upperBound...]
        rest = rest.prefix { $0 != "?" && $0 != "#" }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        return "\(scheme)://\(host)\(rest[authorityEnd...])"
    }
}
