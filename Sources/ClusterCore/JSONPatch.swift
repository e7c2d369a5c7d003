import JSON

/// JSON Patch, RFC 6902 (`application/json-patch+json`): add, remove, replace, move, copy, test.
/// https://www.rfc-editor.org/rfc/rfc6902
///
/// The operations are applied in order to a copy of the document; the first failure aborts the
/// whole patch, so a stored object is never half patched. Errors follow the API server: a body
/// that is not a list of operations is a 400, an operation that cannot apply (a missing path, a
/// failed `test`) is a 422 `the server rejected our request due to an error in our request`,
/// and the cause carries the wording of the json-patch library the API server uses.
public enum JSONPatch {
    public static func apply(_ operations: JSONValue, to document: JSONValue) throws(APIError) -> JSONValue {
        let decoded = try decode(operations)
        var result = document
        var copyBudget = maximumCopiedValues
        for operation in decoded {
            do {
                try operation.apply(to: &result, copyBudget: &copyBudget)
            } catch {
                throw APIError(
                    code: 422, reason: "Invalid",
                    message: "the server rejected our request due to an error in our request",
                    details: .init(causes: [StatusCause(reason: "FieldValueInvalid", message: error.message, field: error.path)]))
            }
        }
        // Adding a deep value at a deep path nests deeper than any body may: the result could be
        // stored but never read again.
        guard JSONValue.nestingDepth(of: result, atMost: JSONValue.maximumNestingDepth) <= JSONValue.maximumNestingDepth else {
            throw APIError(
                code: 422, reason: "Invalid",
                message: "the server rejected our request due to an error in our request",
                details: .init(causes: [StatusCause(
                    reason: "FieldValueInvalid",
                    message: "the patched object nests deeper than \(JSONValue.maximumNestingDepth) levels; add shallower values",
                    field: "")]))
        }
        return result
    }

    /// How many JSON values the `copy` operations of one patch may copy in all, as the json-patch
    /// library's accumulated copy size limit: each copy may double the document, so without it
    /// forty operations make an object of a trillion values. A 3 MiB body holds fewer than this.
    public static let maximumCopiedValues = 1_000_000

    /// The API server's limit on operations in one patch, which bounds the work one request causes.
    public static let maximumOperations = 10_000

    /// Checks the shape of the patch document before anything is applied: a 400 for a body that
    /// is not a JSON array of objects.
    static func decode(_ operations: JSONValue) throws(APIError) -> [Operation] {
        guard case .array(let elements) = operations else {
            throw .badRequest("json: cannot unmarshal \(operations.typeName) into Go value of type jsonpatch.Patch: a JSON patch must be an array of operations such as [{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 3}]")
        }
        guard elements.count <= maximumOperations else {
            throw APIError(code: 413, reason: "RequestEntityTooLarge",
                           message: "Request entity too large: The allowed maximum operations in a JSON patch is \(maximumOperations), got \(elements.count)")
        }
        var result: [Operation] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .object(let fields) = element else {
                throw .badRequest("json: cannot unmarshal \(element.typeName) into Go value of type jsonpatch.Operation: operation \(index) of the JSON patch must be an object")
            }
            result.append(Operation(fields: fields))
        }
        return result
    }
}

/// Why one operation could not be applied.
struct JSONPatchFailure: Error {
    var message: String
    var path: String
}

extension JSONPatch {
    /// One operation as written; its members are checked when it is applied, as the json-patch
    /// library does, so that an unknown `op` is reported with the operation's position intact.
    struct Operation {
        var fields: OrderedDictionary<String, JSONValue>

        var kind: String { fields["op"]?.stringValue ?? "" }

        func pointer(_ member: String) throws(JSONPatchFailure) -> JSONPointer {
            guard let text = fields[member]?.stringValue else {
                throw JSONPatchFailure(message: "\(kind) operation failed to decode \(member): the operation has no \"\(member)\" string", path: "")
            }
            guard let pointer = JSONPointer(text) else {
                throw JSONPatchFailure(message: "\(kind) operation does not apply: \"\(text)\" is not a JSON pointer (it must be empty or start with \"/\")", path: text)
            }
            return pointer
        }

        func value() throws(JSONPatchFailure) -> JSONValue {
            guard let value = fields["value"] else {
                throw JSONPatchFailure(message: "\(kind) operation has no \"value\"", path: fields["path"]?.stringValue ?? "")
            }
            return value
        }

        func apply(to document: inout JSONValue, copyBudget: inout Int) throws(JSONPatchFailure) {
            switch kind {
            case "add":
                let path = try pointer("path")
                try Self.add(try value(), at: path, in: &document, operation: "add")
            case "remove":
                let path = try pointer("path")
                _ = try Self.remove(at: path, in: &document, operation: "remove")
            case "replace":
                let path = try pointer("path")
                let newValue = try value()
                guard Self.value(at: path, in: document) != nil else {
                    throw JSONPatchFailure(message: "replace operation does not apply: doc is missing key: \(path): missing value", path: path.description)
                }
                _ = try Self.remove(at: path, in: &document, operation: "replace")
                try Self.add(newValue, at: path, in: &document, operation: "replace")
            case "move":
                let from = try pointer("from")
                let path = try pointer("path")
                if from == path { return }
                if from.isProperPrefix(of: path) {
                    throw JSONPatchFailure(message: "move operation does not apply: \"from\" \(from) is a parent of \"path\" \(path); a value cannot be moved into itself", path: path.description)
                }
                guard Self.value(at: from, in: document) != nil else {
                    throw JSONPatchFailure(message: "move operation does not apply: doc is missing from path: \(from): missing value", path: from.description)
                }
                let moved = try Self.remove(at: from, in: &document, operation: "move")
                try Self.add(moved, at: path, in: &document, operation: "move")
            case "copy":
                let from = try pointer("from")
                let path = try pointer("path")
                guard let copied = Self.value(at: from, in: document) else {
                    throw JSONPatchFailure(message: "copy operation does not apply: doc is missing from path: \(from): missing value", path: from.description)
                }
                copyBudget -= JSONValue.valueCount(of: copied, atMost: copyBudget + 1)
                guard copyBudget >= 0 else {
                    throw JSONPatchFailure(message: "Unable to complete the copy, the accumulated size increase of copy is greater than the limit of \(JSONPatch.maximumCopiedValues) values; copy less, or add the values themselves", path: path.description)
                }
                try Self.add(copied, at: path, in: &document, operation: "copy")
            case "test":
                let path = try pointer("path")
                let expected = try value()
                guard let actual = Self.value(at: path, in: document), actual.isJSONEqual(to: expected) else {
                    throw JSONPatchFailure(message: "testing value \(path) failed: test failed", path: path.description)
                }
            default:
                throw JSONPatchFailure(message: "Unexpected kind: \(kind.isEmpty ? "(no \"op\")" : kind); supported operations are add, remove, replace, move, copy and test", path: fields["path"]?.stringValue ?? "")
            }
        }

        /// The value a pointer designates, if any.
        static func value(at pointer: JSONPointer, in document: JSONValue) -> JSONValue? {
            var current = document
            for token in pointer.tokens {
                switch current {
                case .object(let members):
                    guard let next = members[token] else { return nil }
                    current = next
                case .array(let elements):
                    guard let index = JSONPointer.arrayIndex(token), elements.indices.contains(index) else { return nil }
                    current = elements[index]
                default:
                    return nil
                }
            }
            return current
        }

        /// RFC 6902 §4.1: adds a member, inserts into an array (`-` appends), or replaces the
        /// whole document for the empty pointer.
        static func add(_ newValue: JSONValue, at pointer: JSONPointer, in document: inout JSONValue, operation: String) throws(JSONPatchFailure) {
            guard let last = pointer.tokens.last else {
                document = newValue
                return
            }
            try withParent(of: pointer, in: &document, operation: operation) { (parent: inout JSONValue) throws(JSONPatchFailure) in
                switch parent {
                case .object(var members):
                    parent = .null
                    members[last] = newValue
                    parent = .object(members)
                case .array(var elements):
                    let index: Int
                    if last == "-" {
                        index = elements.count
                    } else if let parsed = JSONPointer.arrayIndex(last), parsed <= elements.count {
                        index = parsed
                    } else {
                        throw JSONPatchFailure(message: "error in \(operation) for path: '\(pointer)': Unable to access invalid index: \(last): invalid index referenced", path: pointer.description)
                    }
                    parent = .null
                    elements.insert(newValue, at: index)
                    parent = .array(elements)
                default:
                    throw JSONPatchFailure(message: "\(operation) operation does not apply: doc is missing path: \"\(pointer)\": missing value", path: pointer.description)
                }
            }
        }

        /// RFC 6902 §4.2: removes and returns the value at `pointer`, which must exist.
        static func remove(at pointer: JSONPointer, in document: inout JSONValue, operation: String) throws(JSONPatchFailure) -> JSONValue {
            guard let last = pointer.tokens.last else {
                let whole = document
                document = .null
                return whole
            }
            var removed: JSONValue = .null
            try withParent(of: pointer, in: &document, operation: operation) { (parent: inout JSONValue) throws(JSONPatchFailure) in
                switch parent {
                case .object(var members):
                    guard let value = members.removeValue(forKey: last) else {
                        throw JSONPatchFailure(message: "error in \(operation) for path: '\(pointer)': Unable to remove nonexistent key: \(last): missing value", path: pointer.description)
                    }
                    removed = value
                    parent = .object(members)
                case .array(var elements):
                    guard let index = JSONPointer.arrayIndex(last), elements.indices.contains(index) else {
                        throw JSONPatchFailure(message: "error in \(operation) for path: '\(pointer)': Unable to access invalid index: \(last): invalid index referenced", path: pointer.description)
                    }
                    parent = .null
                    removed = elements.remove(at: index)
                    parent = .array(elements)
                default:
                    throw JSONPatchFailure(message: "\(operation) operation does not apply: doc is missing path: \"\(pointer)\": missing value", path: pointer.description)
                }
            }
            return removed
        }

        /// Walks to the container holding the pointer's last token and lets `body` change it.
        static func withParent(
            of pointer: JSONPointer, in document: inout JSONValue, operation: String,
            _ body: (inout JSONValue) throws(JSONPatchFailure) -> Void
        ) throws(JSONPatchFailure) {
            try descend(pointer.tokens.dropLast(), in: &document, pointer: pointer, operation: operation, body)
        }

        private static func descend(
            _ tokens: ArraySlice<String>, in node: inout JSONValue, pointer: JSONPointer, operation: String,
            _ body: (inout JSONValue) throws(JSONPatchFailure) -> Void
        ) throws(JSONPatchFailure) {
            guard let token = tokens.first else {
                try body(&node)
                return
            }
            let missing = JSONPatchFailure(message: "\(operation) operation does not apply: doc is missing path: \"\(pointer)\": missing value", path: pointer.description)
            switch node {
            case .object(var members):
                guard var child = members[token] else { throw missing }
                node = .null
                members[token] = .null
                defer { members[token] = child; node = .object(members) }
                try descend(tokens.dropFirst(), in: &child, pointer: pointer, operation: operation, body)
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(token), elements.indices.contains(index) else { throw missing }
                var child = elements[index]
                node = .null
                elements[index] = .null
                defer { elements[index] = child; node = .array(elements) }
                try descend(tokens.dropFirst(), in: &child, pointer: pointer, operation: operation, body)
            default:
                throw missing
            }
        }
    }
}

extension JSONValue {
    /// The number of values in `value` (itself included), counting no further than `limit`:
    /// copies share storage, so a document may hold far more values than memory could.
    static func valueCount(of value: JSONValue, atMost limit: Int) -> Int {
        var count = 0
        var pending = [value]
        while let next = pending.popLast(), count < limit {
            count += 1
            switch next {
            case .array(let elements): pending.append(contentsOf: elements)
            case .object(let members): pending.append(contentsOf: members.values)
            default: break
            }
        }
        return count
    }

    /// The nesting depth of `value` (a scalar is 0, `[]` is 1), looking no deeper than `limit` + 1.
    static func nestingDepth(of value: JSONValue, atMost limit: Int) -> Int {
        var deepest = 0
        var pending: [(JSONValue, Int)] = [(value, 0)]
        while let (next, depth) = pending.popLast() {
            switch next {
            case .array(let elements):
                deepest = max(deepest, depth + 1)
                if deepest > limit { return deepest }
                pending.append(contentsOf: elements.map { ($0, depth + 1) })
            case .object(let members):
                deepest = max(deepest, depth + 1)
                if deepest > limit { return deepest }
                pending.append(contentsOf: members.values.map { ($0, depth + 1) })
            default: break
            }
        }
        return deepest
    }
}
