import Foundation
import JSON
import Kube

/// Where a list's time goes: fetching the bytes, then decoding them into typed ConfigMaps
/// (the project's parser and `JSONValueDecoder`, what `listAll(ConfigMap.self)` does; Foundation's
/// `JSONDecoder` beside it) or parsing them into `JSONValue` (what the dynamic `listAll` does).
/// Each phase is the best of `runs`.
struct PhaseBreakdown {
    var bytes: Int
    var fetchSeconds: Double
    var typedDecodeSeconds: Double
    var parseSeconds: Double
    /// Foundation's `JSONDecoder` into `ObjectList<ConfigMap>`, reading the buffer in place.
    var foundationDecodeSeconds: Double
    /// `JSONValue(parsing:)`, then ConfigMaps built field by field (`DirectConfigMapMapping`).
    var parseThenMapSeconds: Double
    /// Fetch and typed decode page after page, as `listAll` does, without `KubeClient` around it.
    var interleavedSeconds: Double

    static func measure(_ raw: RawPages, runs: Int) async throws -> PhaseBreakdown {
        var pages = try await raw.fetchAll()
        var fetch = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now
            pages = try await raw.fetchAll()
            fetch = min(fetch, Timing.since(start))
        }
        var typed = Double.infinity
        var parse = Double.infinity
        var foundation = Double.infinity
        var parseThenMap = Double.infinity
        for _ in 0..<runs {
            var start = ContinuousClock.now
            _ = try decodeTyped(pages)
            typed = min(typed, Timing.since(start))
            start = ContinuousClock.now
            _ = try parseValues(pages)
            parse = min(parse, Timing.since(start))
            start = ContinuousClock.now
            _ = try decodeWithFoundation(pages)
            foundation = min(foundation, Timing.since(start))
            start = ContinuousClock.now
            _ = try parseThenMapValues(pages)
            parseThenMap = min(parseThenMap, Timing.since(start))
        }
        var interleaved = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try await raw.fetchEach { page in _ = try decodeTyped([page]) }
            interleaved = min(interleaved, Timing.since(start))
        }
        return PhaseBreakdown(bytes: pages.reduce(0) { $0 + $1.count }, fetchSeconds: fetch,
                              typedDecodeSeconds: typed, parseSeconds: parse,
                              foundationDecodeSeconds: foundation, parseThenMapSeconds: parseThenMap,
                              interleavedSeconds: interleaved)
    }

    /// Decodes as the client does: the project's parser, then `JSONValueDecoder`.
    private static func decodeTyped(_ pages: [[UInt8]]) throws -> Int {
        var count = 0
        for page in pages {
            count += try JSONValueDecoder().decode(ObjectList<ConfigMap>.self, from: page).items.count
        }
        return count
    }

    /// Foundation's `JSONDecoder` reading the response buffer in place.
    private static func decodeWithFoundation(_ pages: [[UInt8]]) throws -> Int {
        let decoder = JSONDecoder()
        var count = 0
        for page in pages {
            count += try page.withUnsafeBytes { raw throws -> Int in
                guard let base = raw.baseAddress else { return 0 }
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
                return try decoder.decode(ObjectList<ConfigMap>.self, from: data).items.count
            }
        }
        return count
    }

    private static func parseValues(_ pages: [[UInt8]]) throws -> Int {
        var count = 0
        for page in pages {
            count += try JSONValue(parsing: page)["items"]?.arrayValue?.count ?? 0
        }
        return count
    }

    private static func parseThenMapValues(_ pages: [[UInt8]]) throws -> Int {
        var count = 0
        for page in pages {
            count += try DirectConfigMapMapping.items(of: JSONValue(parsing: page)).count
        }
        return count
    }

    var json: JSONValue {
        ["bytes": .int(bytes), "fetchSeconds": .double(fetchSeconds), "typedDecodeSeconds": .double(typedDecodeSeconds),
         "parseSeconds": .double(parseSeconds), "foundationDecodeSeconds": .double(foundationDecodeSeconds),
         "parseThenMapSeconds": .double(parseThenMapSeconds), "interleavedSeconds": .double(interleavedSeconds)]
    }
}
