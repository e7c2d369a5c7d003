import Foundation
import JSON
import Kube
import Testing

@Suite("Kube watch decoding")
struct KubeWatchDecoderTests {
    static let configMapEvent = #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"11"},"data":{"key":"välue with \n escaped newline"}}}"#
    static let modifiedEvent = #"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"12"},"data":{"key":"2"}}}"#
    static let bookmarkEvent = #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"15","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
    static let deletedEvent = #"{"type":"DELETED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"16"}}}"#
    static let goneEvent = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (15)","reason":"Expired","code":410}}"#

    static var stream: [UInt8] {
        Array([configMapEvent, modifiedEvent, bookmarkEvent, deletedEvent, goneEvent].joined(separator: "\n").utf8) + [UInt8(ascii: "\n")]
    }

    func summary(_ events: [WatchEvent<ConfigMap>]) -> [String] {
        events.map { event in
            switch event {
            case .added(let object), .modified(let object), .deleted(let object):
                return "\(event.type) \(object.metadata.name ?? "?") \(object.metadata.resourceVersion ?? "?")"
            case .bookmark(let bookmark):
                return "BOOKMARK \(bookmark.resourceVersion) \(bookmark.annotations["k8s.io/initial-events-end"] ?? "")"
            case .error(let status):
                return "ERROR \(status.code ?? 0) \(status.reason ?? "")"
            }
        }
    }

    static let expected = ["ADDED a 11", "MODIFIED a 12", "BOOKMARK 15 true", "DELETED a 16", "ERROR 410 Expired"]

    @Test("all events in one chunk are decoded in order")
    func oneChunk() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        let events = try decoder.decode(Self.stream)
        #expect(summary(events) == Self.expected)
        #expect(decoder.pendingByteCount == 0)
        guard case .added(let object) = events.first else {
            Issue.record("expected ADDED first")
            return
        }
        #expect(object.data?["key"] == "välue with \n escaped newline")
    }

    @Test("splitting the stream into two chunks at every byte offset gives the same events")
    func everySplitPoint() throws {
        let bytes = Self.stream
        for offset in 0...bytes.count {
            var decoder = WatchEventDecoder<ConfigMap>()
            var events = try decoder.decode(bytes[0..<offset])
            events += try decoder.decode(bytes[offset...])
            events += try decoder.finish()
            #expect(summary(events) == Self.expected, "split at \(offset)")
        }
    }

    @Test("one byte per chunk gives the same events")
    func byteByByte() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        var events: [WatchEvent<ConfigMap>] = []
        for byte in Self.stream { events += try decoder.decode([byte]) }
        #expect(summary(events) == Self.expected)
    }

    @Test("three-way splits at many offsets, including inside multi-byte UTF-8")
    func threeWaySplits() throws {
        let bytes = Self.stream
        for first in stride(from: 0, through: bytes.count, by: 7) {
            for second in stride(from: first, through: bytes.count, by: 13) {
                var decoder = WatchEventDecoder<ConfigMap>()
                var events = try decoder.decode(bytes[0..<first])
                events += try decoder.decode(bytes[first..<second])
                events += try decoder.decode(bytes[second...])
                #expect(summary(events) == Self.expected)
            }
        }
    }

    @Test("dynamic decoding gives the same events at every split and keeps member order")
    func dynamicEverySplitPoint() throws {
        let bytes = Self.stream
        for offset in 0...bytes.count {
            var decoder = WatchEventDecoder<DynamicObject>()
            var events = try decoder.decode(bytes[0..<offset])
            events += try decoder.decode(bytes[offset...])
            let summary = events.map { event -> String in
                switch event {
                case .added(let object), .modified(let object), .deleted(let object):
                    return "\(event.type) \(object.name ?? "?") \(object.resourceVersion ?? "?")"
                case .bookmark(let bookmark):
                    return "BOOKMARK \(bookmark.resourceVersion) \(bookmark.annotations["k8s.io/initial-events-end"] ?? "")"
                case .error(let status):
                    return "ERROR \(status.code ?? 0) \(status.reason ?? "")"
                }
            }
            #expect(summary == Self.expected, "split at \(offset)")
            #expect(events.first?.object?.value.objectValue.map { Array($0.keys) } == ["apiVersion", "kind", "metadata", "data"])
        }
    }

    @Test("a thousand events in one chunk")
    func manyPerChunk() throws {
        var text = ""
        for index in 0..<1000 {
            text += #"{"type":"ADDED","object":{"metadata":{"name":"cm-\#(index)","resourceVersion":"\#(index)"}}}"# + "\n"
        }
        var decoder = WatchEventDecoder<ConfigMap>()
        let events = try decoder.decode(Array(text.utf8))
        #expect(events.count == 1000)
        #expect(events.last?.object?.metadata.name == "cm-999")
    }

    @Test("a last event without a newline is decoded when the stream ends")
    func trailingEventWithoutNewline() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        #expect(try decoder.decode(Array(Self.modifiedEvent.utf8)).isEmpty)
        #expect(decoder.pendingByteCount == Self.modifiedEvent.utf8.count)
        #expect(summary(try decoder.finish()) == ["MODIFIED a 12"])
    }

    @Test("CRLF line ends and blank keep-alive lines are accepted")
    func crlfAndBlankLines() throws {
        let text = "\r\n\n" + Self.configMapEvent + "\r\n  \n" + Self.deletedEvent + "\r\n"
        var decoder = WatchEventDecoder<ConfigMap>()
        #expect(summary(try decoder.decode(Array(text.utf8))) == ["ADDED a 11", "DELETED a 16"])
    }

    @Test("an ERROR event with 410 carries the Status that marks it as gone")
    func goneErrorEvent() throws {
        var decoder = WatchEventDecoder<DynamicObject>()
        let events = try decoder.decode(Array((Self.goneEvent + "\n").utf8))
        guard case .error(let status) = events.first else {
            Issue.record("expected an ERROR event")
            return
        }
        #expect(status.code == 410)
        #expect(KubeError.api(status).isGone)
        #expect(status.message == "too old resource version: 1 (15)")
    }

    @Test("dynamic objects keep every field of the event object")
    func dynamicEvents() throws {
        var decoder = WatchEventDecoder<DynamicObject>()
        let events = try decoder.decode(Array((Self.configMapEvent + "\n").utf8))
        #expect(events.first?.object?[path: "data", "key"]?.stringValue == "välue with \n escaped newline")
        #expect(events.first?.object?.name == "a")
    }

    @Test("a line that is not a watch event is a decoding error naming the type")
    func garbage() throws {
        var decoder = WatchEventDecoder<ConfigMap>()
        #expect {
            _ = try decoder.decode(Array("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":1}}}\n".utf8))
        } throws: { error in
            guard case KubeError.decoding(let failure) = error else { return false }
            return failure.what.contains("ConfigMap")
        }
        var other = WatchEventDecoder<ConfigMap>()
        #expect(throws: KubeError.self) { _ = try other.decode(Array("{\"type\":\"EXPLODED\",\"object\":{}}\n".utf8)) }
        var broken = WatchEventDecoder<ConfigMap>()
        #expect(throws: KubeError.self) { _ = try broken.decode(Array("not json\n".utf8)) }
    }

    @Test("an event longer than the limit is refused instead of buffered forever")
    func oversizedEvent() throws {
        var decoder = WatchEventDecoder<ConfigMap>(maximumEventSize: 64)
        #expect(throws: KubeError.self) { _ = try decoder.decode([UInt8](repeating: UInt8(ascii: "x"), count: 100)) }
    }

    @Test("the line framer returns lines only once they are complete")
    func framer() throws {
        var framer = LineFramer()
        #expect(try framer.append(Array("ab".utf8)).isEmpty)
        #expect(try framer.append(Array("c\nde\nf".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["abc", "de"])
        #expect(try framer.append(Array("g\n".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["fg"])
        #expect(framer.finish() == nil)
    }
}
