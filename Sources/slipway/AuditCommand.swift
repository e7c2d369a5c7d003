import ArgumentParser
import ChatOps

/// `slipway audit verify FILE`: checks the hash chain of a ChatOps audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Work with the chat audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no line of an audit log was edited, inserted or deleted.",
            discussion: """
                Exits 0 when the chain is intact and prints the number of entries and the hash of the last \
                line. Lines cut off the end are found through FILE.head, which the writer keeps next to the \
                log; compare the printed hash with a copy kept elsewhere for more assurance. \
                Exits 1 and names each broken line otherwise.
                """
        )

        @Argument(help: "The audit log (JSON Lines).")
        var file: String

        func run() async throws {
            let verification = try AuditLog.verify(fileAt: file)
            if verification.isIntact {
                print("\(file): intact, \(verification.lines) entries, head \(verification.head)")
                return
            }
            for problem in verification.problems { print("\(file): \(problem)") }
            throw ExitCode(1)
        }
    }
}
