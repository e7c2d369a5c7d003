import Foundation
import JSON

/// Work the garbage collector queues while a removal cascades.
enum CollectionStep: Equatable {
    /// Delete an object whose owners are gone, or a dependent of an owner deleted in the foreground.
    case delete(StoredRef, DeleteOptions.Propagation)
    /// Remove an object being deleted if nothing holds it any more.
    case finalize(StoredRef)
}

/// Everything the store holds, guarded by the store's one mutex. Every mutation goes through
/// `commitPut` / `commitRemove`, which write the journal first, then memory, indexes and the
/// history window; `flush`, at the end of each store operation and still under the lock, syncs
/// the journal and only then hands the changes to the watchers. So what a client is told is
/// durable, no one sees a change that is not, and every watcher sees changes in
/// resourceVersion order.
struct StoreState {
    static let namespacesKey = "namespaces"
    static let foregroundFinalizer = "foregroundDeletion"

    var resourceVersion: Int
    /// storageKey → version → strategy.
    var types: OrderedDictionary<String, OrderedDictionary<String, ResourceStrategy>> = [:]
    /// Objects by storage key, including those loaded for types not registered yet.
    var buckets: [String: Bucket] = [:]
    var uidIndex: [String: StoredRef] = [:]
    /// Owner uid → the objects naming it in `metadata.ownerReferences`.
    var dependents: [String: Set<StoredRef>] = [:]
    var history: HistoryWindow
    var watchers: [String: [UInt64: Watcher]] = [:]
    var nextWatcherID: UInt64 = 1
    /// Watches ended while the lock was held; their streams are finished after it is released.
    var endedWatchers: [AsyncStream<WatchEvent>.Continuation] = []
    /// Changes of the current operation not yet handed to the watchers.
    var undelivered: [HistoryEntry] = []
    /// Garbage-collection work waiting to run within the current operation.
    var collectionQueue: [CollectionStep] = []
    /// Objects removed during the current operation, so a delete can answer with the final object.
    var removedDuringOperation: [StoredRef: JSONValue] = [:]
    var journal: Journal?
    let watchBufferLimit: Int

    init(loaded: Journal.LoadedState, journal: Journal?, historyLimit: Int, watchBufferLimit: Int) {
        resourceVersion = loaded.resourceVersion
        history = HistoryWindow(limit: historyLimit, floor: loaded.resourceVersion)
        self.journal = journal
        self.watchBufferLimit = watchBufferLimit
        for (storageKey, objects) in loaded.objects {
            var bucket = Bucket()
            for (key, object) in objects.sorted(by: { $0.key < $1.key }) {
                bucket.put(key, object)
                let ref = StoredRef(storageKey: storageKey, key: key)
                indexAdd(ref, object)
            }
            buckets[storageKey] = bucket
        }
    }

    // MARK: Lookups

    static let resourceNotFound = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    func strategy(for type: ResourceType) throws(APIError) -> ResourceStrategy {
        guard let strategy = types[type.storageKey]?[type.version] else { throw Self.resourceNotFound }
        return strategy
    }

    func object(_ ref: StoredRef) -> JSONValue? { buckets[ref.storageKey]?[ref.key] }

    var namespacesServed: Bool { types[Self.namespacesKey] != nil }

    func namespaceObject(_ name: String) -> JSONValue? {
        buckets[Self.namespacesKey]?[ObjectKey(namespace: "", name: name)]
    }

    /// Whether no object of any kind is left in the namespace.
    func namespaceIsEmpty(_ namespace: String) -> Bool {
        buckets.values.allSatisfy { $0.range(namespace: namespace).isEmpty }
    }

    /// The objects that name `uid` as an owner, in a stable order.
    func dependentRefs(of uid: String) -> [StoredRef] {
        (dependents[uid] ?? []).filter { object($0) != nil }.sorted()
    }

    mutating func nextResourceVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    // MARK: Commit

    private static func persistenceFailure(_ error: Journal.IOError) -> APIError {
        .internalError("the change could not be stored durably: \(error.description)")
    }

    private mutating func indexAdd(_ ref: StoredRef, _ object: JSONValue) {
        let uid = object.metadataUID
        if !uid.isEmpty { uidIndex[uid] = ref }
        for owner in object.ownerUIDs { dependents[owner, default: []].insert(ref) }
    }

    private mutating func indexRemove(_ ref: StoredRef, _ object: JSONValue) {
        let uid = object.metadataUID
        if !uid.isEmpty, uidIndex[uid] == ref { uidIndex[uid] = nil }
        for owner in object.ownerUIDs {
            dependents[owner]?.remove(ref)
            if dependents[owner]?.isEmpty == true { dependents[owner] = nil }
        }
    }

    /// Stores `object` (whose metadata.resourceVersion is `version`) durably, then in memory,
    /// then tells the watchers.
    mutating func commitPut(_ ref: StoredRef, _ object: JSONValue, version: Int, previous: JSONValue?) throws(APIError) {
        do {
            try journal?.append(.init(resourceVersion: version, operation: .put, storageKey: ref.storageKey, key: ref.key, object: object))
        } catch {
            throw Self.persistenceFailure(error)
        }
        if let previous { indexRemove(ref, previous) }
        buckets[ref.storageKey, default: Bucket()].put(ref.key, object)
        indexAdd(ref, object)
        record(HistoryEntry(resourceVersion: version, storageKey: ref.storageKey, key: ref.key,
                            change: previous == nil ? .added : .modified, object: object, previous: previous))
    }

    /// Removes the object durably; `final` is what the DELETED event carries.
    mutating func commitRemove(_ ref: StoredRef, final: JSONValue, version: Int) throws(APIError) {
        do {
            try journal?.append(.init(resourceVersion: version, operation: .delete, storageKey: ref.storageKey, key: ref.key, object: nil))
        } catch {
            throw Self.persistenceFailure(error)
        }
        if let previous = buckets[ref.storageKey]?.remove(ref.key) { indexRemove(ref, previous) }
        removedDuringOperation[ref] = final
        record(HistoryEntry(resourceVersion: version, storageKey: ref.storageKey, key: ref.key, change: .deleted, object: final, previous: nil))
    }

    private mutating func record(_ entry: HistoryEntry) {
        history.append(entry)
        undelivered.append(entry)
    }

    /// Ends a store operation: makes its journal records durable (compacting the journal when
    /// it has grown large), then tells the watchers. A failed sync answers 500: the change may
    /// or may not survive a crash, as with any storage error of the API server.
    mutating func flush() throws(APIError) {
        var failure: APIError?
        if let journal {
            do {
                try journal.sync()
                if journal.needsCompaction {
                    // A failed compaction leaves the journal as it was; it is retried later.
                    try? journal.compact(resourceVersion: resourceVersion, buckets: buckets)
                }
            } catch {
                failure = Self.persistenceFailure(error)
            }
        }
        let entries = undelivered
        undelivered = []
        for entry in entries {
            guard let watching = watchers[entry.storageKey] else { continue }
            for (id, watcher) in watching {
                guard let event = watcher.event(for: entry) else { continue }
                deliver(event, to: id, of: watcher)
            }
        }
        if let failure { throw failure }
    }

    /// Hands an event to a watch without waiting. A watch whose buffer is full has fallen too
    /// far behind: it is ended (its stream finishes after the buffered events), and its client
    /// resumes from the last resourceVersion it saw, as clients of a real API server do when
    /// the server closes a slow watch.
    mutating func deliver(_ event: WatchEvent, to id: UInt64, of watcher: Watcher) {
        switch watcher.continuation.yield(event) {
        case .enqueued:
            break
        case .dropped, .terminated:
            endWatcher(id, storageKey: watcher.storageKey)
        @unknown default:
            break
        }
    }

    mutating func endWatcher(_ id: UInt64, storageKey: String) {
        guard let watcher = watchers[storageKey]?.removeValue(forKey: id) else { return }
        if watchers[storageKey]?.isEmpty == true { watchers[storageKey] = nil }
        watcher.bookmarkTask?.cancel()
        endedWatchers.append(watcher.continuation)
    }

    // MARK: System writes

    /// A write the store makes itself (garbage collection, finalization): no validation, no
    /// generation change unless `bumpGeneration`; nothing happens if the object is unchanged.
    @discardableResult
    mutating func systemUpdate(_ ref: StoredRef, bumpGeneration: Bool = false, _ change: (inout JSONValue) -> Void) throws(APIError) -> JSONValue? {
        guard let old = object(ref) else { return nil }
        var updated = old
        change(&updated)
        guard updated != old else { return old }
        if bumpGeneration {
            updated[path: "metadata", "generation"] = .int((old[path: "metadata", "generation"]?.intValue ?? 0) + 1)
        }
        let version = nextResourceVersion()
        updated[path: "metadata", "resourceVersion"] = .string(String(version))
        try commitPut(ref, updated, version: version, previous: old)
        return updated
    }
}
