/// How a simulated application behaves, decided by its image tag. Words in the tag are
/// separated by `-`: `shop/web:1.4.2-errors20-latency150` is version `1.4.2-errors20-latency150`
/// of an app where 20 % of requests fail and each takes 150 ms longer.
///
/// Unknown words are ignored (`1.4.2`, `rc1`), so any ordinary tag is a healthy app. Numbers
/// are bounded so that a tag can never ask for an absurd delay or percentage.
public struct AppBehavior: Sendable, Equatable {
    /// Ready, but `/healthz` and `/readyz` answer 503.
    public var unhealthy = false
    /// Never ready; the container restarts every few seconds (CrashLoopBackOff).
    public var crashLoop = false
    /// Seconds after start before the pod becomes ready (`slow<N>`, at most 3600).
    public var slowSeconds = 0
    /// Percentage of requests answered 500 (`errors<P>`, 0...100).
    public var errorPercent = 0
    /// Milliseconds added to every request (`latency<MS>`, at most 60000).
    public var latencyMilliseconds = 0
    /// The tag itself, reported as the app's version.
    public var version: String

    public static let maximumSlowSeconds = 3600
    public static let maximumLatencyMilliseconds = 60_000

    public init(image: String) {
        let tag = Self.tag(of: image)
        version = tag
        for word in tag.split(separator: "-") {
            let word = word.lowercased()
            if word == "unhealthy" {
                unhealthy = true
            } else if word == "crashloop" {
                crashLoop = true
            } else if let seconds = Self.number(after: "slow", in: word) {
                slowSeconds = min(seconds, Self.maximumSlowSeconds)
            } else if let percent = Self.number(after: "errors", in: word) {
                errorPercent = min(percent, 100)
            } else if let milliseconds = Self.number(after: "latency", in: word) {
                latencyMilliseconds = min(milliseconds, Self.maximumLatencyMilliseconds)
            }
        }
    }

    /// The tag of an image reference (`registry:5000/shop/web:1.4.2@sha256:...` → `1.4.2`);
    /// `latest` when the reference has none, as a container runtime assumes.
    static func tag(of image: String) -> String {
        let withoutDigest = image.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? image
        let lastComponent = withoutDigest.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? withoutDigest
        guard let colon = lastComponent.lastIndex(of: ":") else { return "latest" }
        let tag = String(lastComponent[lastComponent.index(after: colon)...])
        return tag.isEmpty ? "latest" : tag
    }

    /// The decimal number after `prefix` when the word is exactly prefix + digits; numbers too
    /// long to matter are capped rather than rejected.
    static func number(after prefix: String, in word: String) -> Int? {
        guard word.hasPrefix(prefix) else { return nil }
        let digits = word.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return digits.count > 18 && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int.max : nil
        }
        return Int(digits)
    }
}
