import ChatOps
import Testing

@Suite struct CommandParserTests {
    let environments: Set<String> = ["staging", "production", "web-production"]

    func parse(_ text: String) -> Result<ChatCommand, CommandRejection> {
        CommandParser.parse(text, environments: environments)
    }

    @Test func readsEveryCommand() {
        #expect(parse("/start") == .success(.start))
        #expect(parse("/help") == .success(.help))
        #expect(parse("/status") == .success(.status))
        #expect(parse("/deploy staging") == .success(.deploy(environment: "staging", commit: nil)))
        #expect(parse("/deploy production abc1234") == .success(.deploy(environment: "production", commit: "abc1234")))
        #expect(parse("/rollback production") == .success(.rollback(environment: "production")))
        #expect(parse("/approve production") == .success(.approve(environment: "production")))
        #expect(parse("/abort staging") == .success(.abort(environment: "staging")))
        #expect(parse("/promote web-production") == .success(.promote(environment: "web-production")))
        #expect(parse("/history staging") == .success(.history(environment: "staging")))
    }

    @Test func acceptsTheBotNameSuffixAndExtraSpaces() {
        #expect(parse("/deploy@slipway_bot  staging   ABCDEF1 ") == .success(.deploy(environment: "staging", commit: "abcdef1")))
        #expect(parse("/STATUS") == .success(.status))
    }

    @Test func commitsAreSevenToFortyHexDigits() {
        let forty = String(repeating: "a", count: 40)
        #expect(parse("/deploy staging \(forty)") == .success(.deploy(environment: "staging", commit: forty)))
        #expect(parse("/deploy staging abc123") == .failure(.invalidCommit))
        #expect(parse("/deploy staging \(forty)b") == .failure(.invalidCommit))
        #expect(parse("/deploy staging abcdefg") == .failure(.invalidCommit))
        #expect(parse("/deploy staging main") == .failure(.invalidCommit))
    }

    @Test func environmentsComeFromTheAllowList() {
        guard case .failure(.unknownEnvironment(let word, let known)) = parse("/deploy prod") else {
            Issue.record("an unknown environment was accepted")
            return
        }
        #expect(word == "prod")
        #expect(known == ["production", "staging", "web-production"])
    }

    @Test(arguments: [
        "/deploy production; rm -rf /",
        "/deploy production && reboot",
        "/deploy $(reboot)",
        "/deploy `reboot`",
        "/deploy production | cat /etc/passwd",
        "/deploy ../../etc",
        "/deploy production\nrm -rf /",
        "/deploy production\u{0}",
        "/deploy production\u{1B}[31m",
        "/deploy pröduction",
        "/deploy <b>production</b>",
        "/deploy production\u{00A0}abc1234",
    ])
    func shellAndControlCharactersAreRefused(_ text: String) {
        #expect(parse(text) == .failure(.forbiddenCharacters))
    }

    @Test func invalidUTF8IsRefused() {
        // A platform decodes invalid UTF-8 to U+FFFD; such text never becomes a command.
        let text = "/deploy " + String(decoding: [0x70, 0xFF, 0xFE, 0x72], as: UTF8.self)
        #expect(parse(text) == .failure(.forbiddenCharacters))
    }

    @Test func longMessagesAreRefusedBeforeAnythingElse() {
        let text = "/deploy " + String(repeating: "a", count: 10_000)
        #expect(parse(text) == .failure(.tooLong(limit: CommandParser.maximumLength)))
    }

    @Test func textThatIsNoCommandIsExplained() {
        #expect(parse("$(reboot)") == .failure(.notACommand))
        #expect(parse("hello") == .failure(.notACommand))
        #expect(parse("") == .failure(.notACommand))
        #expect(parse("/reboot") == .failure(.unknownCommand("reboot")))
    }

    @Test func argumentCountsAreChecked() {
        #expect(parse("/deploy") == .failure(.missingArgument(command: "deploy", usage: "/deploy ENVIRONMENT [COMMIT]")))
        #expect(parse("/deploy staging abc1234 extra") == .failure(.tooManyArguments(command: "deploy", usage: "/deploy ENVIRONMENT [COMMIT]")))
        #expect(parse("/status now") == .failure(.tooManyArguments(command: "status", usage: "/status")))
        #expect(parse("/rollback") == .failure(.missingArgument(command: "rollback", usage: "/rollback ENVIRONMENT")))
        #expect(parse("/deploy staging@x") == .failure(.forbiddenCharacters))
    }

    @Test func explanationsNeverRepeatTheInput() {
        let hostile = "/deploy production; rm -rf /"
        guard case .failure(let rejection) = parse(hostile) else { return }
        #expect(!rejection.explanation.contains("rm -rf"))
        #expect(rejection.explanation.contains("Nothing was done"))
    }
}
