import Foundation
@testable import Kube
import JSON

extension FuzzTargets {
    /// What the client reads from an API server: watch streams, and error bodies as `Status`.
    static let kube: [FuzzTarget] = [
        FuzzTarget(name: "watch", input: "a split byte, then a watch stream (newline-delimited events)") { bytes in
            guard let first = bytes.first else { return }
            let stream = Array(bytes.dropFirst())
            // The decoder promises the same events for any split of the stream into chunks. A
            // chunk with a bad line throws, dropping the events before it in that chunk (the watch
            // is then restarted from the last event delivered), so a bigger chunk may deliver
            // fewer events before the same error, never different ones.
            let whole = decodeWatch(stream, chunkSize: stream.count + 1)
            let split = decodeWatch(stream, chunkSize: Int(first % 17) + 1)
            require(whole.failure == split.failure, "the error depends on how the stream was split: \(whole) vs \(split)")
            require(whole.failure == nil ? whole.events == split.events : split.events.starts(with: whole.events),
                    "the events depend on how the stream was split: \(whole) vs \(split)")
            // A typed decoder reads the same stream without crashing.
            var typed = WatchEventDecoder<Lease>(maximumEventSize: 1 << 16)
            _ = try? typed.decode(stream)
            _ = try? typed.finish()
        },
        FuzzTarget(name: "status", input: "an HTTP status byte, then an error response body") { bytes in
            guard let first = bytes.first else { return }
            let code = [400, 401, 403, 404, 409, 410, 422, 429, 500, 503, 504, 200][Int(first) % 12]
            let error = KubeError.fromResponse(status: code, body: Array(bytes.dropFirst()))
            _ = error.description
            _ = error.isNotFound
            _ = error.isConflict
        },
    ]

    /// The events, and the error that ended the stream if one did, as text to compare.
    private static func decodeWatch(_ stream: [UInt8], chunkSize: Int) -> (events: [String], failure: String?) {
        var decoder = WatchEventDecoder<DynamicObject>(maximumEventSize: 1 << 16)
        var seen: [String] = []
        var offset = 0
        do {
            while offset < stream.count {
                let end = min(offset + chunkSize, stream.count)
                seen += try decoder.decode(stream[offset..<end]).map(describe)
                offset = end
            }
            seen += try decoder.finish().map(describe)
        } catch {
            return (seen, "\(error)")
        }
        return (seen, nil)
    }

    private static func describe(_ event: WatchEvent<DynamicObject>) -> String {
        "\(event.type) \(event.object.map { String(decoding: $0.value.jsonBytes(), as: UTF8.self) } ?? "")"
    }
}
