import Kube
import KubeRuntime
import Testing

/// A view of a shared in-memory Lease through one candidate's connection, which the test can
/// break (every call fails) or stall (calls hang until the connection is healthy again).
final class FlakyLeaseLock: LeaseLock {
    enum Mode: Sendable { case healthy, failing, hanging }

    let base: InMemoryLeaseLock
    let mode = Locked(Mode.healthy)

    init(_ base: InMemoryLeaseLock) {
        self.base = base
    }

    private func connect() async throws {
        while mode.value == .hanging { try await Task.sleep(for: .milliseconds(1)) }
        if mode.value == .failing { throw ConnectionDropped() }
    }

    func get() async throws -> Lease? {
        try await connect()
        return try await base.get()
    }

    func create(_ spec: LeaseSpec) async throws -> Lease {
        try await connect()
        return try await base.create(spec)
    }

    func update(_ lease: Lease) async throws -> Lease {
        try await connect()
        return try await base.update(lease)
    }
}

/// Who is acting as leader, as seen by the work each leader runs.
final class LeadershipBoard: Sendable {
    private struct State {
        var acting: Set<String> = []
        var mostAtOnce = 0
    }

    private let state = Locked(State())

    func work(_ name: String) -> @Sendable () async -> Void {
        { [state] in
            state.withLock { state in
                state.acting.insert(name)
                state.mostAtOnce = max(state.mostAtOnce, state.acting.count)
            }
            try? await Task.sleep(for: .seconds(86_400))
            state.withLock { _ = $0.acting.remove(name) }
        }
    }

    var mostAtOnce: Int { state.value.mostAtOnce }
    var acting: Set<String> { state.value.acting }
}

@Suite("Runtime leader election")
struct RuntimeLeaderElectionTests {
    func elector(_ identity: String, _ lock: any LeaseLock, _ clock: ManualClock) throws -> LeaderElector {
        LeaderElector(lock: lock, configuration: try LeaderElectionConfiguration(identity: identity), clock: clock)
    }

    /// Moves time on by `step` and waits until every candidate is waiting on the clock again.
    func step(_ clock: ManualClock, by step: Duration = .milliseconds(500), sleepers: Int) async throws {
        clock.advance(by: step)
        try await waitUntil("\(sleepers) candidates wait on the clock") { clock.sleeperCount == sleepers }
    }

    @Test("the first candidate creates the Lease, holds it and renews it every 2 s")
    func createsAndRenews() async throws {
        let clock = ManualClock()
        let lock = InMemoryLeaseLock(name: "slipway-controller", namespace: "slipway-system")
        let a = try elector("a", lock, clock)
        let run = Task { await a.run { try? await Task.sleep(for: .seconds(86_400)) } }
        defer { run.cancel() }

        try await waitUntil("a leads") { a.isLeader && clock.sleeperCount == 1 }
        let created = try #require(lock.current?.spec)
        #expect(created.holderIdentity == "a")
        #expect(created.leaseDurationSeconds == 15)
        #expect(created.leaseTransitions == 0)
        #expect(created.acquireTime == created.renewTime)
        #expect(created.renewTime?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)

        try await step(clock, by: .seconds(2), sleepers: 1)
        let renewed = try #require(lock.current?.spec)
        #expect(renewed.holderIdentity == "a")
        #expect(renewed.acquireTime == created.acquireTime)
        #expect(renewed.renewTime != created.renewTime)
        #expect(lock.writeCount == 2)
    }

    @Test("five candidates starting together: exactly one leads, and it stays the same one")
    func oneWinner() async throws {
        let clock = ManualClock()
        let lock = InMemoryLeaseLock()
        let board = LeadershipBoard()
        let electors = try (0..<5).map { try elector("candidate-\($0)", lock, clock) }
        let runs = electors.enumerated().map { index, elector in Task { await elector.run(board.work("candidate-\(index)")) } }
        defer { for run in runs { run.cancel() } }

        try await waitUntil("every candidate waits on the clock") { clock.sleeperCount == 5 }
        let leaders = electors.filter(\.isLeader).map(\.configuration.identity)
        #expect(leaders.count == 1)
        for _ in 0..<60 {
            try await step(clock, sleepers: 5)
            #expect(electors.filter(\.isLeader).map(\.configuration.identity) == leaders)
        }
        #expect(board.mostAtOnce == 1)
        #expect(lock.current?.spec?.leaseTransitions == 0)
    }

    @Test("when the leader cannot renew it stops within the renew deadline, and only then does the standby take over")
    func failover() async throws {
        let clock = ManualClock()
        let shared = InMemoryLeaseLock()
        let lockA = FlakyLeaseLock(shared)
        let board = LeadershipBoard()
        let a = try elector("a", lockA, clock)
        let b = try elector("b", FlakyLeaseLock(shared), clock)
        let runA = Task { await a.run(board.work("a")) }
        try await waitUntil("a leads") { a.isLeader && clock.sleeperCount == 1 }
        let runB = Task { await b.run(board.work("b")) }
        defer {
            runA.cancel()
            runB.cancel()
        }
        try await waitUntil("b stands by") { clock.sleeperCount == 2 && b.observedLeader == "a" }

        for _ in 0..<40 {
            try await step(clock, sleepers: 2)
            #expect(a.isLeader && !b.isLeader)
        }

        lockA.mode.withLock { $0 = .failing }
        let cutOff = clock.now()
        var aStopped: Duration?
        var bStarted: Duration?
        for _ in 0..<80 {
            try await step(clock, sleepers: 2)
            #expect(!(a.isLeader && b.isLeader))
            if aStopped == nil, !a.isLeader { aStopped = clock.now() }
            if bStarted == nil, b.isLeader { bStarted = clock.now() }
        }
        let stopped = try #require(aStopped)
        let started = try #require(bStarted)
        #expect(stopped - cutOff <= .seconds(10))
        #expect(started - stopped >= .seconds(4))
        #expect(board.mostAtOnce == 1)
        #expect(shared.current?.spec?.holderIdentity == "b")
        #expect(shared.current?.spec?.leaseTransitions == 1)
    }

    @Test("a leader whose renewal hangs stops leading at the renew deadline")
    func hangingRenewal() async throws {
        let clock = ManualClock()
        let lock = FlakyLeaseLock(InMemoryLeaseLock())
        let board = LeadershipBoard()
        let a = try elector("a", lock, clock)
        let run = Task { await a.run(board.work("a")) }
        defer { run.cancel() }
        try await waitUntil("a leads") { a.isLeader && clock.sleeperCount == 1 && board.acting == ["a"] }

        lock.mode.withLock { $0 = .hanging }
        let stalledAt = clock.now()
        while a.isLeader {
            clock.advance(by: .milliseconds(500))
            try await waitUntil("a waits on the clock or has stopped") { clock.sleeperCount == 1 || !a.isLeader }
            #expect(clock.now() - stalledAt <= .seconds(11))
        }
        try await waitUntil("a's work is cancelled") { board.acting.isEmpty }
        #expect(clock.now() - stalledAt <= .seconds(10))
    }

    @Test("a leader shutting down releases the Lease so the standby takes over at its next try")
    func releaseOnShutdown() async throws {
        let clock = ManualClock()
        let lock = InMemoryLeaseLock()
        let board = LeadershipBoard()
        let a = try elector("a", lock, clock)
        let b = try elector("b", lock, clock)
        let changes = Locked<[Bool]>([])
        let leadershipOfA = a.leadershipChanges()
        let watchA = Task { for await leading in leadershipOfA { changes.withLock { $0.append(leading) } } }
        defer { watchA.cancel() }
        let runA = Task { await a.run(board.work("a")) }
        try await waitUntil("a leads") { a.isLeader && clock.sleeperCount == 1 }
        let runB = Task { await b.run(board.work("b")) }
        defer { runB.cancel() }
        try await waitUntil("b stands by") { clock.sleeperCount == 2 && b.observedLeader == "a" }

        runA.cancel()
        await runA.value
        #expect(!a.isLeader)
        #expect(lock.current?.spec?.holderIdentity == "")
        try await waitUntil("a's work has stopped") { board.acting.isEmpty }

        let releasedAt = clock.now()
        while !b.isLeader {
            try await step(clock, sleepers: 1)
            #expect(clock.now() - releasedAt <= .seconds(2))
        }
        #expect(lock.current?.spec?.holderIdentity == "b")
        #expect(lock.current?.spec?.leaseTransitions == 1)
        try await waitUntil("a reported leading, then not") { changes.value == [false, true, false] }
    }

    @Test("when the leader's work ends by itself (a drained controller) the Lease is released at once")
    func workEndsReleases() async throws {
        let clock = ManualClock()
        let lock = InMemoryLeaseLock()
        let a = try elector("a", lock, clock)
        let finish = Locked(false)
        let run = Task {
            await a.run {
                while !finish.value { try? await Task.sleep(for: .milliseconds(1)) }
            }
        }
        try await waitUntil("a leads") { a.isLeader }
        finish.withLock { $0 = true }
        await run.value
        #expect(!a.isLeader)
        #expect(lock.current?.spec?.holderIdentity == "")
        #expect(clock.now() == .zero)
    }

    @Test("settings where a leader could outlive its lease are refused with an explanation")
    func refusesUnsafeTiming() {
        #expect(throws: LeaderElectionError.self) {
            try LeaderElectionConfiguration(identity: "a", leaseDuration: .seconds(10), renewDeadline: .seconds(10))
        }
        #expect(throws: LeaderElectionError.self) {
            try LeaderElectionConfiguration(identity: "", leaseDuration: .seconds(15))
        }
        do {
            _ = try LeaderElectionConfiguration(identity: "a", renewDeadline: .seconds(1), retryPeriod: .seconds(2))
            Issue.record("a renew deadline shorter than the retry period was accepted")
        } catch {
            #expect(error.description.contains("renew deadline"))
        }
    }
}
