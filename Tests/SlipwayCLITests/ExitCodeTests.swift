import Kube
import SlipwayAPI
import SlipwayCLI
import Testing

@Suite("Exit codes of --wait")
struct ExitCodeTests {
    @Test("each ending of a release has its own exit code, and success is 0")
    func distinctEndings() {
        let endings: [Phase] = [.succeeded, .failed, .rolledBack, .aborted, .rejected]
        let codes = endings.compactMap { ReleaseExitCode.forPhase($0)?.rawValue }
        #expect(codes == [0, 2, 3, 4, 5])
        #expect(Set(codes).count == endings.count)
        #expect(!codes.contains(ReleaseExitCode.timedOut.rawValue))
        #expect(!codes.contains(ReleaseExitCode.error.rawValue))
    }

    @Test("a request still running has no exit code yet")
    func running() {
        for phase in Phase.allCases where !phase.isTerminal {
            #expect(ReleaseExitCode.forPhase(phase) == nil, "\(phase)")
        }
    }

    @Test("the help text lists every code with its meaning")
    func help() {
        let text = ReleaseExitCode.helpText
        for code in ReleaseExitCode.allCases {
            #expect(text.contains("  \(code.rawValue)  "), "\(code)")
        }
        #expect(text.contains("RolledBack") && text.contains("Rejected") && text.contains("timed out"))
    }
}
