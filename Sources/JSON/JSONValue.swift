@_exported import OrderedCollections

/// A JSON-compatible value: what a Kubernetes object is on the wire.
///
/// Objects keep their key order, so that a document read from YAML or JSON and written back
/// looks the way its author wrote it (kubectl users diff these). Integers and doubles are kept
/// apart because Kubernetes distinguishes `replicas: 3` from `cpu: 0.5`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(OrderedDictionary<String, JSONValue>)

    /// An empty object, the usual starting point for building one.
    public static var emptyObject: JSONValue { .object([:]) }
}

extension JSONValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as an integer; a double with no fractional part counts too.
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: OrderedDictionary<String, JSONValue>? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The member `key` of an object; `nil` for a missing key or a non-object. Setting a member
    /// on a non-object turns it into an object; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            var o: OrderedDictionary<String, JSONValue>
            if case .object(let existing) = self { o = existing } else { o = [:] }
            self = .null  // release the storage so that the mutation below does not copy it
            o[key] = newValue
            self = .object(o)
        }
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// Follows a path of object keys: `value[path: "metadata", "name"]`.
    public subscript(path path: String...) -> JSONValue? {
        get { self[pathComponents: path] }
        set { self[pathComponents: path] = newValue }
    }

    public subscript(pathComponents path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            if path.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first] ?? .emptyObject
            if case .object = child {} else { child = .emptyObject }
            child[pathComponents: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }

    /// The name of the JSON type, for error messages ("expected string, got number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
