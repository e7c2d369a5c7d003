import JSON

/// Server-side apply (`application/apply-patch+yaml`): merges the applied configuration into
/// the live object and records what each field manager owns in `metadata.managedFields`.
/// https://kubernetes.io/docs/reference/using-api/server-side-apply/
///
/// Merging: maps merge recursively, lists with a patch merge key (containers by name ...) merge
/// element by element for the built-in kinds, scalar sets (finalizers) are united, other lists
/// are atomic. Fields the same manager applied before and no longer applies are removed unless
/// another manager's entry lists them.
///
/// Ownership, as kube-apiserver keeps it: an apply that would change a field another manager
/// owns fails with 409 Conflict naming each field and manager, unless `force` takes the fields
/// over; applying the value the field already has shares its ownership. A write that is not an
/// apply (create, update, patch) always succeeds and takes the fields it changes from every
/// other manager (`recordUpdate`). `status` and server-set metadata are owned by nobody here,
/// since the embedded cluster keeps no per-subresource entries.
public enum ServerSideApply {
    public static func apply(_ applied: JSONValue, to live: JSONValue?, group: String, kind: String, fieldManager: String,
                             force: Bool = false, now: String) throws(APIError) -> JSONValue {
        guard case .object = applied else {
            throw .badRequest("an applied configuration must be an object with apiVersion, kind and metadata, got \(applied.typeName)")
        }
        guard !fieldManager.isEmpty else {
            throw .badRequest("PATCH requests with apply-patch content type must set fieldManager; add ?fieldManager=<name> to the request")
        }
        let metadata = PatchMetadata.forKind(group: group, kind: kind) ?? PatchMetadata.plainObject
        var configuration = applied
        configuration[path: "metadata", "managedFields"] = nil
        let ownedNow = ManagedFields.fieldSet(of: configuration, metadata, atRoot: true)

        var result: JSONValue
        var entries = ManagedFields.entries(of: live)
        if let live {
            result = merge(configuration, into: live, metadata)
            let previous = entries.first { ManagedFields.isApplyEntry($0, of: fieldManager) }?["fieldsV1"]
            let others = entries.filter { !ManagedFields.isApplyEntry($0, of: fieldManager) }.compactMap { $0["fieldsV1"] }
            if let previous {
                ManagedFields.removeDisowned(from: &result, previous: previous, current: ownedNow, others: others, metadata)
            }
            let changed = ManagedFields.changed(ManagedFields.leaves(of: ownedNow), from: live, to: result, metadata)
            let (conflicts, taken) = ManagedFields.conflicts(changed, entries: entries, applier: fieldManager)
            if !conflicts.isEmpty && !force {
                throw .applyConflicts(conflicts)
            }
            entries = ManagedFields.taking(taken, from: entries) { ManagedFields.isApplyEntry($0, of: fieldManager) }
        } else {
            result = merge(configuration, into: .emptyObject, metadata)
        }

        let apiVersion = applied["apiVersion"] ?? live?["apiVersion"] ?? .string("")
        let entry: JSONValue = [
            "manager": .string(fieldManager), "operation": "Apply", "apiVersion": apiVersion,
            "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": ownedNow,
        ]
        entries.removeAll { ManagedFields.isApplyEntry($0, of: fieldManager) }
        entries.append(entry)
        ManagedFields.store(entries, in: &result)
        return result
    }

    /// Records a write that is not an apply (create, update, patch) by `fieldManager`, the way
    /// kube-apiserver does: the writer's `Update` entry gains the fields it changed, every other
    /// manager loses them, and fields the write removed are owned by nobody.
    ///
    /// `new` may carry managedFields of its own: none (or `[]`, which clients unaware of the
    /// field send) keeps the live object's; `[{}]` strips them; any other list replaces them.
    public static func recordUpdate(from old: JSONValue?, to new: inout JSONValue, group: String, kind: String,
                                    fieldManager: String, now: String) throws(APIError) {
        let metadata = PatchMetadata.forKind(group: group, kind: kind) ?? PatchMetadata.plainObject
        var entries: [JSONValue]
        switch new[path: "metadata", "managedFields"] {
        case nil, .null?, .array([])?:
            entries = ManagedFields.entries(of: old)
        case .array(let given)? where given.allSatisfy({ $0.objectValue?.isEmpty == true }):
            new[path: "metadata", "managedFields"] = nil
            return
        case .array(let given)?:
            guard given.allSatisfy({ $0["manager"]?.stringValue != nil }) else {
                throw .badRequest("metadata.managedFields: every entry needs a manager; send the list as read, or [{}] to clear it")
            }
            entries = given
        case let other?:
            throw .badRequest("metadata.managedFields must be a list of entries, got \(other.typeName)")
        }
        var content = new
        content[path: "metadata", "managedFields"] = nil
        var previousContent = old
        previousContent?[path: "metadata", "managedFields"] = nil
        let changed: [FieldPath]
        let removed: Set<FieldPath>
        if let previousContent, ManagedFields.ownedMembersEqual(previousContent, content) {
            // Most writes (every status update) leave every owned field as it was; building the
            // field sets of both versions only to find no difference was most of a write's cost.
            changed = []
            removed = []
        } else {
            let newPaths = ManagedFields.leaves(of: ManagedFields.fieldSet(of: content, metadata, atRoot: true))
            let oldPaths = previousContent.map { ManagedFields.leaves(of: ManagedFields.fieldSet(of: $0, metadata, atRoot: true)) } ?? []
            changed = ManagedFields.changed(newPaths, from: previousContent, to: content, metadata)
            removed = Set(oldPaths).subtracting(newPaths)
        }

        let isMine = { (entry: JSONValue) in
            entry["manager"]?.stringValue == fieldManager && entry["operation"]?.stringValue == "Update"
                && (entry["subresource"]?.stringValue ?? "").isEmpty
        }
        entries = ManagedFields.taking(Set(changed).union(removed), from: entries, except: isMine)
        let previous = entries.first(where: isMine)?["fieldsV1"] ?? .emptyObject
        let mine = ManagedFields.inserting(changed, into: ManagedFields.removing(removed, from: previous))
        entries.removeAll(where: isMine)
        if !ManagedFields.isLeaf(mine) {
            entries.append([
                "manager": .string(fieldManager), "operation": "Update", "apiVersion": new["apiVersion"] ?? .string(""),
                "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": mine,
            ])
        }
        ManagedFields.store(entries, in: &new)
    }

    /// The applied value merged into the live one.
    static func merge(_ applied: JSONValue, into live: JSONValue, _ metadata: PatchMetadata) -> JSONValue {
        switch (live, applied) {
        case (.object(var liveMembers), .object(let appliedMembers)):
            for (key, value) in appliedMembers {
                if value.isNull {
                    liveMembers.removeValue(forKey: key)
                } else {
                    liveMembers[key] = merge(value, into: liveMembers[key] ?? .null, metadata.field(key))
                }
            }
            return .object(liveMembers)
        case (.array(var liveElements), .array(let appliedElements)) where metadata.mergesList:
            if let mergeKey = metadata.patchMergeKey {
                for element in appliedElements {
                    if let keyValue = element[mergeKey],
                       let index = liveElements.firstIndex(where: { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }) {
                        liveElements[index] = merge(element, into: liveElements[index], metadata)
                    } else {
                        liveElements.append(merge(element, into: .emptyObject, metadata))
                    }
                }
            } else {
                for element in appliedElements where !liveElements.contains(where: { $0.isJSONEqual(to: element) }) {
                    liveElements.append(element)
                }
            }
            return .array(liveElements)
        case (_, .object):
            return merge(applied, into: .emptyObject, metadata)
        default:
            return applied
        }
    }
}

/// `metadata.managedFields` in the FieldsV1 format: `{"f:spec": {"f:replicas": {}}}`, list
/// elements by key (`k:{"name":"web"}`) or by value (`v:"finalizer"`).
/// https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
enum ManagedFields {
    /// Identity and server-set members, never owned by a manager.
    static let unownedRootMembers: Set<String> = ["apiVersion", "kind", "status"]
    static let unownedMetadataMembers: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink",
    ]

    /// Whether two versions of an object agree on every member a manager can own: all but
    /// `status` and server-set metadata. Equal here means no field changed, appeared or went.
    static func ownedMembersEqual(_ old: JSONValue, _ new: JSONValue) -> Bool {
        guard case .object(let oldMembers) = old, case .object(let newMembers) = new else { return old == new }
        func owned(_ members: OrderedDictionary<String, JSONValue>) -> [String: JSONValue] {
            var result: [String: JSONValue] = [:]
            for (key, value) in members where key != "status" {
                if key == "metadata", case .object(let metadata) = value {
                    result[key] = .object(metadata.filter { !unownedMetadataMembers.contains($0.key) })
                } else {
                    result[key] = value
                }
            }
            return result
        }
        return owned(oldMembers) == owned(newMembers)
    }

    static func isApplyEntry(_ entry: JSONValue, of manager: String) -> Bool {
        entry["manager"]?.stringValue == manager && entry["operation"]?.stringValue == "Apply"
            && (entry["subresource"]?.stringValue ?? "").isEmpty
    }

    /// The live object's entries. A stored value that is not a list of entries is dropped, as
    /// kube-apiserver resets managed fields it cannot decode rather than fail the write.
    static func entries(of object: JSONValue?) -> [JSONValue] {
        (object?[path: "metadata", "managedFields"]?.arrayValue ?? []).filter { $0.objectValue != nil }
    }

    /// Writes `entries` in the order kube-apiserver keeps them (operation, time, manager,
    /// apiVersion, subresource); no entries, no member.
    static func store(_ entries: [JSONValue], in object: inout JSONValue) {
        func key(_ entry: JSONValue) -> [String] {
            ["operation", "time", "manager", "apiVersion", "subresource"].map { entry[$0]?.stringValue ?? "" }
        }
        let sorted = entries.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        object[path: "metadata", "managedFields"] = sorted.isEmpty ? nil : .array(sorted)
    }

    /// The conflicts of changing `changed` for `applier`: each field another entry owns (the
    /// same field, or one inside an atomic field being replaced), and the owned paths to take
    /// from the other entries when forced. An owned empty map around a changed field is no
    /// conflict: it owns the map, not its members.
    static func conflicts(_ changed: [FieldPath], entries: [JSONValue], applier: String) -> ([ApplyConflict], Set<FieldPath>) {
        guard !changed.isEmpty else { return ([], []) }
        var conflicts: [ApplyConflict] = []
        var taken: Set<FieldPath> = []
        for entry in entries where !isApplyEntry(entry, of: applier) {
            for owned in leaves(of: entry["fieldsV1"] ?? .emptyObject) where owned.last != "." {
                guard let path = changed.first(where: { owned.starts(with: $0) }) else { continue }
                taken.insert(owned)
                conflicts.append(ApplyConflict(
                    manager: entry["manager"]?.stringValue ?? "", operation: entry["operation"]?.stringValue ?? "",
                    apiVersion: entry["apiVersion"]?.stringValue ?? "", time: entry["time"]?.stringValue,
                    field: describe(owned.count > path.count ? owned : path)))
            }
        }
        conflicts.sort { ($0.manager, $0.field) < ($1.manager, $1.field) }
        return (conflicts, taken)
    }

    /// `entries` with `paths` taken from every entry but the one `except` matches; entries
    /// left owning nothing are dropped.
    static func taking(_ paths: Set<FieldPath>, from entries: [JSONValue], except: (JSONValue) -> Bool) -> [JSONValue] {
        guard !paths.isEmpty else { return entries }
        return entries.compactMap { entry in
            guard !except(entry), let fields = entry["fieldsV1"] else { return entry }
            let remaining = removing(paths, from: fields)
            if isLeaf(remaining) { return nil }
            var updated = entry
            updated["fieldsV1"] = remaining
            return updated
        }
    }

    /// The fields `value` sets, as a FieldsV1 tree.
    static func fieldSet(of value: JSONValue, _ metadata: PatchMetadata, atRoot: Bool = false, inMetadata: Bool = false) -> JSONValue {
        guard case .object(let members) = value else { return .emptyObject }
        var set: OrderedDictionary<String, JSONValue> = [:]
        for (key, member) in members {
            if atRoot && unownedRootMembers.contains(key) { continue }
            if inMetadata && unownedMetadataMembers.contains(key) { continue }
            let memberSet = memberSet(member, metadata.field(key), inMetadata: atRoot && key == "metadata")
            // Metadata with only server-set members (name, namespace ...) sets nothing.
            if atRoot && key == "metadata" && isLeaf(memberSet) { continue }
            set["f:" + key] = memberSet
        }
        return .object(set)
    }

    static func memberSet(_ member: JSONValue, _ metadata: PatchMetadata, inMetadata: Bool = false) -> JSONValue {
        switch member {
        case .object:
            return fieldSet(of: member, metadata, inMetadata: inMetadata)
        case .array(let elements) where metadata.mergesList:
            var set: OrderedDictionary<String, JSONValue> = [:]
            for element in elements {
                if let mergeKey = metadata.patchMergeKey {
                    guard let keyValue = element[mergeKey] else { continue }
                    var elementSet = fieldSet(of: element, metadata).objectValue ?? [:]
                    elementSet.updateValue(.emptyObject, forKey: ".", insertingAt: 0)
                    set[elementKey(mergeKey, keyValue)] = .object(elementSet)
                } else {
                    set["v:" + element.jsonString()] = .emptyObject
                }
            }
            return .object(set)
        default:
            return .emptyObject
        }
    }

    static func elementKey(_ mergeKey: String, _ value: JSONValue) -> String {
        "k:" + JSONValue.object([mergeKey: value]).jsonString()
    }

    /// Removes from `object` what `previous` owned, `current` no longer owns and no entry in
    /// `others` owns: the fields a manager dropped from its applied configuration.
    static func removeDisowned(from object: inout JSONValue, previous: JSONValue, current: JSONValue?, others: [JSONValue], _ metadata: PatchMetadata) {
        guard case .object(let previousMembers) = previous else { return }
        for (key, previousChild) in previousMembers where key != "." {
            let currentChild = current?[key]
            let otherChildren = others.compactMap { $0[key] }
            let ownedElsewhere = currentChild != nil || !otherChildren.isEmpty
            let hasChildren = previousChild.objectValue?.keys.contains { $0 != "." } ?? false
            if key.hasPrefix("f:") && hasChildren {
                // A map: remove what the manager set inside it, and the map itself only if
                // nothing is left (server defaults and other writers' fields stay).
                modify(key, in: &object, metadata) { child, childMetadata in
                    removeDisowned(from: &child, previous: previousChild, current: currentChild, others: otherChildren, childMetadata)
                }
                if !ownedElsewhere, let emptied = object[String(key.dropFirst(2))], isEmptyCollection(emptied) {
                    remove(key, from: &object, metadata)
                }
            } else if !ownedElsewhere {
                remove(key, from: &object, metadata)
            } else if hasChildren {
                modify(key, in: &object, metadata) { child, childMetadata in
                    removeDisowned(from: &child, previous: previousChild, current: currentChild, others: otherChildren, childMetadata)
                }
            }
        }
    }

    static func isEmptyCollection(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members): return members.isEmpty
        case .array(let elements): return elements.isEmpty
        default: return false
        }
    }

    /// Removes the member (`f:`), keyed element (`k:`) or scalar (`v:`) a FieldsV1 key names.
    static func remove(_ key: String, from object: inout JSONValue, _ metadata: PatchMetadata) {
        if key.hasPrefix("f:") {
            object[String(key.dropFirst(2))] = nil
        } else if case .array(var elements) = object {
            elements.removeAll { matches($0, key, metadata) }
            object = .array(elements)
        }
    }

    static func modify(_ key: String, in object: inout JSONValue, _ metadata: PatchMetadata, _ body: (inout JSONValue, PatchMetadata) -> Void) {
        if key.hasPrefix("f:") {
            let name = String(key.dropFirst(2))
            guard var child = object[name] else { return }
            body(&child, metadata.field(name))
            object[name] = child
        } else if case .array(var elements) = object, let index = elements.firstIndex(where: { matches($0, key, metadata) }) {
            body(&elements[index], metadata)
            object = .array(elements)
        }
    }

    static func matches(_ element: JSONValue, _ key: String, _ metadata: PatchMetadata) -> Bool {
        if key.hasPrefix("k:"), let mergeKey = metadata.patchMergeKey, let keyValue = element[mergeKey] {
            return elementKey(mergeKey, keyValue) == key
        }
        if key.hasPrefix("v:") {
            return "v:" + element.jsonString() == key
        }
        return false
    }
}
