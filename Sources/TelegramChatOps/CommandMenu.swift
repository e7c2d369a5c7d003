import ChatOps
import Telegram

/// The command list Telegram shows next to the message field. With a list per chat
/// (BotCommandScopeChat) each user sees only the commands their role allows; everyone else
/// sees only /start and /help.
/// See https://core.telegram.org/bots/api#setmycommands and
/// https://core.telegram.org/bots/features#commands
public enum CommandMenu {
    /// The commands for someone holding `permissions`.
    public static func commands(for permissions: Set<ChatPermission>) -> [BotCommand] {
        var commands = [BotCommand(command: "start", description: "What this bot does"),
                        BotCommand(command: "help", description: "The commands you may use")]
        guard permissions.contains(.view) else { return commands }
        commands.append(BotCommand(command: "status", description: "Every environment: live release, health, running request"))
        commands.append(BotCommand(command: "history", description: "Recent releases of an environment: /history ENV"))
        if permissions.contains(.deploy) {
            commands.append(BotCommand(command: "deploy", description: "Release a commit: /deploy ENV [COMMIT]"))
        }
        if permissions.contains(.rollback) {
            commands.append(BotCommand(command: "rollback", description: "Back to the previous release: /rollback ENV"))
        }
        if permissions.contains(.approve) {
            commands.append(BotCommand(command: "approve", description: "Approve the waiting release: /approve ENV"))
        }
        if permissions.contains(.steer) {
            commands.append(BotCommand(command: "promote", description: "Promote the paused release: /promote ENV"))
            commands.append(BotCommand(command: "abort", description: "Abort the running release: /abort ENV"))
        }
        return commands
    }

    /// Sets the default list and one list per private chat of a known user. A failure for one
    /// chat (a user who never opened the bot: "chat not found") does not stop the others.
    /// Returns the chats that could not be set.
    @discardableResult
    public static func install(client: TelegramClient, access: AccessControl, chats: Set<Int64>,
                               permissions: (Int64) -> Set<ChatPermission>) async throws(TelegramError) -> [Int64] {
        try await client.setMyCommands(commands(for: []), scope: .defaultScope)
        var failed: [Int64] = []
        // In a private chat the chat id is the user's id; groups (negative ids) get the default list.
        for chat in chats.sorted() where chat > 0 && access.isKnown(chat) {
            do {
                try await client.setMyCommands(commands(for: permissions(chat)), scope: .chat(chat))
            } catch {
                if case .api = error { failed.append(chat); continue }
                throw error
            }
        }
        return failed
    }
}
