/// An image reference split the way the distribution spec addresses it: the registry host,
/// the repository inside it, and a tag and/or digest.
///
/// `registry.example.com/shop/web:1.4.2`, `127.0.0.1:5000/shop/web@sha256:…` and Docker Hub's
/// short forms (`nginx:1.27` is `docker.io/library/nginx:1.27`) are all understood. The first
/// path component names a registry when it contains `.` or `:` or is `localhost`, as Docker
/// decides it. https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry as written (`registry.example.com`, `127.0.0.1:5000`, `docker.io`).
    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: ImageDigest?

    public init(registry: String, repository: String, tag: String? = nil, digest: ImageDigest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses `text`; throws `RegistryError.invalidReference` saying what is wrong.
    public init(parsing text: String) throws(RegistryError) {
        guard !text.isEmpty, text.utf8.count <= 512 else {
            throw .invalidReference(reference: String(text.prefix(80)), reason: "must be 1 to 512 characters")
        }
        var rest = Substring(text)
        var digest: ImageDigest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            guard let parsed = ImageDigest(digestText) else {
                throw .invalidReference(reference: text, reason: "\(digestText) is not a sha256 digest (sha256: and 64 lowercase hex digits)")
            }
            digest = parsed
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = "docker.io"
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            registry = first
            components.removeFirst()
        }
        if registry == "docker.io" && components.count == 1 { components.insert("library", at: 0) }
        let repository = components.joined(separator: "/")
        guard Self.isRepository(repository) else {
            throw .invalidReference(reference: text, reason: "\(repository) is not a repository name (lowercase letters, digits and separators . _ - between path components)")
        }
        if let tag, !Self.isTag(tag) {
            throw .invalidReference(reference: text, reason: "\(tag) is not a tag (up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-')")
        }
        guard tag != nil || digest != nil else {
            throw .invalidReference(reference: text, reason: "names neither a tag nor a digest; add :TAG or @sha256:…")
        }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The host the API is served on: Docker Hub's API lives on `registry-1.docker.io`.
    public var apiHost: String { registry == "docker.io" || registry == "index.docker.io" ? "registry-1.docker.io" : registry }

    /// The repository as users write it, with its registry: what an image reference starts with.
    public var name: String { registry + "/" + repository }

    /// The tag or digest a manifest request asks for; the digest wins when both are given.
    public var manifestReference: String { digest?.rawValue ?? tag ?? "latest" }

    /// This repository at `digest`, without the tag: what a pinned workload runs.
    public func pinned(to digest: ImageDigest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: nil, digest: digest)
    }

    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.rawValue } ?? "")
    }

    /// `path-component ( / path-component )*` with `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*` components.
    static func isRepository(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        for component in text.split(separator: "/", omittingEmptySubsequences: false) {
            let bytes = Array(component.utf8)
            guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
            var index = 0
            while index < bytes.count {
                if isAlphanumeric(bytes[index]) { index += 1; continue }
                var end = index
                while end < bytes.count, !isAlphanumeric(bytes[end]) { end += 1 }
                let separator = bytes[index..<end]
                let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                    || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")]) || separator.allSatisfy { $0 == UInt8(ascii: "-") }
                guard valid else { return false }
                index = end
            }
        }
        return true
    }

    /// `[\w][\w.-]{0,127}`.
    static func isTag(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, isAlphanumeric(first, upper: true) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isAlphanumeric($0, upper: true) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8, upper: Bool = false) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (upper && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
