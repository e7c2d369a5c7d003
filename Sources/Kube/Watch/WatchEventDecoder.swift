import Foundation
import JSON

/// Turns the bytes of a watch response into events as they arrive. Pure: feed it chunks in
/// any split and it yields the same events.
public struct WatchEventDecoder<Object: Decodable & Sendable> {
    private var framer: LineFramer

    public init(maximumEventSize: Int = 256 * 1024 * 1024) {
        framer = LineFramer(maximumLineLength: maximumEventSize)
    }

    /// Bytes of an event not yet complete.
    public var pendingByteCount: Int { framer.pendingByteCount }

    /// The events completed by this chunk, in order.
    public mutating func decode(_ chunk: some Collection<UInt8>) throws(KubeError) -> [WatchEvent<Object>] {
        let lines: [[UInt8]]
        do {
            lines = try framer.append(chunk)
        } catch {
            throw .decoding(.init(what: "watch event", reason: error.message))
        }
        var events: [WatchEvent<Object>] = []
        events.reserveCapacity(lines.count)
        for line in lines { events.append(try decodeLine(line)) }
        return events
    }

    /// The end of the stream: decodes a last event that had no newline.
    public mutating func finish() throws(KubeError) -> [WatchEvent<Object>] {
        guard let line = framer.finish() else { return [] }
        return [try decodeLine(line)]
    }

    private func decodeLine(_ line: [UInt8]) throws(KubeError) -> WatchEvent<Object> {
        if Object.self == DynamicObject.self {
            return try decodeDynamicLine(line)
        }
        do {
            return try JSONValueDecoder().decode(WatchEvent<Object>.self, from: line)
        } catch let error as JSONError {
            throw .decoding(.init(what: "watch event of \(Object.self)", reason: error.description))
        } catch {
            throw .decoding(.init(what: "watch event of \(Object.self)", reason: DecodingFailureText.describe(error)))
        }
    }
}

extension WatchEventDecoder {
    /// Dynamic objects are parsed straight into `JSONValue`: faster than going through
    /// `Decoder`, and the members keep the order the server sent.
    private func decodeDynamicLine(_ line: [UInt8]) throws(KubeError) -> WatchEvent<Object> {
        let what = "watch event"
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw .decoding(.init(what: what, reason: error.description))
        }
        guard let type = value["type"]?.stringValue else {
            throw .decoding(.init(what: what, reason: "missing field type"))
        }
        guard let object = value["object"], case .object = object else {
            throw .decoding(.init(what: what, reason: "missing field object"))
        }
        func wrap(_ make: (Object) -> WatchEvent<Object>) throws(KubeError) -> WatchEvent<Object> {
            guard let dynamic = DynamicObject(object) as? Object else {
                throw .decoding(.init(what: what, reason: "unexpected object type"))
            }
            return make(dynamic)
        }
        switch type {
        case "ADDED": return try wrap { .added($0) }
        case "MODIFIED": return try wrap { .modified($0) }
        case "DELETED": return try wrap { .deleted($0) }
        case "BOOKMARK":
            var annotations: [String: String] = [:]
            for (key, entry) in object[path: "metadata", "annotations"]?.objectValue ?? [:] {
                if let text = entry.stringValue { annotations[key] = text }
            }
            return .bookmark(WatchBookmark(resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue ?? "",
                                           annotations: annotations))
        case "ERROR":
            do {
                return .error(try object.decode(as: Status.self))
            } catch {
                throw .decoding(.init(what: what, reason: "the ERROR event's object is not a Status: \(DecodingFailureText.describe(error))"))
            }
        default:
            throw .decoding(.init(what: what, reason: "unknown watch event type \(type)"))
        }
    }
}

/// Short, body-free wording of a `DecodingError`: which field and what was wrong.
enum DecodingFailureText {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the document" : joined
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return parent == "the document" ? "missing field \(key.stringValue)" : "\(parent): missing field \(key.stringValue)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
