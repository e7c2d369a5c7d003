/// Writes protobuf wire format (proto3: fields at their default value are left out), for
/// documents the API server sends in protobuf and whose Go types have no Swift counterpart.
/// https://protobuf.dev/programming-guides/encoding/
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2
    }

    mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A string field; nil and "" are left out.
    mutating func string(_ field: Int, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        key(field, .lengthDelimited)
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// One string per element, as proto3 writes `repeated string`.
    mutating func strings(_ field: Int, _ values: [String]) {
        for value in values {
            key(field, .lengthDelimited)
            let utf8 = Array(value.utf8)
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func bool(_ field: Int, _ value: Bool?) {
        guard value == true else { return }
        key(field, .varint)
        varint(1)
    }

    /// An int64 field; negative values take ten bytes, as in Go.
    mutating func int64(_ field: Int, _ value: Int?) {
        guard let value, value != 0 else { return }
        key(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    mutating func double(_ field: Int, _ value: Double?) {
        guard let value, value != 0 else { return }
        key(field, .fixed64)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    /// An embedded message, written even when empty: its presence is its meaning.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        key(field, .lengthDelimited)
        varint(UInt64(nested.bytes.count))
        bytes.append(contentsOf: nested.bytes)
    }
}
