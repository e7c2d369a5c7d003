import Foundation

/// Everything the chat front-end needs to know that is not in the cluster: which chats it
/// serves, who holds which role, how callbacks are signed, where the audit log goes, how to
/// resolve a branch's newest commit. Read by `ChatOpsConfiguration.load(fileAt:environment:)`;
/// the file format is described there and shown in `docs/chatops-configuration.yaml`.
public struct ChatOpsConfiguration: Sendable {
    /// The namespace of the DeploymentTargets and the DeploymentRequests the bot creates.
    public var namespace: String
    /// The only chats served; messages from any other chat are ignored (and audited as denied).
    public var allowedChats: Set<Int64>
    /// Role name → Telegram user ids. `admin` and `staging` have built-in meaning (below).
    public var roles: [String: Set<Int64>]
    /// Environments only admins may deploy to unless a target's `access` says otherwise.
    public var adminOnlyEnvironments: Set<String>
    /// Environments whose deploys and rollbacks ask "Confirm / Cancel" first. Rollbacks always do.
    public var confirmEnvironments: Set<String>
    /// The chat that hears about every production release (start and end), if any.
    public var notificationChat: Int64?
    /// Environments whose releases the notification chat hears about.
    public var notifyEnvironments: Set<String>
    /// The HMAC-SHA256 key of callback data. Never logged, never in the audit log.
    public var callbackSecret: [UInt8]
    /// How long a button stays valid.
    public var callbackLifetime: Duration
    /// The JSON Lines audit log; nil keeps no file (Events on requests are still written).
    public var auditLogPath: String?
    /// Where the record of used callbacks is kept, so a replay after a restart is still refused;
    /// nil keeps it in memory only.
    public var stateDirectory: String?
    /// The GitHub REST API used to resolve a branch's newest commit.
    public var github: GitHubSettings
    /// How a commit becomes the image tag of a deploy: `{commit}` is replaced by the full
    /// commit as typed or resolved (`{short}` by its first 7 digits).
    public var imageTagTemplate: String
    /// How chat users are named in `slipway.dev/requested-by` and `approved-by`
    /// (`telegram:123456789`).
    public var identityPrefix: String
    /// How long the Approve / Promote / Abort buttons of a progress message work before the
    /// next update of the message replaces them.
    public var progressButtonLifetime: Duration

    public init(namespace: String = "default", allowedChats: Set<Int64> = [], roles: [String: Set<Int64>] = [:],
                adminOnlyEnvironments: Set<String> = ["production"], confirmEnvironments: Set<String> = ["production"], notificationChat: Int64? = nil,
                notifyEnvironments: Set<String> = ["production"], callbackSecret: [UInt8],
                callbackLifetime: Duration = .seconds(600), auditLogPath: String? = nil, stateDirectory: String? = nil,
                github: GitHubSettings = GitHubSettings(), imageTagTemplate: String = "{commit}",
                identityPrefix: String = "telegram", progressButtonLifetime: Duration = .seconds(6 * 3600)) {
        self.namespace = namespace
        self.allowedChats = allowedChats
        self.roles = roles
        self.adminOnlyEnvironments = adminOnlyEnvironments
        self.confirmEnvironments = confirmEnvironments
        self.notificationChat = notificationChat
        self.notifyEnvironments = notifyEnvironments
        self.callbackSecret = callbackSecret
        self.callbackLifetime = callbackLifetime
        self.auditLogPath = auditLogPath
        self.stateDirectory = stateDirectory
        self.github = github
        self.imageTagTemplate = imageTagTemplate
        self.identityPrefix = identityPrefix
        self.progressButtonLifetime = progressButtonLifetime
    }
}

/// Where and how to ask GitHub for a branch's newest commit.
public struct GitHubSettings: Sendable {
    /// `https://api.github.com`, or a GitHub Enterprise / test server base URL.
    public var apiBaseURL: String
    /// Optional: public repositories need none. Sent as a Bearer token, never logged.
    public var token: String?

    public init(apiBaseURL: String = "https://api.github.com", token: String? = nil) {
        self.apiBaseURL = apiBaseURL
        self.token = token
    }
}

extension ChatOpsConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A summary without the callback secret or the GitHub token, safe for logs.
    public var description: String {
        "ChatOpsConfiguration(namespace: \(namespace), chats: \(allowedChats.sorted()), roles: \(roles.keys.sorted()), "
            + "auditLog: \(auditLogPath ?? "none"), stateDirectory: \(stateDirectory ?? "none"), github: \(github.apiBaseURL))"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["summary": description]) }
}

extension GitHubSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Without the token.
    public var description: String { "GitHubSettings(apiBaseURL: \(apiBaseURL), token: \(token == nil ? "none" : "<redacted>"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["summary": description]) }
}
