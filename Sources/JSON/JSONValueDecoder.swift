import Foundation

/// Decodes `Decodable` types straight from a parsed `JSONValue`, or from bytes through the
/// project's own parser.
///
/// Why not `JSONDecoder`: the controller decodes every watch event and write response of
/// Deployments, Services and its own resources, and `JSONDecoder` was a quarter of its CPU.
/// Our parser already builds each object's members into a dictionary once; walking that tree
/// costs less than Foundation building its own per keyed container. A member typed as
/// `JSONValue` (unknown fields, custom resources' free-form parts) is handed over as the
/// parsed subtree, not rebuilt through `Decoder` member by member.
///
/// It follows `JSONDecoder`'s default strategies: `Data` is base64, `Date` is
/// `deferredToDate`, `URL` is its string, integers accept a number with no fractional part,
/// and errors are `DecodingError`s with the coding path, so callers' messages stay the same.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoding(value: value, parent: nil, key: nil).unbox(type)
    }

    /// Parses `bytes` (throwing `JSONError` on malformed JSON) and decodes the result.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decode(type, from: JSONValue(parsing: bytes))
    }
}

/// One value being decoded. The coding path is kept as a link to the parent and computed only
/// when an error or a caller asks for it, so the common path allocates nothing for it.
private final class JSONValueDecoding: Decoder {
    let value: JSONValue
    let parent: JSONValueDecoding?
    let key: (any CodingKey)?

    init(value: JSONValue, parent: JSONValueDecoding?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: JSONValueDecoding? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw mismatch([String: Any].self, value)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw mismatch([Any].self, value)
        }
        return UnkeyedContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(decoder: self) }

    func mismatch(_ expected: Any.Type, _ found: JSONValue, path: [any CodingKey]? = nil) -> DecodingError {
        let context = DecodingError.Context(codingPath: path ?? codingPath,
                                            debugDescription: "Expected to decode \(expected) but found \(found.kindDescription) instead.")
        if case .null = found { return .valueNotFound(expected, context) }
        return .typeMismatch(expected, context)
    }

    /// Decodes `value` (this decoder's own) as `T`, taking the short paths for the types that
    /// need no `Decoder` at all.
    func unbox<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == String.self { return try unboxString() as! T }
        if T.self == Int.self { return try unboxInteger(Int.self) as! T }
        if T.self == Bool.self { return try unboxBool() as! T }
        if T.self == Double.self { return try unboxDouble() as! T }
        if T.self == Data.self { return try unboxData() as! T }
        if T.self == URL.self { return try unboxURL() as! T }
        return try T(from: self)
    }

    /// Decodes a member or element: a child decoder only when the type needs one.
    func unbox<T: Decodable>(_ type: T.Type, child: JSONValue, key: any CodingKey) throws -> T {
        switch child {
        case .string(let text) where T.self == String.self: return text as! T
        case .int(let number) where T.self == Int.self: return number as! T
        case .bool(let flag) where T.self == Bool.self: return flag as! T
        default:
            if T.self == JSONValue.self { return child as! T }
            return try JSONValueDecoding(value: child, parent: self, key: key).unbox(type)
        }
    }

    func unboxString() throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value) }
        return text
    }

    func unboxBool() throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value) }
        return flag
    }

    func unboxDouble() throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch(Double.self, value)
        }
    }

    func unboxFloat() throws -> Float {
        let number = try unboxDouble()
        guard number.isNaN || number.isInfinite || abs(number) <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "Parsed JSON number <\(number)> does not fit in Float."))
        }
        return Float(number)
    }

    func unboxInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch value {
        case .int(let number):
            if let exact = I(exactly: number) { return exact }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "Parsed JSON number <\(number)> does not fit in \(I.self)."))
        case .double(let number):
            if let exact = I(exactly: number) { return exact }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "Parsed JSON number <\(number)> does not fit in \(I.self)."))
        default:
            throw mismatch(I.self, value)
        }
    }

    func unboxData() throws -> Data {
        guard case .string(let text) = value else { throw mismatch(Data.self, value) }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    func unboxURL() throws -> URL {
        guard case .string(let text) = value else { throw mismatch(URL.self, value) }
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid URL string."))
        }
        return url
    }
}

extension JSONValue {
    /// How a value is named in a type mismatch, as `JSONDecoder` words it.
    fileprivate var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "a dictionary"
        }
    }
}

/// A member name used only in coding paths (array positions, super coders), by the decoder and
/// the encoder alike.
struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
    static let `super` = PathKey(stringValue: "super")
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoding
    let members: OrderedDictionary<String, JSONValue>

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                       debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let value = try member(key)
        if case .bool(let flag) = value { return flag }
        throw decoder.mismatch(Bool.self, value, path: codingPath + [key])
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try member(key)
        if case .string(let text) = value { return text }
        throw decoder.mismatch(String.self, value, path: codingPath + [key])
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        let value = try member(key)
        if case .int(let number) = value { return number }
        return try decoder.unbox(Int.self, child: value, key: key)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.unbox(Double.self, child: member(key), key: key)
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try JSONValueDecoding(value: member(key), parent: decoder, key: key).unboxFloat()
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<I: FixedWidthInteger>(_ key: Key) throws -> I {
        try JSONValueDecoding(value: member(key), parent: decoder, key: key).unboxInteger(I.self)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unbox(type, child: member(key), key: key)
    }

    /// Absent and `null` are both "not present", as in `JSONDecoder`.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try decoder.unbox(type, child: value, key: key)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue] else { return nil }
        switch value {
        case .null: return nil
        case .string(let text): return text
        default: throw decoder.mismatch(String.self, value, path: codingPath + [key])
        }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = members[key.stringValue] else { return nil }
        switch value {
        case .null: return nil
        case .int(let number): return number
        default: return try decoder.unbox(Int.self, child: value, key: key)
        }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue] else { return nil }
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        default: throw decoder.mismatch(Bool.self, value, path: codingPath + [key])
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoding(value: member(key), parent: decoder, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoding(value: member(key), parent: decoder, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoding(value: members["super"] ?? .null, parent: decoder, key: PathKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoding(value: members[key.stringValue] ?? .null, parent: decoder, key: key)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoding
    let elements: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: JSONValueDecoding, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var indexKey: PathKey { PathKey(intValue: currentIndex) }

    private func element(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [indexKey],
                                                          debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if case .null = try element(JSONValue.self) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoded = try decoder.unbox(type, child: element(type), key: indexKey)
        currentIndex += 1
        return decoded
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let value = try element(type)
        guard case .string(let text) = value else { throw decoder.mismatch(String.self, value, path: codingPath + [indexKey]) }
        currentIndex += 1
        return text
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try JSONValueDecoding(value: element(type), parent: decoder, key: indexKey).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try JSONValueDecoding(value: element([JSONValue].self), parent: decoder, key: indexKey).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let nested = JSONValueDecoding(value: try element(JSONValue.self), parent: decoder, key: indexKey)
        currentIndex += 1
        return nested
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoding

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.unboxBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.unboxString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.unboxDouble() }
    func decode(_ type: Float.Type) throws -> Float { try decoder.unboxFloat() }
    func decode(_ type: Int.Type) throws -> Int { try decoder.unboxInteger(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.unboxInteger(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.unboxInteger(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.unboxInteger(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.unboxInteger(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.unboxInteger(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.unboxInteger(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.unboxInteger(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.unboxInteger(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.unboxInteger(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(type) }
}
