import KubeRuntime
import Synchronization
import Testing

@Suite("Runtime work queue")
struct RuntimeQueueTests {
    func queue(clock: ManualClock = ManualClock()) -> WorkQueue<String> {
        WorkQueue(rateLimiter: MaxOfRateLimiter<String>.controllerDefault(clock: clock), clock: clock)
    }

    @Test("a key added many times is handed out once")
    func deduplicates() async throws {
        let queue = queue()
        for key in ["a", "a", "b", "a", "b"] { queue.add(key) }
        #expect(queue.count == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(queue.count == 0)
    }

    @Test("a key added while it is processed is handed out again only after done")
    func exclusiveWhileProcessing() async throws {
        let queue = queue()
        queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.count == 0)

        queue.add("b")
        #expect(await queue.next() == "b")
        queue.done("b")

        queue.done("a")
        #expect(queue.count == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.count == 0)
    }

    @Test("many workers never process one key at the same time, and every addition is processed")
    func workersNeverOverlapOnAKey() async throws {
        let queue = queue()
        let keys = (0..<5).map { "key-\($0)" }
        let inFlight = Locked<[String: Int]>([:])
        let overlaps = Locked(0)
        let processedAfterLastAdd = Locked<Set<String>>([])
        let addsFinished = Locked(false)

        let workers = (0..<8).map { _ in
            Task.detached {
                while let key = await queue.next() {
                    let concurrent = inFlight.withLock { state -> Int in
                        state[key, default: 0] += 1
                        return state[key, default: 0]
                    }
                    if concurrent > 1 { overlaps.withLock { $0 += 1 } }
                    await Task.yield()
                    inFlight.withLock { $0[key, default: 0] -= 1 }
                    if addsFinished.value {
                        processedAfterLastAdd.withLock { _ = $0.insert(key) }
                    }
                    queue.done(key)
                }
            }
        }
        for round in 0..<2_000 {
            queue.add(keys[round % keys.count])
            if round.isMultiple(of: 7) { await Task.yield() }
        }
        addsFinished.withLock { $0 = true }
        // Every key added after the flag is processed at least once more.
        for key in keys { queue.add(key) }
        try await waitUntil("every key is processed after the last additions") {
            processedAfterLastAdd.withLock { $0.count } == keys.count
        }
        queue.shutDown()
        for worker in workers { await worker.value }
        #expect(overlaps.value == 0)
    }

    @Test("requeue-after hands the key out only when the delay has passed, keeping the earliest time")
    func requeueAfter() async throws {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        queue.add("a", after: .seconds(10))
        queue.add("a", after: .seconds(3))
        queue.add("a", after: .seconds(20))
        #expect(queue.waitingCount == 1)
        try await waitUntil("the timer waits on the clock") { clock.sleeperCount == 1 }

        clock.advance(by: .seconds(2))
        #expect(queue.count == 0)
        clock.advance(by: .seconds(1))
        try await waitUntil("the key is ready") { queue.count == 1 }
        #expect(await queue.next() == "a")
        #expect(queue.waitingCount == 0)
    }

    @Test("a thousand delayed keys wait on one timer and become ready in deadline order")
    func delayedKeysShareOneTimer() async throws {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        for index in 0..<1000 {
            queue.add("k\(index)", after: .seconds(1 + (index * 7919) % 1000))
        }
        #expect(queue.waitingCount == 1000)
        try await waitUntil("the one timer waits on the clock") { clock.sleeperCount == 1 }
        #expect(clock.sleeperCount == 1)

        // Deadlines 1...1000 s: after 10 s exactly the ten keys due by then are ready.
        for _ in 0..<10 { clock.advance(by: .seconds(1)) }
        try await waitUntil("the ten keys due are ready") { queue.count == 10 }
        #expect(queue.waitingCount == 990)
        var ready: Set<String> = []
        for _ in 0..<10 { if let key = await queue.next() { ready.insert(key); queue.done(key) } }
        let due = Set((0..<1000).filter { 1 + ($0 * 7919) % 1000 <= 10 }.map { "k\($0)" })
        #expect(ready == due)
        try await waitUntil("the timer sleeps until the next deadline") { clock.sleeperCount == 1 }
    }

    @Test("per-key backoff doubles from 5 ms up to 1000 s and forget starts it over")
    func itemBackoff() {
        let limiter = ItemExponentialFailureRateLimiter<String>()
        #expect(limiter.when("a") == .milliseconds(5))
        #expect(limiter.when("a") == .milliseconds(10))
        #expect(limiter.when("a") == .milliseconds(20))
        #expect(limiter.when("b") == .milliseconds(5))
        #expect(limiter.failures("a") == 3)
        for _ in 0..<100 { _ = limiter.when("a") }
        #expect(limiter.when("a") == .seconds(1000))
        limiter.forget("a")
        #expect(limiter.failures("a") == 0)
        #expect(limiter.when("a") == .milliseconds(5))
    }

    @Test("the overall limit allows a burst of 100, then 10 per second")
    func overallRateLimit() {
        let clock = ManualClock()
        let limiter = BucketRateLimiter<String>(clock: clock)
        for index in 0..<100 { #expect(limiter.when("key-\(index)") == .zero) }
        #expect(limiter.when("one-more") == .milliseconds(100))
        #expect(limiter.when("and-another") == .milliseconds(200))
        clock.advance(by: .seconds(10))
        #expect(limiter.when("later") == .zero)
    }

    @Test("the combined limiter takes the longer of per-key backoff and the overall limit")
    func combinedLimiter() {
        let clock = ManualClock()
        let limiter = MaxOfRateLimiter<String>.controllerDefault(clock: clock)
        #expect(limiter.when("a") == .milliseconds(5))
        for index in 0..<99 { _ = limiter.when("burst-\(index)") }
        // The bucket is empty: the next token is 100 ms away, longer than 10 ms of backoff.
        #expect(limiter.when("a") == .milliseconds(100))
        limiter.forget("a")
        #expect(limiter.failures("a") == 0)
    }

    @Test("a failed key comes back after its backoff; forget resets it")
    func addRateLimited() async throws {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        queue.addRateLimited("a")
        #expect(queue.failures("a") == 1)
        try await waitUntil("the retry waits on the clock") { clock.sleeperCount == 1 }
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(5))
        try await waitUntil("the key is ready again") { queue.count == 1 }
        let key = await queue.next()
        queue.forget("a")
        queue.done("a")
        #expect(key == "a")
        #expect(queue.failures("a") == 0)
    }

    @Test("shutting down releases waiting workers and ignores new keys")
    func shutdown() async throws {
        let queue = queue()
        let waiting = Task { await queue.next() }
        try await waitUntil("a worker waits") { true }
        queue.shutDown()
        #expect(await waiting.value == nil)
        queue.add("a")
        #expect(queue.count == 0)
        #expect(await queue.next() == nil)
    }
}
