import Foundation
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
public final class ObjectStore: Sendable {
    public struct Configuration: Sendable {
        /// Where objects survive a restart; nil keeps everything in memory.
        public var stateDirectory: URL?
        /// How many past events a watch may resume from; older versions answer 410 Gone.
        public var watchHistoryLimit: Int
        /// How often a watch with allowWatchBookmarks receives a BOOKMARK.
        public var bookmarkInterval: Duration

        public init(stateDirectory: URL? = nil, watchHistoryLimit: Int = 10_000, bookmarkInterval: Duration = .seconds(60)) {
            self.stateDirectory = stateDirectory
            self.watchHistoryLimit = watchHistoryLimit
            self.bookmarkInterval = bookmarkInterval
        }
    }

    public init(configuration: Configuration = .init()) throws {
        fatalError("not implemented")
    }

    /// Serves `strategy.type` from now on. Registering another version of the same
    /// group/plural shares its storage.
    public func register(_ strategy: ResourceStrategy) {
        fatalError("not implemented")
    }

    /// Stops serving every version of group/plural and deletes its objects (as deleting a CRD does).
    public func unregister(group: String, plural: String) {
        fatalError("not implemented")
    }

    /// Every type currently served, for discovery.
    public var registeredTypes: [ResourceType] {
        fatalError("not implemented")
    }

    /// The resource served at group/version/plural, if any.
    public func resourceType(group: String, version: String, plural: String) -> ResourceType? {
        fatalError("not implemented")
    }

    /// The newest resourceVersion handed out.
    public var currentResourceVersion: String {
        fatalError("not implemented")
    }

    public func create(_ type: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions = .init()) throws(APIError) -> JSONValue {
        fatalError("not implemented")
    }

    public func get(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        fatalError("not implemented")
    }

    /// Lists in a stable order (namespace, then name), in pages when `limit` is set.
    public func list(_ type: ResourceType, namespace: String?, options: ListOptions = .init()) throws(APIError) -> ListResult {
        fatalError("not implemented")
    }

    /// Reads the current object (nil when absent), lets `transform` produce the new one, and
    /// writes it atomically. A resourceVersion in the returned object is a precondition: if it
    /// is not the current one the write fails with 409 Conflict. Writes to `.main` keep the old
    /// status of a resource with a status subresource; writes to `.status` keep everything but
    /// status. Returns the stored object and whether it was created.
    public func update(
        _ type: ResourceType, namespace: String?, name: String, subresource: Subresource = .main,
        options: WriteOptions = .init(), createIfMissing: Bool = false,
        transform: (JSONValue?) throws(APIError) -> JSONValue
    ) throws(APIError) -> (object: JSONValue, created: Bool) {
        fatalError("not implemented")
    }

    public func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions = .init()) throws(APIError) -> DeleteOutcome {
        fatalError("not implemented")
    }

    /// Deletes every object matching the list options' selectors; returns what was deleted or marked.
    public func deleteCollection(_ type: ResourceType, namespace: String?, listOptions: ListOptions, options: DeleteOptions = .init()) throws(APIError) -> [JSONValue] {
        fatalError("not implemented")
    }

    /// Events after `options.resourceVersion` (or the current state as ADDED first when it is
    /// nil or "0"), then every later change that matches, until the consumer stops iterating.
    /// A resourceVersion older than the history window throws 410 Gone.
    public func watch(_ type: ResourceType, namespace: String?, options: WatchOptions = .init()) throws(APIError) -> AsyncStream<WatchEvent> {
        fatalError("not implemented")
    }
}
