/// A command a chat user typed, after parsing and validation. Environment words are checked
/// against the allow-list (the environments and target names of the DeploymentTargets) and
/// commits against `CommandParser.commitPattern`, so a value of this type is safe to act on.
public enum ChatCommand: Sendable, Hashable {
    case start
    case help
    /// `/deploy ENV [COMMIT]`: without a commit, the newest commit of the target's branch.
    case deploy(environment: String, commit: String?)
    /// `/rollback ENV`: back to the target's previous release.
    case rollback(environment: String)
    /// `/status`: every environment.
    case status
    /// `/approve ENV`, `/abort ENV`, `/promote ENV`: act on the environment's current request.
    case approve(environment: String)
    case abort(environment: String)
    case promote(environment: String)
    /// `/history ENV`: recent releases.
    case history(environment: String)

    /// The command's name without the slash.
    public var name: String {
        switch self {
        case .start: "start"
        case .help: "help"
        case .deploy: "deploy"
        case .rollback: "rollback"
        case .status: "status"
        case .approve: "approve"
        case .abort: "abort"
        case .promote: "promote"
        case .history: "history"
        }
    }

    /// The environment word the command names, if any.
    public var environment: String? {
        switch self {
        case .start, .help, .status: nil
        case .deploy(let environment, _), .rollback(let environment), .approve(let environment), .abort(let environment),
             .promote(let environment), .history(let environment): environment
        }
    }
}

/// Why a message was not a command ChatOps acts on. `explanation` is the short reply.
public enum CommandRejection: Error, Sendable, Hashable {
    case notACommand
    case tooLong(limit: Int)
    case forbiddenCharacters
    case unknownCommand(String)
    case missingArgument(command: String, usage: String)
    case tooManyArguments(command: String, usage: String)
    case unknownEnvironment(String, known: [String])
    case invalidCommit

    /// A short, plain reply (no HTML); it never repeats the input, which may be hostile.
    /// What the audit log records of a refusal: its kind only, never the words typed.
    public var auditResult: String {
        switch self {
        case .notACommand: "refused input: not a command"
        case .tooLong: "refused input: too long"
        case .forbiddenCharacters: "refused input: forbidden characters"
        case .unknownCommand: "refused input: unknown command"
        case .missingArgument(let command, _): "refused input: /\(command) without an argument"
        case .tooManyArguments(let command, _): "refused input: too many arguments to /\(command)"
        case .unknownEnvironment: "refused input: unknown environment"
        case .invalidCommit: "refused input: not a commit"
        }
    }

    public var explanation: String {
        switch self {
        case .notACommand:
            "Commands start with /. Send /help to see yours."
        case .tooLong(let limit):
            "That message is too long for a command (at most \(limit) characters). Nothing was done."
        case .forbiddenCharacters:
            "Commands may contain only letters, digits, '-', '_', '@' and single spaces. Nothing was done."
        case .unknownCommand:
            "Unknown command. Send /help to see yours."
        case .missingArgument(_, let usage):
            "Usage: \(usage)"
        case .tooManyArguments(_, let usage):
            "Too many arguments. Usage: \(usage). Nothing was done."
        case .unknownEnvironment(_, let known):
            known.isEmpty ? "No environment is configured." : "Unknown environment. Known: \(known.joined(separator: ", "))."
        case .invalidCommit:
            "A commit is 7 to 40 hexadecimal digits (0-9, a-f). Nothing was done."
        }
    }
}
