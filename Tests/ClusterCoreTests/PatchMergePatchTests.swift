@testable import ClusterCore
import JSON
import Testing

/// One example of RFC 7386 appendix A.
struct MergePatchExample: Sendable, CustomTestStringConvertible {
    var original: String
    var patch: String
    var result: String
    var testDescription: String { "\(original) + \(patch)" }
}

@Suite("Patch: JSON merge patch (RFC 7386)")
struct PatchMergePatchTests {
    static let appendixA: [MergePatchExample] = [
        .init(original: #"{"a":"b"}"#, patch: #"{"a":"c"}"#, result: #"{"a":"c"}"#),
        .init(original: #"{"a":"b"}"#, patch: #"{"b":"c"}"#, result: #"{"a":"b","b":"c"}"#),
        .init(original: #"{"a":"b"}"#, patch: #"{"a":null}"#, result: #"{}"#),
        .init(original: #"{"a":"b","b":"c"}"#, patch: #"{"a":null}"#, result: #"{"b":"c"}"#),
        .init(original: #"{"a":["b"]}"#, patch: #"{"a":"c"}"#, result: #"{"a":"c"}"#),
        .init(original: #"{"a":"c"}"#, patch: #"{"a":["b"]}"#, result: #"{"a":["b"]}"#),
        .init(original: #"{"a":{"b":"c"}}"#, patch: #"{"a":{"b":"d","c":null}}"#, result: #"{"a":{"b":"d"}}"#),
        .init(original: #"{"a":[{"b":"c"}]}"#, patch: #"{"a":[1]}"#, result: #"{"a":[1]}"#),
        .init(original: #"["a","b"]"#, patch: #"["c","d"]"#, result: #"["c","d"]"#),
        .init(original: #"{"a":"b"}"#, patch: #"["c"]"#, result: #"["c"]"#),
        .init(original: #"{"a":"foo"}"#, patch: #"null"#, result: #"null"#),
        .init(original: #"{"a":"foo"}"#, patch: #""bar""#, result: #""bar""#),
        .init(original: #"{"e":null}"#, patch: #"{"a":1}"#, result: #"{"e":null,"a":1}"#),
        .init(original: #"[1,2]"#, patch: #"{"a":"b","c":null}"#, result: #"{"a":"b"}"#),
        .init(original: #"{}"#, patch: #"{"a":{"bb":{"ccc":null}}}"#, result: #"{"a":{"bb":{}}}"#),
    ]

    @Test("RFC 7386 appendix A", arguments: appendixA)
    func appendixExample(_ example: MergePatchExample) throws {
        let result = MergePatch.apply(try JSONValue(parsing: example.patch), to: try JSONValue(parsing: example.original))
        #expect(result == (try JSONValue(parsing: example.result)), "got \(result)")
    }

    @Test("kubectl patch --type merge of labels keeps the other labels and member order")
    func labels() throws {
        let live = try JSONValue(parsing: #"{"metadata":{"name":"web","labels":{"app":"web","tier":"front"}},"spec":{"replicas":1}}"#)
        let result = MergePatch.apply(try JSONValue(parsing: #"{"metadata":{"labels":{"tier":null,"team":"a"}}}"#), to: live)
        #expect(result == (try JSONValue(parsing: #"{"metadata":{"name":"web","labels":{"app":"web","team":"a"}},"spec":{"replicas":1}}"#)))
    }
}
