import Kube
import KubeRuntime
import Testing

/// Lease timings shorter than client-go's, as short test and demo settings use them.
@Suite("Runtime leader election with short and fractional timings")
struct RuntimeLeaderElectionTimingTests {
    @Test("a fractional lease duration is written rounded up, so the standby never takes over before the leader has stopped")
    func fractionalLeaseDuration() async throws {
        let clock = ManualClock()
        let shared = InMemoryLeaseLock()
        let lockA = FlakyLeaseLock(shared)
        let board = LeadershipBoard()
        func configuration(_ identity: String) throws -> LeaderElectionConfiguration {
            try LeaderElectionConfiguration(identity: identity, leaseDuration: .milliseconds(1500), renewDeadline: .milliseconds(1400),
                                            retryPeriod: .milliseconds(200))
        }
        let a = LeaderElector(lock: lockA, configuration: try configuration("a"), clock: clock)
        let b = LeaderElector(lock: FlakyLeaseLock(shared), configuration: try configuration("b"), clock: clock)
        let runA = Task { await a.run(board.work("a")) }
        try await waitUntil("a leads") { a.isLeader && clock.sleeperCount == 1 }
        #expect(shared.current?.spec?.leaseDurationSeconds == 2)
        let runB = Task { await b.run(board.work("b")) }
        defer {
            runA.cancel()
            runB.cancel()
        }
        try await waitUntil("b stands by") { clock.sleeperCount == 2 && b.observedLeader == "a" }

        lockA.mode.withLock { $0 = .failing }
        var aStopped: Duration?
        var bStarted: Duration?
        for _ in 0..<60 {
            clock.advance(by: .milliseconds(100))
            try await waitUntil("both candidates wait on the clock") { clock.sleeperCount == 2 }
            #expect(!(a.isLeader && b.isLeader), "both lead at \(clock.now())")
            if aStopped == nil, !a.isLeader { aStopped = clock.now() }
            if bStarted == nil, b.isLeader { bStarted = clock.now() }
        }
        let stopped = try #require(aStopped)
        let started = try #require(bStarted)
        #expect(started > stopped)
        #expect(board.mostAtOnce == 1)
        #expect(shared.current?.spec?.holderIdentity == "b")
    }
}
