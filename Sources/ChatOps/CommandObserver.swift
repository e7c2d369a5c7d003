/// How one command or button press ended, as operators count it. The chat front-end reports
/// each handled command through `ChatOpsEngine`'s `onCommand` observer, so that metrics can be
/// kept without ChatOps depending on any metrics library.
public enum CommandOutcome: String, Sendable, CaseIterable {
    /// Done as asked (including "asked for confirmation" and a redelivered command seen before).
    case ok
    /// The user may not do this: unknown user, unserved chat, role, window, approval rules.
    case denied
    /// The command or its arguments were wrong.
    case invalid
    /// Something failed on the way (Kubernetes API, chat platform, commit lookup).
    case error
    /// The user cancelled at the confirmation.
    case cancelled
}

/// Told of every command handled: the command's name without the slash (one of
/// `ChatCommand.names`, or `ChatCommand.otherName` for anything else, so the set stays bounded)
/// and its outcome. Called on the engine's actor: it must return quickly.
public typealias CommandObserver = @Sendable (_ command: String, _ outcome: CommandOutcome) -> Void

extension ChatCommand {
    /// Every command name the engine knows, without the slash.
    public static let names: Set<String> = ["start", "help", "deploy", "rollback", "status", "approve", "abort", "promote", "history"]

    /// The name counted for text that is not one of `names`.
    public static let otherName = "other"

    /// The bounded name of the command a message starts with: `/Deploy@slipway_bot prod` is
    /// `deploy`; plain text, unknown commands and garbage are `other`.
    public static func countedName(of text: String) -> String {
        guard text.hasPrefix("/") else { return otherName }
        var word = text.dropFirst().prefix { !$0.isWhitespace }
        if let at = word.firstIndex(of: "@") { word = word[..<at] }
        let name = word.lowercased()
        return names.contains(name) ? name : otherName
    }
}
