/// Turns a chat message into a `ChatCommand`, or says why not. A pure function: no I/O, no
/// state, so every hostile input can be tested on its own.
///
/// The grammar is deliberately narrow, after the original bot's allow-lists: a command word,
/// then at most two arguments, each made only of ASCII letters, digits and `-`; environment
/// words must be on the allow-list, commits 7–40 hex digits. Anything else (shell
/// metacharacters, control characters, replacement characters from invalid UTF-8, long text)
/// is refused before any lookup, so nothing downstream ever sees it.
public enum CommandParser {
    /// The longest message read as a command.
    public static let maximumLength = 200

    /// `/deploy` may name the bot (`/deploy@slipway_bot`), as Telegram does in groups.
    /// See https://core.telegram.org/bots/features#commands
    public static func parse(_ text: String, environments: Set<String>) -> Result<ChatCommand, CommandRejection> {
        guard text.unicodeScalars.count <= maximumLength else { return .failure(.tooLong(limit: maximumLength)) }
        let trimmed = text.trimmingSpaces()
        guard trimmed.hasPrefix("/") else { return .failure(.notACommand) }
        guard trimmed.unicodeScalars.allSatisfy(isAllowed) else { return .failure(.forbiddenCharacters) }

        let words = trimmed.split(separator: " ").map(String.init)
        guard let first = words.first else { return .failure(.notACommand) }
        // Drop the slash and a `@botname` suffix.
        let commandWord = String(first.dropFirst().split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .lowercased()
        let arguments = Array(words.dropFirst())
        guard !arguments.contains(where: { $0.contains("@") }) else { return .failure(.forbiddenCharacters) }

        func environment(_ command: String, usage: String) -> Result<String, CommandRejection> {
            guard let word = arguments.first else { return .failure(.missingArgument(command: command, usage: usage)) }
            guard arguments.count == 1 else { return .failure(.tooManyArguments(command: command, usage: usage)) }
            return checkedEnvironment(word, environments)
        }

        switch commandWord {
        case "start": return arguments.isEmpty ? .success(.start) : .failure(.tooManyArguments(command: "start", usage: "/start"))
        case "help": return arguments.isEmpty ? .success(.help) : .failure(.tooManyArguments(command: "help", usage: "/help"))
        case "status": return arguments.isEmpty ? .success(.status) : .failure(.tooManyArguments(command: "status", usage: "/status"))
        case "deploy":
            let usage = "/deploy ENVIRONMENT [COMMIT]"
            guard let word = arguments.first else { return .failure(.missingArgument(command: "deploy", usage: usage)) }
            guard arguments.count <= 2 else { return .failure(.tooManyArguments(command: "deploy", usage: usage)) }
            return checkedEnvironment(word, environments).flatMap { environment in
                guard arguments.count == 2 else { return .success(.deploy(environment: environment, commit: nil)) }
                return checkedCommit(arguments[1]).map { .deploy(environment: environment, commit: $0) }
            }
        case "rollback": return environment("rollback", usage: "/rollback ENVIRONMENT").map { .rollback(environment: $0) }
        case "approve": return environment("approve", usage: "/approve ENVIRONMENT").map { .approve(environment: $0) }
        case "abort": return environment("abort", usage: "/abort ENVIRONMENT").map { .abort(environment: $0) }
        case "promote": return environment("promote", usage: "/promote ENVIRONMENT").map { .promote(environment: $0) }
        case "history": return environment("history", usage: "/history ENVIRONMENT").map { .history(environment: $0) }
        default: return .failure(.unknownCommand(commandWord))
        }
    }

    /// Whether `word` is 7–40 hex digits (either case; returned in lower case, as the
    /// DeploymentRequest schema wants).
    public static func isCommit(_ word: some StringProtocol) -> Bool {
        (7...40).contains(word.utf8.count) && word.utf8.allSatisfy { isHexDigit($0) }
    }

    private static func checkedCommit(_ word: String) -> Result<String, CommandRejection> {
        isCommit(word) ? .success(word.lowercased()) : .failure(.invalidCommit)
    }

    private static func checkedEnvironment(_ word: String, _ environments: Set<String>) -> Result<String, CommandRejection> {
        let lowered = word.lowercased()
        return environments.contains(lowered) ? .success(lowered) : .failure(.unknownEnvironment(lowered, known: environments.sorted()))
    }

    /// Printable ASCII letters, digits, `/`, `-`, `_`, `@` and the space: nothing a shell, a
    /// terminal or an HTML parser treats specially.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x2F, 0x2D, 0x5F, 0x40, 0x20: true
        default: false
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }
}

extension String {
    /// Without leading and trailing spaces (only U+0020; any other whitespace is refused later).
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
