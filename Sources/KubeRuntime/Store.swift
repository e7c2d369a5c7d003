import Kube
import Synchronization

/// An in-memory copy of one resource, fed by a `Watcher` (a reflector, after kube-rs
/// `reflector/store.rs` and client-go's informer cache).
///
/// A `.restarted` list replaces the whole map in one step under the lock, so a reader sees
/// either the old state or the new one, never half a list. Reads take the lock briefly and
/// return copies; they never wait on the watch.
public final class Store<Object: KubernetesObject>: Sendable {
    private struct State {
        var objects: [ObjectKey: Object] = [:]
        var synced = false
        var nextWaiterID = 0
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Applies one watcher event.
    public func apply(_ event: WatcherEvent<Object>) {
        switch event {
        case .restarted(let objects):
            // Built outside the lock; swapped in one assignment.
            var fresh: [ObjectKey: Object] = [:]
            fresh.reserveCapacity(objects.count)
            for object in objects {
                if let key = ObjectKey(object) { fresh[key] = object }
            }
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.objects = fresh
                state.synced = true
                let waiters = Array(state.syncWaiters.values)
                state.syncWaiters.removeAll()
                return waiters
            }
            for waiter in waiters { waiter.resume() }
        case .applied(let object):
            guard let key = ObjectKey(object) else { return }
            state.withLock { $0.objects[key] = object }
        case .deleted(let object):
            guard let key = ObjectKey(object) else { return }
            state.withLock { _ = $0.objects.removeValue(forKey: key) }
        }
    }

    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key] }
    }

    public func get(name: String, namespace: String? = nil) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every object, in key order.
    public func list() -> [Object] {
        let snapshot = state.withLock { $0.objects }
        return snapshot.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Every object that satisfies `isIncluded`, in key order.
    public func list(where isIncluded: (Object) -> Bool) -> [Object] {
        list().filter(isIncluded)
    }

    /// Every key, in order.
    public func keys() -> [ObjectKey] {
        state.withLock { Array($0.objects.keys) }.sorted()
    }

    public var count: Int {
        state.withLock { $0.objects.count }
    }

    /// True once a first full list has been applied; until then an absent object may simply
    /// not have been read yet.
    public var hasSynced: Bool {
        state.withLock { $0.synced }
    }

    /// Returns once the first full list has been applied, or when the task is cancelled.
    public func waitUntilSynced() async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.synced || Task.isCancelled { return true }
                    state.syncWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.syncWaiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
