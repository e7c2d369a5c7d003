import HeapModule
import Metrics
import Synchronization

/// The controller's queue of keys to reconcile, after client-go `util/workqueue` (queue,
/// delaying queue, rate-limiting queue) and kube-rs `scheduler.rs`:
///
/// - a key is queued at most once however often it is added (deduplicated);
/// - a key being processed is never handed out again until `done` is called; if it was added
///   meanwhile it is queued again at `done`, so the change is not lost and never processed twice
///   at once;
/// - `add(_:after:)` queues a key later (requeue-after), keeping the earliest time asked for;
///   delayed keys wait on one timer over a heap (kube-rs `scheduler.rs` with its `DelayQueue`),
///   not a task each, so thousands of releases waiting for a gate cost one sleeping task;
/// - `addRateLimited` waits as long as the rate limiter says (per-item backoff and an overall
///   rate), `forget` clears a key's failures after a success;
/// - `shutDown` stops handing out work: waiting `next()` calls return nil, adds are ignored,
///   keys being processed can still be marked `done`.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        /// Keys waiting for a delayed add, with the monotonic time they become ready.
        var waiting: [Key: Duration] = [:]
        /// The same deadlines in time order. An entry whose time no longer matches `waiting` was
        /// replaced by an earlier one and is skipped when it comes up.
        var deadlines = Heap<Deadline>()
        /// The one task sleeping until the earliest deadline, and that deadline.
        var timer: (task: Task<Void, Never>, until: Duration)?
        var shuttingDown = false
        var nextConsumerID = 0
        /// `next()` calls waiting for a key, in arrival order.
        var consumers: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []

        var queuedCount: Int { queue.count - head }

        mutating func popFirst() -> Key? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return key
        }

        /// Queues `key`, or hands it straight to a waiting consumer (returned to resume outside the lock).
        mutating func enqueue(_ key: Key) -> CheckedContinuation<Key?, Never>? {
            if !consumers.isEmpty {
                let consumer = consumers.removeFirst()
                dirty.remove(key)
                processing.insert(key)
                return consumer.continuation
            }
            queue.append(key)
            return nil
        }
    }

    private struct Deadline: Comparable {
        var readyAt: Duration
        var key: Key
        static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.readyAt < rhs.readyAt }
        static func == (lhs: Deadline, rhs: Deadline) -> Bool { lhs.readyAt == rhs.readyAt && lhs.key == rhs.key }
    }

    private let state = Mutex(State())
    public let rateLimiter: any RateLimiter<Key>
    public let clock: any RuntimeClock
    private let metrics: WorkQueueMetrics?

    /// - Parameters:
    ///   - name: the queue's name in its metrics (`workqueue_depth{name}` and the like); nil
    ///     reports none.
    ///   - metricsFactory: where the metrics go; nil uses `MetricsSystem.factory`.
    public init(rateLimiter: (any RateLimiter<Key>)? = nil, clock: any RuntimeClock = SystemClock(), name: String? = nil,
                metricsFactory: (any MetricsFactory)? = nil) {
        self.rateLimiter = rateLimiter ?? MaxOfRateLimiter<Key>.controllerDefault(clock: clock)
        self.clock = clock
        self.metrics = name.map { WorkQueueMetrics(name: $0, factory: metricsFactory ?? MetricsSystem.factory) }
    }

    /// Queues `key` now unless it is already queued.
    public func add(_ key: Key) {
        let (handOff, added, depth) = state.withLock { state -> (CheckedContinuation<Key?, Never>?, Bool, Int) in
            guard !state.shuttingDown, !state.dirty.contains(key) else { return (nil, false, state.queuedCount) }
            state.dirty.insert(key)
            if state.processing.contains(key) { return (nil, true, state.queuedCount) }
            let handOff = state.enqueue(key)
            return (handOff, true, state.queuedCount)
        }
        if let metrics, added {
            metrics.adds.increment()
            metrics.depth.record(depth)
        }
        handOff?.resume(returning: key)
    }

    /// Queues `key` once `delay` has passed. When the key is already waiting for an earlier
    /// time, that time stands.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let readyAt = clock.now() + delay
        let replaced = state.withLock { state -> Task<Void, Never>? in
            guard !state.shuttingDown else { return nil }
            if let existing = state.waiting[key], existing <= readyAt { return nil }
            state.waiting[key] = readyAt
            state.deadlines.insert(Deadline(readyAt: readyAt, key: key))
            return rearmTimer(&state)
        }
        replaced?.cancel()
    }

    /// Makes the timer sleep until the earliest deadline, if it does not already. Returns the
    /// timer it replaces, to be cancelled outside the lock.
    private func rearmTimer(_ state: inout State) -> Task<Void, Never>? {
        while let first = state.deadlines.min, state.waiting[first.key] != first.readyAt {
            _ = state.deadlines.removeMin()
        }
        guard let earliest = state.deadlines.min?.readyAt else {
            let old = state.timer?.task
            state.timer = nil
            return old
        }
        if let timer = state.timer, timer.until <= earliest { return nil }
        let old = state.timer?.task
        let task = Task { [clock] in
            do {
                try await clock.sleep(until: earliest)
            } catch {
                return
            }
            self.deadlinesElapsed(timerUntil: earliest)
        }
        state.timer = (task, earliest)
        return old
    }

    /// Queues every key whose time has come and sleeps again until the next deadline.
    private func deadlinesElapsed(timerUntil: Duration) {
        let now = clock.now()
        let ready = state.withLock { state -> [Key] in
            guard state.timer?.until == timerUntil else { return [] }
            state.timer = nil
            var ready: [Key] = []
            while let first = state.deadlines.min, first.readyAt <= now {
                _ = state.deadlines.removeMin()
                guard state.waiting[first.key] == first.readyAt else { continue }
                state.waiting.removeValue(forKey: first.key)
                ready.append(first.key)
            }
            _ = rearmTimer(&state)
            return ready
        }
        for key in ready { add(key) }
    }

    /// Queues `key` after the delay the rate limiter gives it (one more failure).
    public func addRateLimited(_ key: Key) {
        metrics?.retries.increment()
        add(key, after: rateLimiter.when(key))
    }

    /// `key` was processed successfully: its failures no longer count.
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
    }

    /// How often `key` has failed since it was last forgotten.
    public func failures(_ key: Key) -> Int {
        rateLimiter.failures(key)
    }

    /// The next key to process, waiting for one; nil once the queue is shut down (or the task
    /// cancelled). Call `done` with the key when finished with it.
    public func next() async -> Key? {
        let id = state.withLock { state -> Int in
            state.nextConsumerID += 1
            return state.nextConsumerID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let (immediate, depth) = state.withLock { state -> (Key??, Int) in
                    if state.shuttingDown || Task.isCancelled { return (.some(nil), state.queuedCount) }
                    if let key = state.popFirst() {
                        state.dirty.remove(key)
                        state.processing.insert(key)
                        return (.some(key), state.queuedCount)
                    }
                    state.consumers.append((id, continuation))
                    return (.none, state.queuedCount)
                }
                metrics?.depth.record(depth)
                if case .some(let key) = immediate { continuation.resume(returning: key) }
            }
        } onCancel: {
            let consumer = state.withLock { state -> CheckedContinuation<Key?, Never>? in
                guard let index = state.consumers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.consumers.remove(at: index).continuation
            }
            consumer?.resume(returning: nil)
        }
    }

    /// Processing of `key` finished. If it was added meanwhile, it is queued again now.
    public func done(_ key: Key) {
        let (handOff, depth) = state.withLock { state -> (CheckedContinuation<Key?, Never>?, Int) in
            state.processing.remove(key)
            guard state.dirty.contains(key), !state.shuttingDown else { return (nil, state.queuedCount) }
            let handOff = state.enqueue(key)
            return (handOff, state.queuedCount)
        }
        metrics?.depth.record(depth)
        handOff?.resume(returning: key)
    }

    /// Stops handing out work: pending and future `next()` calls return nil, adds and timers
    /// are dropped. Keys being processed may still be marked `done`.
    public func shutDown() {
        let (consumers, timer) = state.withLock { state in
            state.shuttingDown = true
            let consumers = state.consumers.map(\.continuation)
            state.consumers.removeAll()
            let timer = state.timer?.task
            state.timer = nil
            state.waiting.removeAll()
            state.deadlines = Heap()
            return (consumers, timer)
        }
        timer?.cancel()
        for consumer in consumers { consumer.resume(returning: nil) }
    }

    public var isShuttingDown: Bool {
        state.withLock { $0.shuttingDown }
    }

    /// Keys queued and ready to be handed out.
    public var count: Int {
        state.withLock { $0.queuedCount }
    }

    /// Keys handed out and not yet `done`.
    public var processingCount: Int {
        state.withLock { $0.processing.count }
    }

    /// Keys waiting for a delayed add.
    public var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }
}
