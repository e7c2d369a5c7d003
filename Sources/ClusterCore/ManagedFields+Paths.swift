import JSON

/// One owned field of a FieldsV1 tree, as the keys that lead to it: `["f:spec", "f:replicas"]`,
/// `["f:spec", …, "f:containers", "k:{\"name\":\"web\"}", "."]` (the element itself).
typealias FieldPath = [String]

/// Set operations on FieldsV1 trees, and reading the value a path names in an object, for the
/// ownership bookkeeping of server-side apply.
/// https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
extension ManagedFields {
    /// The owned fields of a tree: its leaves (`{}`), in tree order. An inner node is owned
    /// only through its `.` member.
    static func leaves(of tree: JSONValue, prefix: FieldPath = []) -> [FieldPath] {
        guard case .object(let members) = tree, !members.isEmpty else { return prefix.isEmpty ? [] : [prefix] }
        return members.flatMap { key, child in leaves(of: child, prefix: prefix + [key]) }
    }

    /// `tree` without `paths`; inner nodes left without members go too.
    static func removing(_ paths: Set<FieldPath>, from tree: JSONValue, prefix: FieldPath = []) -> JSONValue {
        guard case .object(let members) = tree else { return tree }
        var kept = OrderedDictionary<String, JSONValue>()
        for (key, child) in members {
            let path = prefix + [key]
            if isLeaf(child) {
                if !paths.contains(path) { kept[key] = child }
            } else {
                let remaining = removing(paths, from: child, prefix: path)
                if !isLeaf(remaining) { kept[key] = remaining }
            }
        }
        return .object(kept)
    }

    /// `tree` with `paths` added as leaves.
    static func inserting(_ paths: [FieldPath], into tree: JSONValue) -> JSONValue {
        var result = tree
        for path in paths where !path.isEmpty {
            insert(path[...], into: &result)
        }
        return result
    }

    private static func insert(_ path: ArraySlice<String>, into tree: inout JSONValue) {
        guard let key = path.first else { return }
        var members = tree.objectValue ?? [:]
        var child = members[key] ?? .emptyObject
        insert(path.dropFirst(), into: &child)
        members[key] = child
        tree = .object(members)
    }

    static func isLeaf(_ value: JSONValue) -> Bool {
        value.objectValue?.isEmpty ?? true
    }

    /// What `path` names in `object`: a member's value, a keyed or set element, or for `.`
    /// the element itself; nil when the object has nothing there.
    static func value(at path: FieldPath, in object: JSONValue, _ metadata: PatchMetadata) -> JSONValue? {
        var current = object
        var currentMetadata = metadata
        for key in path {
            if key == "." { return current }
            if key.hasPrefix("f:") {
                let name = String(key.dropFirst(2))
                guard let child = current[name] else { return nil }
                current = child
                currentMetadata = currentMetadata.field(name)
            } else if case .array(let elements) = current, let element = elements.first(where: { matches($0, key, currentMetadata) }) {
                current = element
            } else {
                return nil
            }
        }
        return current
    }

    /// The paths of `paths` whose value differs between `old` and `new` (added, changed or
    /// removed). An element (`.`) changes only by appearing or going: its fields are paths of
    /// their own.
    static func changed(_ paths: [FieldPath], from old: JSONValue?, to new: JSONValue, _ metadata: PatchMetadata) -> [FieldPath] {
        paths.filter { path in
            let before = old.flatMap { value(at: path, in: $0, metadata) }
            let after = value(at: path, in: new, metadata)
            switch (before, after) {
            case (nil, nil): return false
            case (let before?, let after?): return path.last != "." && !before.isJSONEqual(to: after)
            default: return true
            }
        }
    }

    /// A path as the API server prints it in conflicts: `.spec.replicas`,
    /// `.spec.template.spec.containers[name="web"].image`, `.metadata.finalizers[="a"]`.
    static func describe(_ path: FieldPath) -> String {
        var text = ""
        for key in path where key != "." {
            if key.hasPrefix("f:") {
                text += "." + key.dropFirst(2)
            } else if key.hasPrefix("k:"), let keys = try? JSONValue(parsing: String(key.dropFirst(2))), case .object(let members) = keys {
                text += "[" + members.map { "\($0.key)=\($0.value.jsonString())" }.joined(separator: ",") + "]"
            } else if key.hasPrefix("v:") {
                text += "[=" + key.dropFirst(2) + "]"
            } else {
                text += "[" + key + "]"
            }
        }
        return text.isEmpty ? "." : text
    }
}
