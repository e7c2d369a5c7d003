import Synchronization

/// A regular expression with its source. The same sources appear in the CRD schemas (a test
/// checks they agree), where the API server matches them with Go's RE2, so each is written in
/// the syntax both share. Compiled once; `Regex` is not `Sendable`, so matching goes through a lock.
public final class Pattern: Sendable, Equatable, CustomStringConvertible {
    public let source: String
    private let regex: Mutex<Regex<AnyRegexOutput>?>

    public init(_ source: String) {
        self.source = source
        regex = Mutex(try? Regex(source))
    }

    /// Whether the pattern matches `text` (every pattern here is anchored with `^...$`). A
    /// source that does not compile matches nothing.
    public func matches(_ text: String) -> Bool {
        regex.withLock { regex in
            guard let regex else { return false }
            return text.firstMatch(of: regex) != nil
        }
    }

    public static func == (lhs: Pattern, rhs: Pattern) -> Bool { lhs.source == rhs.source }

    public var description: String { source }
}

/// The patterns of the CRD schemas, in one place.
public enum Patterns {
    /// A DNS-1123 label: environment, target, container, gate and Service names.
    /// See https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
    public static let dnsLabel = Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    /// A DNS-1123 subdomain: Deployment, Ingress, VirtualService and HTTPRoute names.
    public static let dnsSubdomain = Pattern(#"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#)

    // Image references after the distribution reference grammar
    // (https://github.com/distribution/reference/blob/main/reference.go), with the first
    // component read as a registry only when it looks like a host (has a dot or a port, or is
    // localhost), as Docker's normalisation decides; otherwise it is a lowercase path component.
    static let domain = #"(?:(?:(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)(?::[0-9]+)?|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9]+)/)?"#
    static let pathComponent = #"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"#
    static let repositoryName = domain + pathComponent + "(?:/" + pathComponent + ")*"
    static let tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
    static let digest = "@sha256:[a-f0-9]{64}"

    /// An image repository without tag or digest: `registry.example.com:5000/shop/web`, `shop/web`.
    public static let imageRepository = Pattern("^" + repositoryName + "$")
    /// A pinned image reference: a repository with a tag, a digest, or both
    /// (`shop/web:1.4.2`, `shop/web@sha256:...`, `shop/web:1.4.2@sha256:...`).
    public static let imageReference = Pattern("^" + repositoryName + "(?::" + tag + "(?:" + digest + ")?|" + digest + ")$")
    /// A commit hash: 7 to 40 lowercase hex digits.
    public static let commit = Pattern("^[0-9a-f]{7,40}$")
    /// A git branch name, as far as a pattern can tell (the rest is checked in Swift).
    public static let branch = Pattern("^[A-Za-z0-9._/-]+$")
    public static let githubOwner = Pattern("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
    public static let githubRepo = Pattern("^[A-Za-z0-9._-]+$")
    /// An http or https URL.
    public static let httpURL = Pattern(#"^https?://[^\s/$.?#][^\s]*$"#)
    /// A Telegram user id or a role name, as an access list entry.
    public static let accessSubject = Pattern("^([1-9][0-9]{0,15}|[a-z]([-a-z0-9]*[a-z0-9])?)$")
    static let telegramUserID = Pattern("^[1-9][0-9]{0,15}$")
    static let roleName = Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
    /// A time of day, `HH:MM`.
    public static let timeOfDay = Pattern("^([01][0-9]|2[0-3]):[0-5][0-9]$")
    /// The end of a window: a time of day or `24:00`.
    public static let windowEnd = Pattern("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
}
