import Foundation
import JSON

/// Types decoded straight from bytes with the JSON parser rather than through `Decoder`,
/// which is much faster for untyped values.
protocol DirectJSONDecodable {
    static func decodeDirectly(_ bytes: [UInt8]) throws -> Self
}

extension DynamicObject: DirectJSONDecodable {
    static func decodeDirectly(_ bytes: [UInt8]) throws -> DynamicObject {
        DynamicObject(try JSONValue(parsing: bytes))
    }
}

extension ObjectList: DirectJSONDecodable where Item == DynamicObject {
    static func decodeDirectly(_ bytes: [UInt8]) throws -> ObjectList<DynamicObject> {
        let value = try JSONValue(parsing: bytes)
        let metadata = try (value["metadata"] ?? .emptyObject).decode(as: ListMeta.self)
        let items = (value["items"]?.arrayValue ?? []).map(DynamicObject.init)
        return ObjectList(apiVersion: value["apiVersion"]?.stringValue, kind: value["kind"]?.stringValue,
                          metadata: metadata, items: items)
    }
}

enum ResponseDecoding {
    /// Decodes a response body: parsed by the project's parser, typed values then built from
    /// the parsed tree by `JSONValueDecoder`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: @autoclosure () -> String) throws(KubeError) -> T {
        guard !bytes.isEmpty else {
            throw .decoding(.init(what: what(), reason: "the response body is empty"))
        }
        do {
            if let direct = T.self as? any DirectJSONDecodable.Type, let value = try direct.decodeDirectly(bytes) as? T {
                return value
            }
            return try JSONValueDecoder().decode(T.self, from: bytes)
        } catch let error as JSONError {
            throw .decoding(.init(what: what(), reason: error.description))
        } catch {
            throw .decoding(.init(what: what(), reason: DecodingFailureText.describe(error)))
        }
    }

    static func encode<T: Encodable>(_ value: T, what: @autoclosure () -> String) throws(KubeError) -> [UInt8] {
        if let dynamic = value as? DynamicObject { return dynamic.value.jsonBytes() }
        do {
            return try JSONValueEncoder().encodeToBytes(value)
        } catch {
            throw .decoding(.init(what: what(), reason: "cannot be encoded: \(error)"))
        }
    }
}
