import Kube

/// One environment of one application (`web-production`), described once by the platform team:
/// where releases come from, how they reach users (strategy), what must hold before and after
/// (gates), and who may do what when (approval, access, windows).
/// The schema is `manifests/crds/deploymenttargets.slipway.dev.yaml`.
public struct DeploymentTarget: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.deploymentTargets
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: DeploymentTargetSpec
    public var status: DeploymentTargetStatus?

    public init(metadata: ObjectMeta, spec: DeploymentTargetSpec, status: DeploymentTargetStatus? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct DeploymentTargetSpec: Codable, Sendable, Equatable {
    /// The word users type (`production`); a DNS-1123 label.
    public var environment: String
    public var source: ReleaseSource
    /// The container whose image a release sets, in every Deployment of the strategy.
    public var container: String
    public var strategy: ReleaseStrategy
    public var gates: [Gate]?
    public var onGateFailure: GateFailurePolicy?
    public var approval: ApprovalPolicy?
    public var access: AccessPolicy?
    public var windows: DeploymentWindows?
    /// Finished requests kept per target (default 10).
    public var historyLimit: Int?
    /// No progress for this long fails the release (default 600).
    public var progressDeadlineSeconds: Int?
    /// What must hold of an image before it runs (in the registry, pinned, signed).
    public var imagePolicy: ImagePolicy?

    public static let defaultHistoryLimit = 10
    public static let defaultProgressDeadlineSeconds = 600

    public init(environment: String, source: ReleaseSource, container: String, strategy: ReleaseStrategy,
                gates: [Gate]? = nil, onGateFailure: GateFailurePolicy? = nil, approval: ApprovalPolicy? = nil,
                access: AccessPolicy? = nil, windows: DeploymentWindows? = nil, historyLimit: Int? = nil,
                progressDeadlineSeconds: Int? = nil, imagePolicy: ImagePolicy? = nil) {
        self.environment = environment
        self.source = source
        self.container = container
        self.strategy = strategy
        self.gates = gates
        self.onGateFailure = onGateFailure
        self.approval = approval
        self.access = access
        self.windows = windows
        self.historyLimit = historyLimit
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.imagePolicy = imagePolicy
    }

    /// The values in effect, with the schema's defaults for members left out (the API server
    /// fills them in, but an object read from a file or built in code may lack them).
    public var effectiveHistoryLimit: Int { historyLimit ?? Self.defaultHistoryLimit }
    public var effectiveProgressDeadlineSeconds: Int { progressDeadlineSeconds ?? Self.defaultProgressDeadlineSeconds }
    public var effectiveOnGateFailure: GateFailurePolicy { onGateFailure ?? .rollback }

    /// The gate named `name`, if the target defines it.
    public func gate(named name: String) -> Gate? {
        gates?.first { $0.name == name }
    }
}

/// Where releases come from.
public struct ReleaseSource: Codable, Sendable, Equatable {
    /// The image repository without tag or digest (`registry.example.com/shop/web`); a request's
    /// image must be in this repository.
    public var imageRepository: String
    /// The branch whose newest commit a deploy without a commit takes (default `main`).
    public var branch: String?
    public var github: GitHubRepository?

    public init(imageRepository: String, branch: String? = nil, github: GitHubRepository? = nil) {
        self.imageRepository = imageRepository
        self.branch = branch
        self.github = github
    }
}

/// The GitHub repository used to resolve a branch's newest commit.
public struct GitHubRepository: Codable, Sendable, Equatable {
    public var owner: String
    public var repo: String

    public init(owner: String, repo: String) {
        self.owner = owner
        self.repo = repo
    }
}

/// What a failed gate does to the release.
public enum GateFailurePolicy: String, Codable, Sendable, CaseIterable {
    /// Return traffic and the workload to the previous release (the default).
    case rollback
    /// Stop in phase Paused until a human promotes or aborts.
    case pause
}

/// Whether a release needs approval, and whose.
public struct ApprovalPolicy: Codable, Sendable, Equatable {
    public var required: Bool?
    /// Distinct approvers needed (default 1).
    public var minApprovers: Int?
    /// Whether the requester counts as one of the approvers (default false: four eyes).
    public var requesterMayApprove: Bool?

    public init(required: Bool? = nil, minApprovers: Int? = nil, requesterMayApprove: Bool? = nil) {
        self.required = required
        self.minApprovers = minApprovers
        self.requesterMayApprove = requesterMayApprove
    }

    public var isRequired: Bool { required ?? false }
    public var effectiveMinApprovers: Int { minApprovers ?? 1 }
    public var effectiveRequesterMayApprove: Bool { requesterMayApprove ?? false }
}

/// Who may act through the chat front-end. Entries are Telegram user ids (digits) or role names
/// (`admin`, `staging`, as the front-end's configuration defines them). An absent list means
/// the front-end's own defaults apply; Kubernetes RBAC still governs `kubectl` users.
public struct AccessPolicy: Codable, Sendable, Equatable {
    public var deployers: [AccessSubject]?
    public var approvers: [AccessSubject]?
    public var rollbackers: [AccessSubject]?

    public init(deployers: [AccessSubject]? = nil, approvers: [AccessSubject]? = nil, rollbackers: [AccessSubject]? = nil) {
        self.deployers = deployers
        self.approvers = approvers
        self.rollbackers = rollbackers
    }
}

/// One entry of an access list: a Telegram user id or a role name, written as a string
/// (`"123456789"`, `"admin"`). Kept as written so that a malformed entry survives decoding and
/// is reported by validation with its field path.
public struct AccessSubject: Codable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case telegramUser(Int64)
        case role(String)
    }

    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public static func telegramUser(_ id: Int64) -> AccessSubject { AccessSubject(String(id)) }
    public static func role(_ name: String) -> AccessSubject { AccessSubject(name) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// What the entry names, or nil when it is neither a user id nor a role name.
    public var kind: Kind? {
        if Patterns.telegramUserID.matches(rawValue), let id = Int64(rawValue) { return .telegramUser(id) }
        if Patterns.roleName.matches(rawValue) { return .role(rawValue) }
        return nil
    }

    public var description: String { rawValue }
}
