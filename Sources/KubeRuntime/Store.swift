import Kube
import Synchronization

/// An in-memory copy of one resource, fed by a `Watcher` (a reflector, after kube-rs
/// `reflector/store.rs` and client-go's informer cache with its `Indexer`).
///
/// - A `.restarted` list replaces the objects and every index in one step under the lock, so a
///   reader sees either the old state or the new one, never half a list.
/// - `get` is a dictionary lookup. Lookups by anything else go through an index the caller
///   registers (`addIndex`): a function from an object to the values it is found under (the
///   target a request names, the Deployments a target names). `objects(inIndex:value:)` then
///   costs O(matches), never a scan of the cache; the namespace index is always there. This is
///   what keeps a watch event's mapping and a reconcile's reads flat as the cache grows.
/// - Objects may be transformed before they are kept (`transform`): a controller drops what it
///   never reads, `metadata.managedFields` above all (controller-runtime's
///   `TransformStripManagedFields`), so the cache holds less than the API sends.
/// - `list()` copies every object and is meant for rare readers (a metrics scrape, a re-list);
///   it sorts only when asked.
public final class Store<Object: KubernetesObject>: Sendable {
    /// Values an object is indexed under. Must be pure: it is called again on the stored
    /// object to find the entries to remove when the object changes or goes.
    public typealias IndexFunction = @Sendable (Object) -> [String]
    public typealias Transform = @Sendable (Object) -> Object

    /// The name of the index every store keeps: objects by namespace ("" for cluster-scoped).
    public static var namespaceIndex: String { "namespace" }

    private struct State {
        var objects: [ObjectKey: Object] = [:]
        var indexFunctions: [String: IndexFunction] = [:]
        /// index name → indexed value → keys of the objects found under it.
        var indexes: [String: [String: Set<ObjectKey>]] = [:]
        var synced = false
        var nextWaiterID = 0
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]

        mutating func insertIntoIndexes(_ object: Object, key: ObjectKey) {
            for (name, function) in indexFunctions {
                for value in function(object) { indexes[name, default: [:]][value, default: []].insert(key) }
            }
        }

        /// Every bucket is changed in place: copying it first would make one update cost as
        /// much as the bucket is large (the namespace index holds every object of a namespace).
        mutating func removeFromIndexes(_ object: Object, key: ObjectKey) {
            for (name, function) in indexFunctions {
                for value in function(object) { removeFromBucket(name, value, key) }
            }
        }

        private mutating func removeFromBucket(_ name: String, _ value: String, _ key: ObjectKey) {
            guard indexes[name]?[value] != nil else { return }
            indexes[name]![value]!.remove(key)
            if indexes[name]![value]!.isEmpty { indexes[name]![value] = nil }
        }

        /// An update moves the object only between the buckets whose value changed; most updates
        /// (status, spec) change none.
        mutating func put(_ object: Object, key: ObjectKey) {
            guard let old = objects.updateValue(object, forKey: key) else {
                insertIntoIndexes(object, key: key)
                return
            }
            for (name, function) in indexFunctions {
                let before = function(old)
                let after = function(object)
                guard before != after else { continue }
                for value in before where !after.contains(value) { removeFromBucket(name, value, key) }
                for value in after where !before.contains(value) { indexes[name, default: [:]][value, default: []].insert(key) }
            }
        }

        mutating func remove(_ key: ObjectKey) {
            if let old = objects.removeValue(forKey: key) { removeFromIndexes(old, key: key) }
        }
    }

    private let state: Mutex<State>
    private let transform: Transform?

    /// - Parameter transform: applied to every object before it is kept.
    public init(transform: Transform? = nil) {
        self.transform = transform
        var initial = State()
        initial.indexFunctions[Self.namespaceIndex] = { [$0.metadata.namespace ?? ""] }
        self.state = Mutex(initial)
    }

    /// Registers an index. Objects already stored are indexed at once; later changes keep it
    /// up to date. Registering a name again replaces the function.
    public func addIndex(_ name: String, _ function: @escaping IndexFunction) {
        state.withLock { state in
            state.indexFunctions[name] = function
            var index: [String: Set<ObjectKey>] = [:]
            for (key, object) in state.objects {
                for value in function(object) { index[value, default: []].insert(key) }
            }
            state.indexes[name] = index
        }
    }

    /// Applies one watcher event.
    public func apply(_ event: WatcherEvent<Object>) {
        switch event {
        case .restarted(let objects):
            // Objects and indexes are built outside the lock and swapped in one assignment.
            let functions = state.withLock { $0.indexFunctions }
            var fresh = State()
            fresh.indexFunctions = functions
            fresh.objects.reserveCapacity(objects.count)
            for object in objects {
                let kept = transform.map { $0(object) } ?? object
                if let key = ObjectKey(kept) { fresh.put(kept, key: key) }
            }
            for name in functions.keys where fresh.indexes[name] == nil { fresh.indexes[name] = [:] }
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                if state.indexFunctions.count != functions.count {
                    // An index was added while the list was built: index the new list for it too.
                    for (name, function) in state.indexFunctions where fresh.indexFunctions[name] == nil {
                        fresh.indexFunctions[name] = function
                        for (key, object) in fresh.objects {
                            for value in function(object) { fresh.indexes[name, default: [:]][value, default: []].insert(key) }
                        }
                    }
                }
                state.objects = fresh.objects
                state.indexes = fresh.indexes
                state.indexFunctions = fresh.indexFunctions
                state.synced = true
                let waiters = Array(state.syncWaiters.values)
                state.syncWaiters.removeAll()
                return waiters
            }
            for waiter in waiters { waiter.resume() }
        case .applied(let object):
            let kept = transform.map { $0(object) } ?? object
            guard let key = ObjectKey(kept) else { return }
            state.withLock { $0.put(kept, key: key) }
        case .deleted(let object):
            guard let key = ObjectKey(object) else { return }
            state.withLock { $0.remove(key) }
        }
    }

    /// Keeps what this process just wrote, so that its next read does not see the object as it
    /// was before its own write while the watch event is still on its way (read-your-writes).
    ///
    /// The written object replaces the cached one only if the cache still holds the version the
    /// write was based on (`basedOn`): then nothing newer can have been seen, and the watch
    /// will deliver this same version later. If the cache holds anything else, the watch has
    /// moved on (to this write or past it) and is left alone. resourceVersions are compared
    /// for equality only, as the API asks.
    /// See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
    @discardableResult
    public func keepWritten(_ object: Object, basedOn resourceVersion: String?) -> Bool {
        let kept = transform.map { $0(object) } ?? object
        guard let key = ObjectKey(kept), let resourceVersion else { return false }
        return state.withLock { state in
            guard let cached = state.objects[key], cached.metadata.resourceVersion == resourceVersion else { return false }
            state.put(kept, key: key)
            return true
        }
    }

    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key] }
    }

    public func get(name: String, namespace: String? = nil) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// The objects found under `value` in the index `name`, in no particular order; empty for
    /// an index that was never registered.
    public func objects(inIndex name: String, value: String) -> [Object] {
        state.withLock { state in
            guard let keys = state.indexes[name]?[value] else { return [] }
            return keys.compactMap { state.objects[$0] }
        }
    }

    /// The keys found under `value` in the index `name`, in no particular order.
    public func keys(inIndex name: String, value: String) -> [ObjectKey] {
        state.withLock { Array($0.indexes[name]?[value] ?? []) }
    }

    /// The values of the index `name` that some object is found under.
    public func indexedValues(_ name: String) -> [String] {
        state.withLock { Array(($0.indexes[name] ?? [:]).keys) }
    }

    /// The objects of one namespace ("" for cluster-scoped objects), in no particular order.
    public func objects(inNamespace namespace: String?) -> [Object] {
        objects(inIndex: Self.namespaceIndex, value: namespace ?? "")
    }

    /// Every object: in key order when `sorted`, otherwise in no particular order. Copies the
    /// whole cache; lookups by a field belong in an index.
    public func list(sorted: Bool = false) -> [Object] {
        if sorted {
            let snapshot = state.withLock { Array($0.objects) }
            return snapshot.sorted { $0.key < $1.key }.map(\.value)
        }
        return state.withLock { Array($0.objects.values) }
    }

    /// Every object that satisfies `isIncluded`, in no particular order.
    public func list(where isIncluded: (Object) -> Bool) -> [Object] {
        state.withLock { state in state.objects.values.filter(isIncluded) }
    }

    /// Every key, in no particular order.
    public func keys() -> [ObjectKey] {
        state.withLock { Array($0.objects.keys) }
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

extension Store {
    /// A transform that drops `metadata.managedFields`: server-side apply bookkeeping that a
    /// controller never reads and that is often the largest part of a small object.
    public static var stripManagedFields: Transform {
        { object in
            guard object.metadata.managedFields != nil else { return object }
            var stripped = object
            stripped.metadata.managedFields = nil
            return stripped
        }
    }
}
