import JSON

/// Where one object lives: namespace ("" for cluster-scoped objects) and name. Ordered by
/// namespace, then name, the order lists are served in.
struct ObjectKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.namespace != rhs.namespace ? lhs.namespace < rhs.namespace : lhs.name < rhs.name
    }

    /// `namespace/name`, or `name` for cluster-scoped objects (names never contain `/`).
    var path: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    init(path: String) {
        if let slash = path.firstIndex(of: "/") {
            namespace = String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            namespace = ""
            name = path
        }
    }
}

/// One object anywhere in the store.
struct StoredRef: Hashable, Comparable, Sendable {
    var storageKey: String
    var key: ObjectKey

    static func < (lhs: StoredRef, rhs: StoredRef) -> Bool {
        lhs.storageKey != rhs.storageKey ? lhs.storageKey < rhs.storageKey : lhs.key < rhs.key
    }
}

/// The objects of one storage key: a dictionary for lookups plus the keys kept sorted, so a
/// page of a list is a binary search and a slice rather than a scan or a sort.
struct Bucket {
    private(set) var objects: [ObjectKey: JSONValue] = [:]
    private(set) var sortedKeys: [ObjectKey] = []

    var count: Int { objects.count }

    subscript(key: ObjectKey) -> JSONValue? { objects[key] }

    mutating func put(_ key: ObjectKey, _ object: JSONValue) {
        if objects.updateValue(object, forKey: key) == nil {
            // Appending in order (the common case of bulk creation) costs no element moves.
            if let last = sortedKeys.last, last < key {
                sortedKeys.append(key)
            } else {
                sortedKeys.insert(key, at: firstIndex { !($0 < key) })
            }
        }
    }

    @discardableResult
    mutating func remove(_ key: ObjectKey) -> JSONValue? {
        guard let old = objects.removeValue(forKey: key) else { return nil }
        let index = firstIndex { !($0 < key) }
        if index < sortedKeys.count && sortedKeys[index] == key { sortedKeys.remove(at: index) }
        return old
    }

    /// The first index whose key satisfies `predicate`, which must be false then true along the keys.
    func firstIndex(where predicate: (ObjectKey) -> Bool) -> Int {
        var low = 0
        var high = sortedKeys.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(sortedKeys[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The positions of one namespace's objects, or of every object when `namespace` is nil.
    func range(namespace: String?) -> Range<Int> {
        guard let namespace else { return 0..<sortedKeys.count }
        let start = firstIndex { $0.namespace >= namespace }
        let end = firstIndex { $0.namespace > namespace }
        return start..<end
    }

    /// The first position after `key` (which need not exist any more).
    func index(after key: ObjectKey) -> Int {
        firstIndex { key < $0 }
    }
}

/// One change, kept in the history window so a watch can resume from a resourceVersion.
struct HistoryEntry {
    enum Change { case added, modified, deleted }

    var resourceVersion: Int
    var storageKey: String
    var key: ObjectKey
    var change: Change
    /// The object after the change (for a deletion, the final object with its new resourceVersion).
    var object: JSONValue
    /// The object before the change, to tell a watcher with a selector that an object left or
    /// entered its selection.
    var previous: JSONValue?
}

/// The last `limit` changes in resourceVersion order, as a ring that drops the oldest.
struct HistoryWindow {
    private var entries: [HistoryEntry] = []
    private var start = 0
    let limit: Int
    /// Watches may resume from this resourceVersion or any later one.
    private(set) var floor: Int

    init(limit: Int, floor: Int) {
        self.limit = max(1, limit)
        self.floor = floor
    }

    mutating func append(_ entry: HistoryEntry) {
        entries.append(entry)
        if entries.count - start > limit {
            floor = entries[start].resourceVersion
            start += 1
            if start >= 1024 && start * 2 >= entries.count {
                entries.removeFirst(start)
                start = 0
            }
        }
    }

    /// Every kept entry newer than `resourceVersion`, oldest first.
    func entries(after resourceVersion: Int) -> ArraySlice<HistoryEntry> {
        var low = start
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].resourceVersion > resourceVersion { high = middle } else { low = middle + 1 }
        }
        return entries[low...]
    }
}

/// A registered watch: what it selects and where its events go.
struct Watcher {
    var storageKey: String
    var type: ResourceType
    var namespace: String?
    var labelSelector: LabelSelector
    var fieldSelector: FieldSelector
    var continuation: AsyncStream<WatchEvent>.Continuation
    var bookmarkTask: Task<Void, Never>?

    func selects(_ object: JSONValue, key: ObjectKey) -> Bool {
        if let namespace, namespace != key.namespace { return false }
        return labelSelector.matches(object: object) && fieldSelector.matches(object: object)
    }

    /// The event this watcher sees for `entry`, if any: an object that starts matching arrives
    /// as ADDED and one that stops matching as DELETED, as the API server's watch cache does.
    func event(for entry: HistoryEntry) -> WatchEvent? {
        let now = selects(entry.object, key: entry.key)
        let type: WatchEvent.EventType
        switch entry.change {
        case .added:
            guard now else { return nil }
            type = .added
        case .deleted:
            guard now else { return nil }
            type = .deleted
        case .modified:
            let before = entry.previous.map { selects($0, key: entry.key) } ?? false
            switch (before, now) {
            case (true, true): type = .modified
            case (false, true): type = .added
            case (true, false): type = .deleted
            case (false, false): return nil
            }
        }
        return WatchEvent(type: type, object: entry.object.presented(as: self.type))
    }
}

extension JSONValue {
    /// The object as a client of `type` sees it: apiVersion and kind of the requested version.
    func presented(as type: ResourceType) -> JSONValue {
        var object = self
        let apiVersion = JSONValue.string(type.apiVersion)
        let kind = JSONValue.string(type.kind)
        if object["apiVersion"] != apiVersion { object["apiVersion"] = apiVersion }
        if object["kind"] != kind { object["kind"] = kind }
        return object
    }

    /// apiVersion, kind and metadata first, the way the API server writes objects.
    func canonicallyOrdered(as type: ResourceType) -> JSONValue {
        guard case .object(let members) = self else { return self }
        var ordered: OrderedDictionary<String, JSONValue> = [:]
        ordered.reserveCapacity(members.count + 2)
        ordered["apiVersion"] = .string(type.apiVersion)
        ordered["kind"] = .string(type.kind)
        ordered["metadata"] = members["metadata"] ?? .emptyObject
        for (key, value) in members where ordered[key] == nil { ordered[key] = value }
        return .object(ordered)
    }
}
