import JSON

/// Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds:
/// lists with a patch merge key (containers by name, ports by containerPort ...) merge element
/// by element, and the directives `$patch: replace|merge|delete`, `$retainKeys`,
/// `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` are honoured, so that the
/// three-way patches `kubectl apply` computes produce what the API server would.
/// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
/// (the algorithm follows k8s.io/apimachinery/pkg/util/strategicpatch).
public enum StrategicMergePatch {
    /// Applies `patch` to `document` of the given group/kind. Kinds without strategic merge
    /// metadata (custom resources) are refused with 415, as the API server does.
    public static func apply(_ patch: JSONValue, to document: JSONValue, group: String, kind: String) throws(APIError) -> JSONValue {
        guard let metadata = PatchMetadata.forKind(group: group, kind: kind) else {
            throw APIError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
        guard case .object(let patchMembers) = patch else {
            throw .badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}: a strategic merge patch must be a JSON object")
        }
        do {
            return .object(try StrategicMerge.mergeMap(document.objectValue ?? [:], patchMembers, metadata))
        } catch {
            throw .badRequest(error.message)
        }
    }

    /// Whether group/kind has strategic merge metadata.
    public static func supports(group: String, kind: String) -> Bool {
        PatchMetadata.forKind(group: group, kind: kind) != nil
    }
}

/// A strategic merge patch that cannot be applied; the API server answers these with 400.
struct StrategicMergeError: Error {
    var message: String
}

/// The merge itself, on plain JSON maps and lists.
enum StrategicMerge {
    typealias Map = OrderedDictionary<String, JSONValue>

    static let directive = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    /// Merges `patch` into `original`. `$patch: delete` empties the map and `$patch: replace`
    /// replaces it, as the API server does; `$patch: merge` is the default and accepted.
    static func mergeMap(_ original: Map, _ patch: Map, _ metadata: PatchMetadata) throws(StrategicMergeError) -> Map {
        var patch = patch
        var original = original
        if let directiveValue = patch.removeValue(forKey: directive) {
            switch directiveValue.stringValue {
            case "replace":
                return try mergeMap([:], patch, metadata)
            case "delete":
                return [:]
            case "merge":
                break
            default:
                throw StrategicMergeError(message: "unknown patch type: \(directiveValue) in map: \(JSONValue.object(patch)); use one of replace, merge or delete")
            }
        }

        if let retainKeys = patch.removeValue(forKey: retainKeysDirective) {
            guard case .array(let keys) = retainKeys, keys.allSatisfy({ $0.stringValue != nil }) else {
                throw StrategicMergeError(message: "invalid patch format of retainKeys: \(retainKeys) must be a list of field names")
            }
            let retained = Set(keys.compactMap(\.stringValue))
            // Every field the patch sets must be retained, or the patch contradicts itself.
            for (key, value) in patch where !value.isNull && !key.hasPrefix("$") && !retained.contains(key) {
                throw StrategicMergeError(message: "invalid patch format of retainKeys: \(key) is set by the patch but missing from $retainKeys \(retainKeys)")
            }
            original = original.filter { retained.contains($0.key) }
        }

        for key in patch.keys where key.hasPrefix(setElementOrderPrefix) {
            let field = String(key.dropFirst(setElementOrderPrefix.count))
            guard case .array(let order) = patch[key] ?? .null else {
                throw StrategicMergeError(message: "invalid patch format of setElementOrder list: \(key) must be a list")
            }
            let patchList = patch[field]
            patch.removeValue(forKey: key)
            if patchList?.isNull == true { continue }  // the list itself is deleted below
            guard patchList != nil || original[field] != nil else { continue }
            let fieldMetadata = metadata.field(field)
            let originalList = original[field]?.arrayValue ?? []
            let patchElements = patchList?.arrayValue ?? []
            var merged: [JSONValue]
            if fieldMetadata.mergesList {
                merged = try mergeList(originalList, patchElements, fieldMetadata, field: field)
            } else {
                merged = patchList == nil ? originalList : try cleanList(patchElements, fieldMetadata)
            }
            let mergeKey = fieldMetadata.patchMergeKey
            let (inOrder, serverOnly) = partition(merged, presentIn: order, mergeKey: mergeKey)
            merged = normalizedOrder(patchItems: inOrder, serverOnly: serverOnly, patchOrder: order, serverOrder: originalList, mergeKey: mergeKey)
            original[field] = .array(merged)
            patch.removeValue(forKey: field)
        }

        for (key, patchValue) in patch {
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                guard case .array(let toDelete) = patchValue else {
                    throw StrategicMergeError(message: "invalid patch format of primitive list: \(key) must be a list")
                }
                guard case .array(let elements) = original[field] ?? .null else { continue }
                original[field] = .array(elements.filter { element in !toDelete.contains { $0.isJSONEqual(to: element) } })
                continue
            }
            if patchValue.isNull {
                original.removeValue(forKey: key)
                continue
            }
            let fieldMetadata = metadata.field(key)
            switch (original[key], patchValue) {
            case (.object(let originalMap)?, .object(let patchMap)):
                original[key] = .object(fieldMetadata.replacesMap
                    ? try mergeMap([:], patchMap, fieldMetadata)
                    : try mergeMap(originalMap, patchMap, fieldMetadata))
            case (.array(let originalList)?, .array(let patchList)):
                original[key] = .array(fieldMetadata.mergesList
                    ? try mergeList(originalList, patchList, fieldMetadata, field: key)
                    : try cleanList(patchList, fieldMetadata))
            default:
                original[key] = try clean(patchValue, fieldMetadata)
            }
        }
        return original
    }

    /// A patch value taken as is where the original has nothing to merge with: its directives
    /// are resolved and its nulls dropped, so that they never reach the stored object.
    static func clean(_ value: JSONValue, _ metadata: PatchMetadata) throws(StrategicMergeError) -> JSONValue {
        switch value {
        case .object(let map):
            return .object(try mergeMap([:], map, metadata))
        case .array(let list):
            return .array(metadata.mergesList ? try mergeList([], list, metadata, field: "") : try cleanList(list, metadata))
        default:
            return value
        }
    }

    /// The elements of a list that replaces the original whole.
    static func cleanList(_ list: [JSONValue], _ metadata: PatchMetadata) throws(StrategicMergeError) -> [JSONValue] {
        var result: [JSONValue] = []
        result.reserveCapacity(list.count)
        for element in list {
            if case .object(let map) = element {
                result.append(.object(try mergeMap([:], map, metadata)))
            } else {
                result.append(element)
            }
        }
        return result
    }

    /// Merges a list whose strategy is `merge`: objects by their merge key, scalars as a set.
    /// Elements the patch names come in the patch's order; the others keep their place.
    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], _ metadata: PatchMetadata, field: String) throws(StrategicMergeError) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let holdsObjects = (patch.first ?? original.first)?.objectValue != nil
        guard holdsObjects else {
            var merged: [JSONValue] = []
            for element in original + patch where !merged.contains(where: { $0.isJSONEqual(to: element) }) {
                merged.append(element)
            }
            let (fromPatch, serverOnly) = partition(merged, presentIn: patch, mergeKey: nil)
            return normalizedOrder(patchItems: fromPatch, serverOnly: serverOnly, patchOrder: patch, serverOrder: original, mergeKey: nil)
        }
        guard let mergeKey = metadata.patchMergeKey else {
            throw StrategicMergeError(message: "cannot merge lists without merge key for \(field)")
        }

        // Special elements first: `$patch: delete` removes matching originals, `$patch: replace`
        // makes the rest of the patch list the whole list.
        var base = original
        var patchElements: [Map] = []
        var replaceWhole = false
        for element in patch {
            guard case .object(let map) = element else {
                throw StrategicMergeError(message: "the elements of \(field) must all be objects, got \(element.typeName)")
            }
            guard let directiveValue = map[directive] else {
                patchElements.append(map)
                continue
            }
            switch directiveValue.stringValue {
            case "delete":
                guard let keyValue = map[mergeKey] else {
                    throw StrategicMergeError(message: "map: \(element) does not contain declared merge key: \(mergeKey)")
                }
                base.removeAll { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }
            case "replace":
                replaceWhole = true
            case "merge":
                throw StrategicMergeError(message: "merging lists cannot yet be specified in the patch")
            default:
                throw StrategicMergeError(message: "unknown patch type: \(directiveValue) in map: \(element)")
            }
        }
        if replaceWhole {
            base = []
        }

        for element in patchElements {
            guard let keyValue = element[mergeKey] else {
                throw StrategicMergeError(message: "map: \(JSONValue.object(element)) does not contain declared merge key: \(mergeKey)")
            }
            if let index = base.firstIndex(where: { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }),
               case .object(let originalElement) = base[index] {
                base[index] = .object(try mergeMap(originalElement, element, metadata))
            } else {
                base.append(.object(try mergeMap([:], element, metadata)))
            }
        }
        let (fromPatch, serverOnly) = partition(base, presentIn: patch, mergeKey: mergeKey)
        return normalizedOrder(patchItems: fromPatch, serverOnly: serverOnly, patchOrder: patch, serverOrder: original, mergeKey: mergeKey)
    }

    // MARK: Element order (strategicpatch normalizeElementOrder / mergeSortedSlice)

    static func position(of item: JSONValue, in list: [JSONValue], mergeKey: String?) -> Int? {
        if let mergeKey {
            guard let keyValue = item[mergeKey] else { return nil }
            return list.firstIndex { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }
        }
        return list.firstIndex { $0.isJSONEqual(to: item) }
    }

    static func partition(_ items: [JSONValue], presentIn list: [JSONValue], mergeKey: String?) -> (present: [JSONValue], absent: [JSONValue]) {
        var present: [JSONValue] = []
        var absent: [JSONValue] = []
        for item in items {
            if position(of: item, in: list, mergeKey: mergeKey) != nil { present.append(item) } else { absent.append(item) }
        }
        return (present, absent)
    }

    /// Items found in `order` sorted by their place there; the others after them, as they were.
    static func sorted(_ items: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        let ranked = items.enumerated().map { (offset, item) in
            (rank: position(of: item, in: order, mergeKey: mergeKey) ?? Int.max, offset: offset, item: item)
        }
        return ranked.sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }.map(\.item)
    }

    /// Patch items in the patch's order, server-only items in the server's order, then the two
    /// interleaved so that server-only items keep their place relative to items the server had.
    static func normalizedOrder(patchItems: [JSONValue], serverOnly: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue], mergeKey: String?) -> [JSONValue] {
        let right = sorted(patchItems, by: patchOrder, mergeKey: mergeKey)
        let left = sorted(serverOnly, by: serverOrder, mergeKey: mergeKey)
        var result: [JSONValue] = []
        result.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if j >= right.count {
                result.append(left[i]); i += 1
            } else if i >= left.count {
                result.append(right[j]); j += 1
            } else if let li = position(of: left[i], in: serverOrder, mergeKey: mergeKey),
                      let ri = position(of: right[j], in: serverOrder, mergeKey: mergeKey), li < ri {
                result.append(left[i]); i += 1
            } else {
                result.append(right[j]); j += 1
            }
        }
        return result
    }
}
