import Foundation
import Synchronization
import JSON

/// Options of a list request (`GET .../configmaps?labelSelector=...&limit=500&continue=...`).
/// https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`.
    public var resourceVersionMatch: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, resourceVersionMatch: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// One page of a list: the items (with apiVersion/kind set for the requested version) and the
/// list metadata.
public struct ListResult: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    public var continueToken: String?
    public var remainingItemCount: Int?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

public struct WatchOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version; nil or "0" means "send the current state as ADDED first".
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil, allowWatchBookmarks: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

/// One watch event as the API sends it: `{"type":"ADDED","object":{...}}`.
public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var type: EventType
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    public var jsonValue: JSONValue { ["type": .string(type.rawValue), "object": object] }
}

public struct WriteOptions: Sendable, Equatable {
    /// `dryRun=All`: validate and answer as if written, change nothing.
    public var dryRun: Bool
    public var fieldManager: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }
}

public struct DeleteOptions: Sendable, Equatable {
    public enum Propagation: String, Sendable {
        case orphan = "Orphan", background = "Background", foreground = "Foreground"
    }

    public var propagationPolicy: Propagation?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(propagationPolicy: Propagation? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// What a delete did: removed the object at once, or marked it (deletionTimestamp set) while
/// finalizers or foreground deletion of dependents hold it.
public enum DeleteOutcome: Sendable {
    case deleted(JSONValue)
    case pending(JSONValue)

    public var object: JSONValue {
        switch self {
        case .deleted(let o), .pending(let o): return o
        }
    }
}

/// The embedded cluster's storage: every object of every registered resource, one global
/// monotonically increasing resourceVersion, watch fan-out with a bounded history window,
/// selectors, pagination, finalizers, owner-reference garbage collection and namespace
/// lifecycle. Thread-safe; every method may be called from any task.
///
/// One mutex guards all state: operations are short (no I/O but the journal append of a
/// write), and a single lock gives every watcher the changes in resourceVersion order.
/// `update`'s transform runs under that lock and must not call back into the store.
/// https://kubernetes.io/docs/reference/using-api/api-concepts/
public final class ObjectStore: Sendable {
    public struct Configuration: Sendable {
        /// Where objects survive a restart; nil keeps everything in memory.
        public var stateDirectory: URL?
        /// How many past events a watch may resume from; older versions answer 410 Gone.
        public var watchHistoryLimit: Int
        /// How often a watch with allowWatchBookmarks receives a BOOKMARK.
        public var bookmarkInterval: Duration
        /// How many undelivered events a watch may hold (besides its initial state) before it
        /// is ended as too slow; its client then resumes from the last resourceVersion it saw.
        public var watchBufferLimit: Int = 10_000

        public init(stateDirectory: URL? = nil, watchHistoryLimit: Int = 10_000, bookmarkInterval: Duration = .seconds(60)) {
            self.stateDirectory = stateDirectory
            self.watchHistoryLimit = watchHistoryLimit
            self.bookmarkInterval = bookmarkInterval
        }
    }

    let configuration: Configuration
    let state: Mutex<StoreState>
    /// Watches whose consumers went away, waiting to be taken out of `state` by the next
    /// operation. A stream's termination handler reports here instead of taking `state`'s lock:
    /// the handler may run inside the cancellation of the task reading the stream, while the
    /// runtime holds that task's lock, and a write holds `state`'s lock while it wakes the same
    /// task with an event. Waiting for `state` there would make the two wait for each other and
    /// stop the whole API server. This lock is only ever taken last and held for an append.
    let departedWatchers = Mutex<[DepartedWatcher]>([])

    struct DepartedWatcher: Sendable {
        var id: UInt64
        var storageKey: String
    }

    /// Opens the store; with a state directory, loads what it holds (objects of types not yet
    /// registered are kept until their type is) and compacts the journal into a snapshot.
    public init(configuration: Configuration = .init()) throws {
        self.configuration = configuration
        var journal: Journal?
        var loaded = Journal.LoadedState()
        if let directory = configuration.stateDirectory {
            let (opened, contents) = try Journal.open(directory: directory)
            journal = opened
            loaded = contents
        }
        let initial = StoreState(loaded: loaded, journal: journal, historyLimit: configuration.watchHistoryLimit,
                                 watchBufferLimit: configuration.watchBufferLimit)
        if let journal, journal.journalSize > 0 {
            // Fold what the journal replayed into a fresh snapshot, so start-up time does not
            // grow with the history of writes.
            try journal.compact(resourceVersion: initial.resourceVersion, buckets: initial.buckets)
        }
        state = Mutex(initial)
    }

    deinit {
        let continuations = state.withLock { state in
            let all = state.watchers.values.flatMap { $0.values }
            state.watchers = [:]
            all.forEach { $0.bookmarkTask?.cancel() }
            return all.map(\.continuation) + state.endedWatchers
        }
        continuations.forEach { $0.finish() }
    }

    /// Runs `body` under the lock, then finishes the streams of watches it ended (outside the
    /// lock: finishing runs their termination handlers and may wake their readers).
    func withState<Result: Sendable>(_ body: (inout StoreState) throws(APIError) -> Result) throws(APIError) -> Result {
        let (outcome, ended) = state.withLock { state -> (Swift.Result<Result, APIError>, [AsyncStream<WatchEvent>.Continuation]) in
            removeDepartedWatchers(&state)
            state.removedDuringOperation = [:]
            var outcome: Swift.Result<Result, APIError>
            do throws(APIError) {
                outcome = .success(try body(&state))
            } catch {
                outcome = .failure(error)
            }
            // Work a failed operation left queued still runs: the removals behind it happened.
            if !state.collectionQueue.isEmpty { try? state.runCollection() }
            do throws(APIError) {
                try state.flush()
            } catch {
                outcome = .failure(error)
            }
            let ended = state.endedWatchers
            state.endedWatchers = []
            return (outcome, ended)
        }
        ended.forEach { $0.finish() }
        return try outcome.get()
    }

    /// Takes out the watches whose consumers left since the last operation; call under `state`'s lock.
    func removeDepartedWatchers(_ state: inout StoreState) {
        let departed = departedWatchers.withLock { departed in
            defer { departed = [] }
            return departed
        }
        for watcher in departed { state.endWatcher(watcher.id, storageKey: watcher.storageKey) }
    }

    /// Serves `strategy.type` from now on. Registering another version of the same
    /// group/plural shares its storage. Registering namespaces creates the namespaces every
    /// cluster has (default, kube-system, kube-public, kube-node-lease) if absent.
    public func register(_ strategy: ResourceStrategy) {
        let type = strategy.type
        _ = try? withState { state throws(APIError) in
            state.types[type.storageKey, default: [:]][type.version] = strategy
            guard type.storageKey == StoreState.namespacesKey else { return }
            for name in ["default", "kube-system", "kube-public", "kube-node-lease"] where state.namespaceObject(name) == nil {
                _ = try? state.create(strategy, namespace: nil, object: ["metadata": ["name": .string(name)]], dryRun: false)
            }
        }
    }

    /// Stops serving every version of group/plural and deletes its objects (as deleting a CRD does).
    public func unregister(group: String, plural: String) {
        let storageKey = group.isEmpty ? plural : "\(plural).\(group)"
        _ = try? withState { state throws(APIError) in state.dropResource(storageKey) }
    }

    /// Stops serving one version of group/plural, keeping its objects for the versions still
    /// served (as removing a version from a CRD does); removing the last version is `unregister`.
    public func unregisterVersion(group: String, version: String, plural: String) {
        let storageKey = group.isEmpty ? plural : "\(plural).\(group)"
        _ = try? withState { state throws(APIError) in
            guard let versions = state.types[storageKey], versions[version] != nil else { return }
            if versions.count == 1 {
                state.dropResource(storageKey)
                return
            }
            state.types[storageKey]?[version] = nil
            for (id, watcher) in state.watchers[storageKey] ?? [:] where watcher.type.version == version {
                state.endWatcher(id, storageKey: storageKey)
            }
        }
    }

    /// Every type currently served, for discovery.
    public var registeredTypes: [ResourceType] {
        state.withLock { state in state.types.values.flatMap { $0.values.map(\.type) } }
    }

    /// The resource served at group/version/plural, if any.
    public func resourceType(group: String, version: String, plural: String) -> ResourceType? {
        let storageKey = group.isEmpty ? plural : "\(plural).\(group)"
        return state.withLock { state in state.types[storageKey]?[version]?.type }
    }

    /// The newest resourceVersion handed out.
    public var currentResourceVersion: String {
        state.withLock { state in String(state.resourceVersion) }
    }

    public func create(_ type: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions = .init()) throws(APIError) -> JSONValue {
        try withState { state throws(APIError) in
            let strategy = try state.strategy(for: type)
            return try state.create(strategy, namespace: namespace, object: object, dryRun: options.dryRun)
        }
    }

    public func get(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        try withState { state throws(APIError) in
            _ = try state.strategy(for: type)
            let key = ObjectKey(namespace: type.namespaced ? (namespace ?? "") : "", name: name)
            guard let object = state.buckets[type.storageKey]?[key] else { throw APIError.notFound(type, name: name) }
            return object.presented(as: type)
        }
    }

    /// Reads the current object (nil when absent), lets `transform` produce the new one, and
    /// writes it atomically. A resourceVersion in the returned object is a precondition: if it
    /// is not the current one the write fails with 409 Conflict. Writes to `.main` keep the old
    /// status of a resource with a status subresource; writes to `.status` keep everything but
    /// status. Returns the stored object and whether it was created.
    ///
    /// An absent object is 404 unless `createIfMissing` (transform is then called with nil).
    /// A write that changes nothing keeps the resourceVersion and sends no watch event. When
    /// the write removes the last finalizer of an object being deleted, the object is removed
    /// and the final object returned.
    public func update(
        _ type: ResourceType, namespace: String?, name: String, subresource: Subresource = .main,
        options: WriteOptions = .init(), createIfMissing: Bool = false,
        transform: (JSONValue?) throws(APIError) -> JSONValue
    ) throws(APIError) -> (object: JSONValue, created: Bool) {
        try withState { state throws(APIError) in
            let strategy = try state.strategy(for: type)
            return try state.update(strategy, namespace: namespace, name: name, subresource: subresource,
                                    dryRun: options.dryRun, createIfMissing: createIfMissing, transform: transform)
        }
    }

    public func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions = .init()) throws(APIError) -> DeleteOutcome {
        try withState { state throws(APIError) in
            _ = try state.strategy(for: type)
            let ref = StoredRef(storageKey: type.storageKey, key: ObjectKey(namespace: type.namespaced ? (namespace ?? "") : "", name: name))
            guard let current = state.object(ref) else { throw APIError.notFound(type, name: name) }
            if let uid = options.preconditionUID, uid != current.metadataUID {
                throw APIError.conflict(type, name: name, message: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.metadataUID)")
            }
            if let version = options.preconditionResourceVersion, version != current.metadataResourceVersion {
                throw APIError.conflict(type, name: name, message: "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(current.metadataResourceVersion)")
            }
            let outcome: DeleteOutcome
            if options.dryRun {
                outcome = state.deletePreview(ref, policy: options.propagationPolicy) ?? .deleted(current)
            } else {
                outcome = try state.deleteAndCollect(ref, policy: options.propagationPolicy)
            }
            switch outcome {
            case .deleted(let object): return .deleted(object.presented(as: type))
            case .pending(let object): return .pending(object.presented(as: type))
            }
        }
    }

    /// Deletes every object matching the list options' selectors; returns what was deleted or marked.
    public func deleteCollection(_ type: ResourceType, namespace: String?, listOptions: ListOptions, options: DeleteOptions = .init()) throws(APIError) -> [JSONValue] {
        try withState { state throws(APIError) in
            _ = try state.strategy(for: type)
            let selection = try Selection(type: type, namespace: namespace, labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector)
            let refs = state.matchingRefs(selection)
            var results: [JSONValue] = []
            for ref in refs {
                let outcome: DeleteOutcome?
                if options.dryRun {
                    outcome = state.deletePreview(ref, policy: options.propagationPolicy)
                } else if state.object(ref) != nil {
                    outcome = try state.deleteAndCollect(ref, policy: options.propagationPolicy)
                } else {
                    outcome = nil  // already removed by the cascade of an earlier one
                }
                if let outcome { results.append(outcome.object.presented(as: type)) }
            }
            return results
        }
    }
}
