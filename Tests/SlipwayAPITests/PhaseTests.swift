import SlipwayAPI
import Testing

@Suite("SlipwayAPI phases")
struct SlipwayAPIPhaseTests {
    @Test("terminal phases are exactly the ends of a request and never change again")
    func terminal() {
        #expect(Set(Phase.allCases.filter(\.isTerminal)) == [.rejected, .succeeded, .failed, .rolledBack, .aborted])
        for phase in Phase.allCases where phase.isTerminal {
            #expect(phase.allowedSuccessors.isEmpty)
            #expect(!phase.isAbortable)
            for next in Phase.allCases where next != phase { #expect(!phase.canTransition(to: next), "\(phase) -> \(next)") }
        }
    }

    @Test("every non-terminal phase can be aborted, and every phase can reach an end")
    func abortable() {
        for phase in Phase.allCases where !phase.isTerminal {
            #expect(phase.canTransition(to: .aborted))
            #expect(phase.isAbortable)
        }
        // Reachability: from Pending every phase is reachable.
        var reached: Set<Phase> = [.pending]
        var frontier: [Phase] = [.pending]
        while let phase = frontier.popLast() {
            for next in phase.allowedSuccessors where reached.insert(next).inserted { frontier.append(next) }
        }
        #expect(reached == Set(Phase.allCases))
    }

    @Test("only a running release holds its target; waiting phases do not")
    func holdsTarget() {
        #expect(Set(Phase.allCases.filter(\.holdsTarget)) == [.progressing, .paused])
        #expect(Set(Phase.allCases.filter(\.isWaiting)) == [.pending, .queued, .awaitingApproval])
        #expect(!Phase.queued.canTransition(to: .succeeded))
        #expect(!Phase.awaitingApproval.canTransition(to: .paused))
        #expect(Phase.paused.canTransition(to: .progressing))
        #expect(Phase.progressing.canTransition(to: .rolledBack))
    }

    @Test("phases encode as the schema's strings")
    func rawValues() {
        #expect(Phase.awaitingApproval.rawValue == "AwaitingApproval")
        #expect(Phase.rolledBack.rawValue == "RolledBack")
        #expect(Phase(rawValue: "Progressing") == .progressing)
    }
}
