import Kube
import KubeRuntime
import Logging
import SlipwayAPI
import Synchronization

/// What a progress message hears about its request.
enum RequestFeedEvent: Sendable {
    case changed(DeploymentRequest)
    case deleted
    /// A re-list did not include it: deleted while nobody watched, or created after the list
    /// was read. Only the API can tell which.
    case absentFromList
}

/// One watch on the namespace's DeploymentRequests and one on its DeploymentTargets, shared by
/// every progress message the front-end keeps up to date, instead of a watch per message.
///
/// Built on KubeRuntime's `Watcher` (list, watch, re-watch, re-list on 410, back off on errors)
/// and `Store`: an event is decoded once and handed only to the subscriber of that request,
/// found by name; the targets a message renders are read from the cache. A subscriber's
/// stream keeps only the newest state (`bufferingNewest(1)`), so a message whose edits are slow
/// (a chat's rate limit) skips states instead of queueing them, and never holds up another.
final class RequestFeed: Sendable {
    let requests = Store<DeploymentRequest>(transform: Store.stripManagedFields)
    let targets = Store<DeploymentTarget>(transform: Store.stripManagedFields)
    private let kube: KubeClient
    private let namespace: String
    private let logger: Logger

    private struct State {
        var subscribers: [String: [Int: AsyncStream<RequestFeedEvent>.Continuation]] = [:]
        var nextID = 0
        var task: Task<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())

    init(kube: KubeClient, namespace: String, logger: Logger) {
        self.kube = kube
        self.namespace = namespace
        self.logger = logger
    }

    /// The changes of the request `name` from now on. Call `unsubscribe` with the id when done.
    func subscribe(_ name: String) -> (id: Int, events: AsyncStream<RequestFeedEvent>) {
        let (events, continuation) = AsyncStream<RequestFeedEvent>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.subscribers[name, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        startIfNeeded()
        return (id, events)
    }

    func unsubscribe(_ name: String, id: Int) {
        let continuation = state.withLock { state -> AsyncStream<RequestFeedEvent>.Continuation? in
            let removed = state.subscribers[name]?.removeValue(forKey: id)
            if state.subscribers[name]?.isEmpty == true { state.subscribers[name] = nil }
            return removed
        }
        continuation?.finish()
    }

    /// Returns once both caches have their first list (or the task is cancelled).
    func waitUntilSynced() async {
        startIfNeeded()
        await requests.waitUntilSynced()
        await targets.waitUntilSynced()
    }

    /// Stops both watches and ends every subscription.
    func stop() {
        let (task, continuations) = state.withLock { state in
            state.stopped = true
            let continuations = state.subscribers.values.flatMap(\.values)
            state.subscribers.removeAll()
            return (state.task, continuations)
        }
        task?.cancel()
        for continuation in continuations { continuation.finish() }
    }

    private func startIfNeeded() {
        state.withLock { state in
            guard state.task == nil, !state.stopped else { return }
            let requestWatcher = Watcher(source: KubeWatchSource(client: kube, DeploymentRequest.self, namespace: namespace), logger: logger)
            let targetWatcher = Watcher(source: KubeWatchSource(client: kube, DeploymentTarget.self, namespace: namespace), logger: logger)
            state.task = Task { [requests, targets] in
                await withDiscardingTaskGroup { group in
                    group.addTask {
                        await requestWatcher.run { event in
                            requests.apply(event)
                            self.dispatch(event)
                        }
                    }
                    group.addTask { await targetWatcher.run { targets.apply($0) } }
                }
            }
        }
    }

    /// Hands the event to the subscribers of its request only; after a re-list, every
    /// subscriber hears its request's state (or that it is gone).
    private func dispatch(_ event: WatcherEvent<DeploymentRequest>) {
        switch event {
        case .applied(let request):
            for continuation in subscribers(of: request.metadata.name) { continuation.yield(.changed(request)) }
        case .deleted(let request):
            for continuation in subscribers(of: request.metadata.name) { continuation.yield(.deleted) }
        case .restarted:
            let all = state.withLock { $0.subscribers }
            for (name, continuations) in all {
                let current = requests.get(name: name, namespace: namespace)
                for continuation in continuations.values { continuation.yield(current.map { .changed($0) } ?? .absentFromList) }
            }
        }
    }

    private func subscribers(of name: String?) -> [AsyncStream<RequestFeedEvent>.Continuation] {
        guard let name else { return [] }
        return state.withLock { state in state.subscribers[name].map { Array($0.values) } ?? [] }
    }
}
