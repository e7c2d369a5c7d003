/// What must hold of an image before a target runs it: that its tag resolves in the registry,
/// that workloads get the digest rather than the movable tag, that it is signed.
/// Checked at admission, before any workload changes.
public struct ImagePolicy: Codable, Sendable, Equatable {
    /// Resolve the tag before anything moves; an image the registry does not have is Rejected
    /// at once. Defaults to true when `pinDigest` or `signatures` is set (both need the digest).
    public var requireInRegistry: Bool?
    /// Workloads get `REPO@sha256:…`, the digest the tag had at admission, so that a re-pushed
    /// tag never changes what a release or a rollback runs.
    public var pinDigest: Bool?
    public var registry: RegistryAccess?
    public var signatures: SignaturePolicy?

    public init(requireInRegistry: Bool? = nil, pinDigest: Bool? = nil, registry: RegistryAccess? = nil, signatures: SignaturePolicy? = nil) {
        self.requireInRegistry = requireInRegistry
        self.pinDigest = pinDigest
        self.registry = registry
        self.signatures = signatures
    }

    public var effectivePinDigest: Bool { pinDigest ?? false }
    public var verifiesSignatures: Bool { !(signatures?.publicKeys ?? []).isEmpty }
    /// Whether admission asks the registry at all.
    public var effectiveRequireInRegistry: Bool { requireInRegistry ?? (effectivePinDigest || verifiesSignatures) }
}

/// How the controller reaches the registry.
public struct RegistryAccess: Codable, Sendable, Equatable {
    /// PEM certificates of the authorities that issued the registry's certificate. When set they
    /// replace the system's authorities for this registry; TLS is always verified.
    public var caBundle: String?
    /// A `kubernetes.io/dockerconfigjson` Secret in the target's namespace with credentials for
    /// the registry. The controller reads only the Secrets that targets name here.
    public var pullSecret: String?

    public init(caBundle: String? = nil, pullSecret: String? = nil) {
        self.caBundle = caBundle
        self.pullSecret = pullSecret
    }
}

/// cosign key-based verification: the digest must carry a signature by one of these keys.
/// Keyless signatures (Fulcio certificates, Rekor) are not verified.
public struct SignaturePolicy: Codable, Sendable, Equatable {
    /// PEM ECDSA P-256 public keys (`cosign generate-key-pair` writes `cosign.pub`).
    public var publicKeys: [String]

    public init(publicKeys: [String]) {
        self.publicKeys = publicKeys
    }
}
