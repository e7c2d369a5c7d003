import Foundation

/// What happened, in the audit log's and the Events' vocabulary (after the original bot's
/// audit fields).
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    case deployRequested = "deploy_requested"
    case deployConfirmed = "deploy_confirmed"
    case deployCancelled = "deploy_cancelled"
    case approved
    case aborted
    case promoted
    case rollbackRequested = "rollback_requested"
    case denied
    case callbackRejected = "callback_rejected"
    case deploySucceeded = "deploy_succeeded"
    case deployFailed = "deploy_failed"
    case rolledBack = "rolled_back"
    /// An update from the chat platform that was well-formed but could not be read: skipped, once.
    case updateSkipped = "update_skipped"

    /// The Event reason (`DeployConfirmed`), in the CamelCase Kubernetes uses.
    public var eventReason: String {
        rawValue.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Whether the Event is a Warning rather than Normal.
    public var isWarning: Bool {
        switch self {
        case .denied, .callbackRejected, .deployFailed, .rolledBack, .aborted, .updateSkipped: true
        default: false
        }
    }
}

/// One line of the audit log. The actor is a chat user (id and username) or, for outcomes,
/// the controller (`actorID` 0, no username). Only ids, names, environments, commits and
/// request names go in: never message text, tokens or secrets.
public struct AuditEntry: Sendable, Hashable {
    public var time: Date
    public var actorID: Int64
    public var username: String?
    public var chatID: Int64?
    public var action: AuditAction
    public var environment: String?
    public var commit: String?
    public var request: String?
    /// `ok`, or why not (`forbidden`, `tampered`, `expired`, `replayed`, `outside window`...).
    public var result: String

    public init(time: Date = Date(), actorID: Int64, username: String? = nil, chatID: Int64? = nil, action: AuditAction,
                environment: String? = nil, commit: String? = nil, request: String? = nil, result: String = "ok") {
        self.time = time
        self.actorID = actorID
        self.username = username
        self.chatID = chatID
        self.action = action
        self.environment = environment
        self.commit = commit
        self.request = request
        self.result = result
    }
}
