import JSON

/// Server-side apply (`application/apply-patch+yaml`): merges the applied configuration into
/// the live object and records what the field manager set in `metadata.managedFields`.
/// https://kubernetes.io/docs/reference/using-api/server-side-apply/
///
/// A simplified model of the API server's: maps merge recursively, lists with a patch merge key
/// (containers by name ...) merge element by element for the built-in kinds, scalar sets
/// (finalizers) are united, other lists are replaced. Fields the same manager applied before
/// and no longer applies are removed unless another manager's entry lists them. Conflicts
/// between managers are not detected: the last applier wins.
public enum ServerSideApply {
    public static func apply(_ applied: JSONValue, to live: JSONValue?, group: String, kind: String, fieldManager: String, now: String) throws(APIError) -> JSONValue {
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
        if let live {
            result = merge(configuration, into: live, metadata)
            let entries = live[path: "metadata", "managedFields"]?.arrayValue ?? []
            let previous = entries.first { ManagedFields.isApplyEntry($0, of: fieldManager) }?["fieldsV1"]
            let others = entries.filter { !ManagedFields.isApplyEntry($0, of: fieldManager) }.compactMap { $0["fieldsV1"] }
            if let previous {
                ManagedFields.removeDisowned(from: &result, previous: previous, current: ownedNow, others: others, metadata)
            }
        } else {
            result = merge(configuration, into: .emptyObject, metadata)
        }

        let apiVersion = applied["apiVersion"] ?? live?["apiVersion"] ?? .string("")
        let entry: JSONValue = [
            "manager": .string(fieldManager), "operation": "Apply", "apiVersion": apiVersion,
            "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": ownedNow,
        ]
        ManagedFields.record(entry, in: &result) { ManagedFields.isApplyEntry($0, of: fieldManager) }
        return result
    }

    /// Records an `Update` entry for a write that is not an apply (create, update, patch), the
    /// way the API server lists every writer of an object in managedFields.
    public static func recordUpdate(of object: inout JSONValue, group: String, kind: String, fieldManager: String, now: String) {
        let metadata = PatchMetadata.forKind(group: group, kind: kind) ?? PatchMetadata.plainObject
        var content = object
        content[path: "metadata", "managedFields"] = nil
        let entry: JSONValue = [
            "manager": .string(fieldManager), "operation": "Update", "apiVersion": object["apiVersion"] ?? .string(""),
            "time": .string(now), "fieldsType": "FieldsV1",
            "fieldsV1": ManagedFields.fieldSet(of: content, metadata, atRoot: true),
        ]
        ManagedFields.record(entry, in: &object) {
            $0["manager"]?.stringValue == fieldManager && $0["operation"]?.stringValue == "Update"
        }
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

    static func isApplyEntry(_ entry: JSONValue, of manager: String) -> Bool {
        entry["manager"]?.stringValue == manager && entry["operation"]?.stringValue == "Apply"
            && (entry["subresource"]?.stringValue ?? "").isEmpty
    }

    /// Replaces the entry `matches` finds, or appends `entry`.
    static func record(_ entry: JSONValue, in object: inout JSONValue, matching matches: (JSONValue) -> Bool) {
        var entries = object[path: "metadata", "managedFields"]?.arrayValue ?? []
        if let index = entries.firstIndex(where: matches) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
        object[path: "metadata", "managedFields"] = .array(entries)
    }

    /// The fields `value` sets, as a FieldsV1 tree.
    static func fieldSet(of value: JSONValue, _ metadata: PatchMetadata, atRoot: Bool = false, inMetadata: Bool = false) -> JSONValue {
        guard case .object(let members) = value else { return .emptyObject }
        var set: OrderedDictionary<String, JSONValue> = [:]
        for (key, member) in members {
            if atRoot && unownedRootMembers.contains(key) { continue }
            if inMetadata && unownedMetadataMembers.contains(key) { continue }
            set["f:" + key] = memberSet(member, metadata.field(key), inMetadata: atRoot && key == "metadata")
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
