import Kube
import SlipwayAPI

/// What a chat user may ask for. Checked on every message and again on every button press,
/// from the configuration and the target as they are at that moment (a role removed after a
/// button was sent takes effect at once).
public enum ChatPermission: String, Sendable, Hashable, CaseIterable {
    /// /start, /help, /status, /history.
    case view
    case deploy
    case rollback
    case approve
    /// /promote and /abort of a running release.
    case steer
}

/// Decides who may do what, after the original bot's roles:
///
/// - `admin` (ADMIN_TELEGRAM_IDS, or `roles.admin` in the file): everything, everywhere.
/// - `staging` (STAGING_TELEGRAM_IDS, or `roles.staging`): view; deploy, promote and abort on
///   every environment except the protected ones (`adminOnlyEnvironments`, default
///   `production`). Admins are staging users too.
/// - any other role name: view only, unless a DeploymentTarget's `access` names it.
///
/// A target's `access.deployers`, `access.approvers` and `access.rollbackers` (Telegram user
/// ids or role names) replace these defaults for that target and permission; `steer` follows
/// `deployers`. Admins keep every permission regardless, so a typo in a target cannot lock
/// the operators out. Users with no role are strangers: they may do nothing.
public struct AccessControl: Sendable {
    public var roles: [String: Set<Int64>]
    public var adminOnlyEnvironments: Set<String>

    public static let admin = "admin"
    public static let staging = "staging"

    public init(roles: [String: Set<Int64>], adminOnlyEnvironments: Set<String> = ["production"]) {
        self.roles = roles
        self.adminOnlyEnvironments = adminOnlyEnvironments
    }

    /// The roles `userID` holds; admins also hold `staging`.
    public func roles(of userID: Int64) -> Set<String> {
        var held = Set(roles.compactMap { name, members in members.contains(userID) ? name : nil })
        if held.contains(Self.admin) { held.insert(Self.staging) }
        return held
    }

    /// Whether the user is known at all.
    public func isKnown(_ userID: Int64) -> Bool { !roles(of: userID).isEmpty }

    /// Whether `userID` may use `permission`, on `target` when the permission concerns one.
    public func allows(_ userID: Int64, _ permission: ChatPermission, on target: DeploymentTarget? = nil) -> Bool {
        let held = roles(of: userID)
        guard !held.isEmpty else { return false }
        if held.contains(Self.admin) { return true }
        if permission == .view { return true }
        guard let target else { return false }
        if let subjects = subjects(for: permission, in: target.spec.access) {
            return subjects.contains { subject in
                switch subject.kind {
                case .telegramUser(let id): id == userID
                case .role(let role): held.contains(role)
                case nil: false
                }
            }
        }
        switch permission {
        case .deploy, .steer:
            return held.contains(Self.staging) && !isAdminOnly(target)
        case .rollback, .approve, .view:
            return false
        }
    }

    /// The permissions the user has somewhere, for /help.
    public func permissions(of userID: Int64, targets: [DeploymentTarget]) -> Set<ChatPermission> {
        Set(ChatPermission.allCases.filter { permission in
            permission == .view ? isKnown(userID) : targets.contains { allows(userID, permission, on: $0) }
        })
    }

    private func isAdminOnly(_ target: DeploymentTarget) -> Bool {
        adminOnlyEnvironments.contains(target.spec.environment) || adminOnlyEnvironments.contains(target.metadata.name ?? "")
    }

    private func subjects(for permission: ChatPermission, in access: AccessPolicy?) -> [AccessSubject]? {
        guard let access else { return nil }
        switch permission {
        case .deploy, .steer: return access.deployers
        case .approve: return access.approvers
        case .rollback: return access.rollbackers
        case .view: return nil
        }
    }
}
