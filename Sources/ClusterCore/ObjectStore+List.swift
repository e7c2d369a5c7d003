import Foundation
import JSON

/// Which objects a list, watch or collection delete addresses.
struct Selection {
    var type: ResourceType
    /// nil: every namespace (or a cluster-scoped type).
    var namespace: String?
    var labelSelector: LabelSelector
    var fieldSelector: FieldSelector

    init(type: ResourceType, namespace: String?, labelSelector: String?, fieldSelector: String?) throws(APIError) {
        self.type = type
        self.namespace = type.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        self.labelSelector = try labelSelector.map { text throws(APIError) in try LabelSelector(parsing: text) } ?? .everything
        self.fieldSelector = try fieldSelector.map { text throws(APIError) in try FieldSelector(parsing: text, for: type) } ?? .everything
    }

    var selectsEverything: Bool { labelSelector.isEverything && fieldSelector.isEverything }

    func matches(_ object: JSONValue) -> Bool {
        labelSelector.matches(object: object) && fieldSelector.matches(object: object)
    }
}

/// A list continuation, encoded as the API server encodes it: base64url (no padding) of
/// `{"v":"meta.k8s.io/v1","rv":N,"start":"<namespace>/<name>\u0000"}`, the key after which
/// the next page starts.
///
/// The store keeps no snapshots, so a continuation is served from the current state after
/// that key (what the API server does once etcd compacted the original revision, minus the
/// 410): every object that existed throughout is listed exactly once, and objects created or
/// deleted meanwhile may or may not appear.
struct ContinueToken {
    var resourceVersion: Int
    var lastKey: ObjectKey

    func encoded() -> String {
        let payload: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(lastKey.path + "\u{0}")]
        return Data(payload.jsonBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(resourceVersion: Int, lastKey: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.lastKey = lastKey
    }

    init(decoding token: String) throws(APIError) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let payload = try? JSONValue(parsing: [UInt8](data)),
              payload["v"]?.stringValue == "meta.k8s.io/v1", let version = payload["rv"]?.intValue,
              var start = payload["start"]?.stringValue, !start.isEmpty
        else {
            throw APIError.badRequest("continue key is not valid: the continue token is malformed; list again without it to start over")
        }
        if start.hasSuffix("\u{0}") { start.removeLast() }
        resourceVersion = version
        lastKey = ObjectKey(path: start)
    }
}

extension StoreState {
    /// Every object the selection matches, in list order.
    func matchingRefs(_ selection: Selection) -> [StoredRef] {
        guard let bucket = buckets[selection.type.storageKey] else { return [] }
        let range = bucket.range(namespace: selection.namespace)
        var refs: [StoredRef] = []
        for key in bucket.sortedKeys[range] {
            guard let object = bucket[key], selection.matches(object) else { continue }
            refs.append(StoredRef(storageKey: selection.type.storageKey, key: key))
        }
        return refs
    }

    /// Whether the objects of `storageKey` are the same now as at `version`: then a list at
    /// exactly that version can be served from the current state.
    func unchangedSince(_ version: Int, storageKey: String) -> Bool {
        guard version >= history.floor else { return false }
        return !history.entries(after: version).contains { $0.storageKey == storageKey }
    }

    func list(_ selection: Selection, options: ListOptions) throws(APIError) -> ListResult {
        let requestedVersion = options.resourceVersion.flatMap { $0.isEmpty ? nil : $0 }
        let match = options.resourceVersionMatch.flatMap { $0.isEmpty ? nil : $0 }
        if let match {
            guard requestedVersion != nil else {
                throw APIError.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            guard match == "NotOlderThan" || match == "Exact" else {
                throw APIError.badRequest("resourceVersionMatch: Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\"")
            }
            if match == "Exact" && requestedVersion == "0" {
                throw APIError.badRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"")
            }
            if options.continueToken != nil {
                throw APIError.badRequest("resourceVersionMatch is forbidden when continue is provided")
            }
        }
        if options.continueToken != nil, let requestedVersion, requestedVersion != "0" {
            throw APIError.badRequest("specifying resource version is not allowed when using continue")
        }
        if let requestedVersion {
            guard let version = Int(requestedVersion), version >= 0 else {
                throw APIError.badRequest("invalid resource version \"\(requestedVersion)\": resourceVersion must be a decimal number handed out by this server")
            }
            if version > resourceVersion {
                throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(version), current: \(resourceVersion)",
                               details: .init(retryAfterSeconds: 1))
            }
            if match == "Exact" && version != resourceVersion && !unchangedSince(version, storageKey: selection.type.storageKey) {
                throw APIError.gone("too old resource version: \(version) (\(resourceVersion))")
            }
        }
        if let limit = options.limit, limit < 0 {
            throw APIError.badRequest("limit: Invalid value: \(limit): must be greater than or equal to 0")
        }

        let type = selection.type
        guard let bucket = buckets[type.storageKey] else { return ListResult(items: [], resourceVersion: String(resourceVersion)) }
        let range = bucket.range(namespace: selection.namespace)
        var index = range.lowerBound
        if let token = options.continueToken {
            let continuation = try ContinueToken(decoding: token)
            index = max(range.lowerBound, bucket.index(after: continuation.lastKey))
        }
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        var items: [JSONValue] = []
        if let limit { items.reserveCapacity(min(limit, range.upperBound - index)) }
        var lastKey: ObjectKey?
        while index < range.upperBound {
            if let limit, items.count >= limit { break }
            let key = bucket.sortedKeys[index]
            index += 1
            guard let object = bucket[key], selection.matches(object) else { continue }
            items.append(object.presented(as: type))
            lastKey = key
        }
        var result = ListResult(items: items, resourceVersion: String(resourceVersion))
        if index < range.upperBound, let lastKey {
            result.continueToken = ContinueToken(resourceVersion: resourceVersion, lastKey: lastKey).encoded()
            // As the API server: a count only when no selector makes it an estimate.
            if selection.selectsEverything { result.remainingItemCount = range.upperBound - index }
        }
        return result
    }
}

extension ObjectStore {
    /// Lists in a stable order (namespace, then name), in pages when `limit` is set.
    ///
    /// `resourceVersion` with `resourceVersionMatch=Exact` is served when nothing of this
    /// resource changed since that version, and answers 410 Gone otherwise (no snapshots are
    /// kept); a version newer than the store's answers 504 as the API server does.
    public func list(_ type: ResourceType, namespace: String?, options: ListOptions = .init()) throws(APIError) -> ListResult {
        try withState { state throws(APIError) in
            _ = try state.strategy(for: type)
            let selection = try Selection(type: type, namespace: namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
            return try state.list(selection, options: options)
        }
    }
}
