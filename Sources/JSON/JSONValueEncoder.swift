import Foundation

/// Encodes `Encodable` values straight into a `JSONValue`, the counterpart of
/// `JSONValueDecoder`.
///
/// Why not `JSONEncoder`: every write the controller makes encodes a typed object, and going
/// through Foundation's encoder and then parsing its bytes back (for `JSONValue(encoding:)`)
/// did the work twice. Members keep the order they are encoded in; a member typed as
/// `JSONValue` is taken as it is.
///
/// It follows `JSONEncoder`'s default strategies: `Data` as base64, `Date` as
/// `deferredToDate`, `URL` as its absolute string; a non-finite double is an
/// `EncodingError.invalidValue`, as JSON has no form for it.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONValueEncoding.box(value, path: [])
    }

    /// The JSON text of `value`, written by the project's serializer.
    public func encodeToBytes(_ value: some Encodable) throws -> [UInt8] {
        try encode(value).jsonBytes()
    }
}

/// What an encoder has been given so far: a finished value, or an object or array whose
/// members nested encoders may still add to (hence a reference).
private final class EncodingSlot {
    enum Content {
        case empty
        case value(JSONValue)
        case object(OrderedDictionary<String, EncodingSlot>)
        case array([EncodingSlot])
    }

    var content: Content

    init(_ content: Content = .empty) { self.content = content }

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let members):
            var object = OrderedDictionary<String, JSONValue>(minimumCapacity: members.count)
            for (key, slot) in members { object[key] = slot.value }
            return .object(object)
        case .array(let elements): return .array(elements.map(\.value))
        }
    }
}

private final class JSONValueEncoding: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(slot: EncodingSlot, codingPath: [any CodingKey]) {
        self.slot = slot
        self.codingPath = codingPath
    }

    /// `value` as a JSON value, without an encoder for the types that need none.
    static func box<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSONValue {
        // Comparing type metadata is cheap; a failed dynamic cast per member is not.
        if T.self == JSONValue.self { return value as! JSONValue }
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .int(value as! Int) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Double.self { return try double(value as! Double, path: path) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        let encoder = JSONValueEncoding(slot: EncodingSlot(), codingPath: path)
        try value.encode(to: encoder)
        return encoder.slot.value
    }

    static func double(_ number: Double, path: [any CodingKey]) throws -> JSONValue {
        guard number.isFinite else {
            throw EncodingError.invalidValue(number, .init(codingPath: path, debugDescription: "Unable to encode Double.\(number) directly in JSON."))
        }
        return .double(number)
    }

    static func integer<I: FixedWidthInteger>(_ number: I, path: [any CodingKey]) throws -> JSONValue {
        if let exact = Int(exactly: number) { return .int(exact) }
        return try double(Double(number), path: path)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.content {} else { slot.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.content {} else { slot.content = .array([]) }
        return UnkeyedContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(slot: slot, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        guard case .object(var members) = slot.content else { return }
        slot.content = .empty
        members[key.stringValue] = EncodingSlot(.value(value))
        slot.content = .object(members)
    }

    private func child(_ key: Key, _ content: EncodingSlot.Content) -> EncodingSlot {
        let child = EncodingSlot(content)
        guard case .object(var members) = slot.content else { return child }
        slot.content = .empty
        members[key.stringValue] = child
        slot.content = .object(members)
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try JSONValueEncoding.double(value, path: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try JSONValueEncoding.double(Double(value), path: codingPath + [key]), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(try JSONValueEncoding.integer(value, path: codingPath + [key]), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try JSONValueEncoding.integer(value, path: codingPath + [key]), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try JSONValueEncoding.box(value, path: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedContainer<NestedKey>(slot: child(key, .object([:])), codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedContainer(slot: child(key, .array([])), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let key = PathKey.super
        let child = EncodingSlot()
        if case .object(var members) = slot.content {
            slot.content = .empty
            members["super"] = child
            slot.content = .object(members)
        }
        return JSONValueEncoding(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONValueEncoding(slot: child(key, .empty), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let elements) = slot.content { return elements.count }
        return 0
    }

    private func append(_ child: EncodingSlot) {
        guard case .array(var elements) = slot.content else { return }
        slot.content = .empty
        elements.append(child)
        slot.content = .array(elements)
    }

    private var nextKey: PathKey { PathKey(intValue: count) }

    mutating func encodeNil() throws { append(EncodingSlot(.value(.null))) }
    mutating func encode(_ value: Bool) throws { append(EncodingSlot(.value(.bool(value)))) }
    mutating func encode(_ value: String) throws { append(EncodingSlot(.value(.string(value)))) }
    mutating func encode(_ value: Int) throws { append(EncodingSlot(.value(.int(value)))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(EncodingSlot(.value(try JSONValueEncoding.box(value, path: codingPath + [nextKey]))))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey
        let child = EncodingSlot(.object([:]))
        append(child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        let child = EncodingSlot(.array([]))
        append(child)
        return UnkeyedContainer(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let key = nextKey
        let child = EncodingSlot()
        append(child)
        return JSONValueEncoding(slot: child, codingPath: codingPath + [key])
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { slot.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.content = .value(.string(value)) }
    mutating func encode(_ value: Int) throws { slot.content = .value(.int(value)) }
    mutating func encode(_ value: Double) throws { slot.content = .value(try JSONValueEncoding.double(value, path: codingPath)) }
    mutating func encode(_ value: Float) throws { slot.content = .value(try JSONValueEncoding.double(Double(value), path: codingPath)) }
    mutating func encode(_ value: Int8) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt) throws { slot.content = .value(try JSONValueEncoding.integer(value, path: codingPath)) }
    mutating func encode(_ value: UInt8) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { slot.content = .value(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { slot.content = .value(try JSONValueEncoding.integer(value, path: codingPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        slot.content = .value(try JSONValueEncoding.box(value, path: codingPath))
    }
}
