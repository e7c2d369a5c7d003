import Metrics
import Kube
import Logging
import Synchronization

/// What a reconcile asks for next. Reconciles are level-triggered: events only say which
/// object to look at; the reconcile reads the current state and takes the next step.
public enum ReconcileAction: Sendable, Equatable {
    /// Look at the object again after this long even if nothing changes (a step in progress,
    /// a gate to check again).
    case requeueAfter(Duration)
    /// Nothing to do until the object or one of its secondaries changes.
    case awaitChange
}

public struct ControllerConfiguration: Sendable {
    /// The controller's name in its metrics (`controller_runtime_reconcile_total{controller}`,
    /// `workqueue_depth{name}`): the primary resource in lower case, as controller-runtime names it.
    public var name: String
    /// How many keys are reconciled at once (never the same key twice).
    public var workers: Int
    /// After `shutdown()`, how long in-flight reconciles may take to finish before they are cancelled.
    public var shutdownGracePeriod: Duration
    public var watcher: WatcherConfiguration

    public init(name: String = "controller", workers: Int = 4, shutdownGracePeriod: Duration = .seconds(30),
                watcher: WatcherConfiguration = WatcherConfiguration()) {
        self.name = name
        self.workers = max(1, workers)
        self.shutdownGracePeriod = shutdownGracePeriod
        self.watcher = watcher
    }
}

/// Runs a reconcile function for objects of one primary resource, after kube-rs
/// `controller/mod.rs` and controller-runtime:
///
/// - the primary resource and any secondary resources are watched into stores;
/// - a change to a primary queues its key; a change to a secondary queues the keys its
///   `mapping` returns (its owners, or whatever the mapping derives from labels or a store),
///   so a Deployment change wakes the request working on it;
/// - workers start once every store has synced, take keys from a `WorkQueue` (deduplicated,
///   never two reconciles of one key at once) and reconcile them;
/// - a reconcile that throws is retried with per-key exponential backoff under an overall
///   rate limit; one that succeeds has its failures forgotten and is requeued if it asks;
/// - `shutdown()` stops taking new keys and lets in-flight reconciles finish within
///   `shutdownGracePeriod`; cancelling `run` stops everything at once.
public final class Controller<Primary: KubernetesObject>: Sendable {
    public typealias Reconcile = @Sendable (ObjectKey) async throws -> ReconcileAction

    /// The primary objects as last seen; reconciles read from here.
    public let store: Store<Primary>
    public let queue: WorkQueue<ObjectKey>
    public let configuration: ControllerConfiguration
    private let primarySource: any WatchSource<Primary>
    private let clock: any RuntimeClock
    private let logger: Logger
    private let metrics: ReconcileMetrics

    private struct Registration: Sendable {
        var watch: @Sendable (WorkQueue<ObjectKey>) async -> Void
        var waitUntilSynced: @Sendable () async -> Void
    }

    private struct State {
        var secondaries: [Registration] = []
        var started = false
        var stopped = false
        var syncTask: Task<Void, Never>?
        var workTask: Task<Void, Never>?
        var deadlineTask: Task<Void, Never>?
    }

    private let state = Mutex(State())

    public init(primary: any WatchSource<Primary>, configuration: ControllerConfiguration = ControllerConfiguration(),
                rateLimiter: (any RateLimiter<ObjectKey>)? = nil, clock: any RuntimeClock = SystemClock(),
                logger: Logger = Logger(label: "slipway.runtime.controller"), metricsFactory: (any MetricsFactory)? = nil,
                primaryTransform: Store<Primary>.Transform? = Store<Primary>.stripManagedFields) {
        self.primarySource = primary
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.store = Store(transform: primaryTransform)
        let factory = metricsFactory ?? MetricsSystem.factory
        self.queue = WorkQueue(rateLimiter: rateLimiter, clock: clock, name: configuration.name, metricsFactory: factory)
        self.metrics = ReconcileMetrics(controller: configuration.name, factory: factory)
    }

    /// Also watches `source` into `store` (by default a new one that drops managedFields); each
    /// change to one of its objects queues the primary keys `mapping` returns. Call before `run`.
    /// Returns the secondary's store for reconciles to read.
    ///
    /// The mapping runs for every event of the resource, so it must not scan a store: look up
    /// through an index (`Store.addIndex`).
    @discardableResult
    public func watches<Secondary: KubernetesObject>(_ source: any WatchSource<Secondary>,
                                                     into store: Store<Secondary> = Store(transform: Store<Secondary>.stripManagedFields),
                                                     mapping: @escaping @Sendable (Secondary) -> [ObjectKey]) -> Store<Secondary> {
        let watcher = Watcher(source: source, configuration: configuration.watcher, clock: clock, logger: logger)
        let registration = Registration(
            watch: { queue in
                await watcher.run { event in
                    let keys: [ObjectKey]
                    switch event {
                    case .restarted(let objects):
                        // Objects gone while nobody watched must wake their owners too.
                        keys = (store.list() + objects).flatMap(mapping)
                    case .applied(let object), .deleted(let object):
                        keys = mapping(object)
                    }
                    store.apply(event)
                    for key in keys { queue.add(key) }
                }
            },
            waitUntilSynced: { await store.waitUntilSynced() }
        )
        state.withLock { state in
            precondition(!state.started, "Controller.watches must be called before run")
            state.secondaries.append(registration)
        }
        return store
    }

    /// Runs until `shutdown()` has drained the workers, or until the task is cancelled.
    public func run(_ reconcile: @escaping Reconcile) async {
        let secondaries = state.withLock { state -> [Registration]? in
            guard !state.started else { return nil }
            state.started = true
            return state.secondaries
        }
        guard let secondaries else {
            logger.error("Controller.run called twice; the second call returns at once")
            return
        }
        let primaryWatcher = Watcher(source: primarySource, configuration: configuration.watcher, clock: clock, logger: logger)
        let store = self.store
        let queue = self.queue

        let watchTask = Task {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await primaryWatcher.run { event in
                        let keys: [ObjectKey]
                        switch event {
                        case .restarted(let objects):
                            keys = store.keys() + objects.compactMap { ObjectKey($0) }
                        case .applied(let object), .deleted(let object):
                            keys = ObjectKey(object).map { [$0] } ?? []
                        }
                        store.apply(event)
                        for key in keys { queue.add(key) }
                    }
                }
                for registration in secondaries {
                    group.addTask { await registration.watch(queue) }
                }
            }
        }

        let workTask = Task {
            let syncTask = self.state.withLock { state -> Task<Void, Never>? in
                guard !state.stopped else { return nil }
                let task = Task {
                    await store.waitUntilSynced()
                    for registration in secondaries { await registration.waitUntilSynced() }
                }
                state.syncTask = task
                return task
            }
            guard let syncTask else { return }
            await withTaskCancellationHandler { await syncTask.value } onCancel: { syncTask.cancel() }
            if queue.isShuttingDown || Task.isCancelled { return }
            self.logger.debug("caches synced; starting workers", metadata: ["workers": "\(self.configuration.workers)"])
            await withDiscardingTaskGroup { group in
                for _ in 0..<self.configuration.workers {
                    group.addTask { await self.work(reconcile) }
                }
            }
        }
        state.withLock { $0.workTask = workTask }

        await withTaskCancellationHandler {
            await workTask.value
        } onCancel: {
            queue.shutDown()
            workTask.cancel()
        }
        watchTask.cancel()
        await watchTask.value
        let deadline = state.withLock { $0.deadlineTask }
        deadline?.cancel()
    }

    /// Stops taking new keys; reconciles in flight get `shutdownGracePeriod` to finish, then
    /// are cancelled. `run` returns once they are done.
    public func shutdown() {
        queue.shutDown()
        let clock = self.clock
        let grace = configuration.shutdownGracePeriod
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            state.syncTask?.cancel()
            let workTask = state.workTask
            state.deadlineTask = Task {
                do {
                    try await clock.sleep(for: grace)
                } catch {
                    return
                }
                workTask?.cancel()
            }
        }
    }

    private func work(_ reconcile: Reconcile) async {
        while let key = await queue.next() {
            let metadata: Logger.Metadata = ["object": "\(key)"]
            metrics.active.increment()
            let started = ContinuousClock.now
            defer { metrics.active.decrement() }
            do {
                let action = try await reconcile(key)
                metrics.record(action, took: ContinuousClock.now - started)
                queue.forget(key)
                if case .requeueAfter(let delay) = action {
                    queue.add(key, after: delay)
                }
                logger.trace("reconciled", metadata: metadata.merging(["action": "\(action)"]) { $1 })
            } catch {
                metrics.record(nil, took: ContinuousClock.now - started)
                queue.addRateLimited(key)
                logger.debug("reconcile failed; retrying with backoff",
                             metadata: metadata.merging(["error": "\(error)", "failures": "\(queue.failures(key))"]) { $1 })
            }
            queue.done(key)
        }
    }
}
