import SlipwayAPI

/// One entry of a chat platform's command menu (Telegram: `setMyCommands`, one
/// `BotCommand` each: https://core.telegram.org/bots/api#botcommand).
public struct ChatCommandDescription: Sendable, Hashable {
    /// Without the slash: `deploy`.
    public var command: String
    public var description: String

    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}

extension ChatOpsEngine {
    /// The commands `userID` may use now, for a per-user (Telegram: per-chat-member scope)
    /// command menu. Empty for strangers.
    public func commands(for userID: Int64) async -> [ChatCommandDescription] {
        let targets: [DeploymentTarget]
        switch await self.targets() {
        case .found(let found): targets = found
        case .reply: targets = []
        }
        return Self.commands(permissions: access.permissions(of: userID, targets: targets))
    }

    /// The menu for a set of permissions.
    public static func commands(permissions: Set<ChatPermission>) -> [ChatCommandDescription] {
        guard permissions.contains(.view) else { return [] }
        var list = [
            ChatCommandDescription(command: "status", description: "Every environment: live commit, health, active release"),
            ChatCommandDescription(command: "history", description: "Recent releases of an environment"),
        ]
        if permissions.contains(.deploy) { list.append(.init(command: "deploy", description: "Release a commit to an environment")) }
        if permissions.contains(.rollback) { list.append(.init(command: "rollback", description: "Return an environment to its previous release")) }
        if permissions.contains(.approve) { list.append(.init(command: "approve", description: "Approve the waiting release")) }
        if permissions.contains(.steer) {
            list.append(.init(command: "promote", description: "Continue a paused release"))
            list.append(.init(command: "abort", description: "Stop a release and return to the previous one"))
        }
        list.append(.init(command: "help", description: "Your commands"))
        return list
    }
}
