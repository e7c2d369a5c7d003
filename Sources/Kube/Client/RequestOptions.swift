import JSON

/// Which objects a list returns and from which point in history.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list
public struct ListOptions: Sendable, Equatable {
    /// `app=web,tier in (front,back),!legacy`
    public var labelSelector: String?
    /// `metadata.name=web,status.phase!=Running`
    public var fieldSelector: String?
    /// Page size; the server returns a `continue` token when there is more.
    public var limit: Int?
    /// The token from the previous page's `metadata.continue`.
    public var continueToken: String?
    public var resourceVersion: String?
    public var resourceVersionMatch: ResourceVersionMatch?
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, resourceVersionMatch: ResourceVersionMatch? = nil, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(name: String, value: String?)] {
        [("labelSelector", labelSelector), ("fieldSelector", fieldSelector), ("limit", limit.map(String.init)),
         ("continue", continueToken), ("resourceVersion", resourceVersion),
         ("resourceVersionMatch", resourceVersionMatch?.rawValue), ("timeoutSeconds", timeoutSeconds.map(String.init))]
    }
}

/// How `resourceVersion` of a list is interpreted.
public enum ResourceVersionMatch: String, Sendable, Equatable {
    case notOlderThan = "NotOlderThan"
    case exact = "Exact"
}

/// What a watch follows and from where.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
public struct WatchOptions: Sendable, Equatable {
    /// Start after this version (usually a list's `metadata.resourceVersion` or the last event's).
    /// nil starts with synthetic ADDED events for every current object.
    public var resourceVersion: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Ask the server for BOOKMARK events so that a restart can resume from a recent version.
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this long; the caller then re-watches.
    public var timeoutSeconds: Int?

    public init(resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(name: String, value: String?)] {
        [("watch", "true"), ("resourceVersion", resourceVersion), ("labelSelector", labelSelector),
         ("fieldSelector", fieldSelector), ("allowWatchBookmarks", allowWatchBookmarks ? "true" : nil),
         ("timeoutSeconds", timeoutSeconds.map(String.init))]
    }
}

/// Options of create, update and patch.
public struct WriteOptions: Sendable, Equatable {
    /// Validate and return what would be stored, without storing it (`dryRun=All`).
    public var dryRun: Bool
    /// Who makes the change, recorded in `managedFields`.
    public var fieldManager: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }

    var queryItems: [(name: String, value: String?)] {
        [("dryRun", dryRun ? "All" : nil), ("fieldManager", fieldManager)]
    }
}

/// A patch and its type. The body is JSON in every case (JSON is valid YAML for apply).
/// See https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
/// and https://kubernetes.io/docs/reference/using-api/server-side-apply/
public enum Patch: Sendable, Equatable {
    /// RFC 6902: a list of operations (`[{"op":"replace","path":"/spec/replicas","value":3}]`).
    case json([JSONValue])
    /// RFC 7386: the fields to set; `null` removes.
    case merge(JSONValue)
    /// Kubernetes strategic merge patch (lists merged by their merge keys). Built-in kinds only.
    case strategicMerge(JSONValue)
    /// Server-side apply of a (partial) object owned by `fieldManager`; `force` takes over
    /// fields owned by other managers.
    case apply(JSONValue, fieldManager: String, force: Bool = false)

    public var contentType: String {
        switch self {
        case .json: return "application/json-patch+json"
        case .merge: return "application/merge-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: [UInt8] {
        switch self {
        case .json(let operations): return JSONValue.array(operations).jsonBytes()
        case .merge(let value), .strategicMerge(let value), .apply(let value, _, _): return value.jsonBytes()
        }
    }

    func queryItems(_ options: WriteOptions) -> [(name: String, value: String?)] {
        switch self {
        case .apply(_, let fieldManager, let force):
            return [("dryRun", options.dryRun ? "All" : nil), ("fieldManager", fieldManager), ("force", force ? "true" : nil)]
        default:
            return options.queryItems
        }
    }
}

/// How a delete treats dependents and what must still hold for it to happen.
/// See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#cascading-deletion
public struct DeleteOptions: Sendable, Equatable {
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this uid (not a re-created namesake).
    public var preconditionUID: String?
    /// Delete only if nobody changed the object since this version.
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?
    public var dryRun: Bool

    public init(propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil,
                gracePeriodSeconds: Int? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` body.
    var body: JSONValue {
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { body["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions = JSONValue.emptyObject
            if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
            body["preconditions"] = preconditions
        }
        if let gracePeriodSeconds { body["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        if dryRun { body["dryRun"] = ["All"] }
        return body
    }
}

public enum PropagationPolicy: String, Sendable, Equatable {
    /// Dependents are deleted before the owner disappears.
    case foreground = "Foreground"
    /// The owner goes now; dependents are collected afterwards.
    case background = "Background"
    /// Dependents are left without their owner.
    case orphan = "Orphan"
}

/// What a delete answered: a Status when the object is gone, or the object itself when it is
/// still there pending finalizers or graceful termination (with `deletionTimestamp` set).
public enum DeleteResult<Object: Decodable & Sendable>: Sendable {
    case deleted(Status)
    case pending(Object)
}

/// A page of a list with the metadata needed to continue or to watch from it.
public typealias ListPage<Item: Decodable & Sendable> = ObjectList<Item>
