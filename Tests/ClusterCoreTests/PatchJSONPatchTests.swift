@testable import ClusterCore
import JSON
import Testing

private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

/// One example of RFC 6902 appendix A: a document, a patch, and the result or failure.
struct JSONPatchExample: Sendable, CustomTestStringConvertible {
    var name: String
    var document: String
    var patch: String
    /// `nil` when the patch must be refused.
    var expected: String?
    var testDescription: String { name }
}

@Suite("Patch: JSON patch (RFC 6902)")
struct PatchJSONPatchTests {
    static let appendixA: [JSONPatchExample] = [
        .init(name: "A.1 adding an object member", document: #"{"foo":"bar"}"#,
              patch: #"[{"op":"add","path":"/baz","value":"qux"}]"#, expected: #"{"baz":"qux","foo":"bar"}"#),
        .init(name: "A.2 adding an array element", document: #"{"foo":["bar","baz"]}"#,
              patch: #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, expected: #"{"foo":["bar","qux","baz"]}"#),
        .init(name: "A.3 removing an object member", document: #"{"baz":"qux","foo":"bar"}"#,
              patch: #"[{"op":"remove","path":"/baz"}]"#, expected: #"{"foo":"bar"}"#),
        .init(name: "A.4 removing an array element", document: #"{"foo":["bar","qux","baz"]}"#,
              patch: #"[{"op":"remove","path":"/foo/1"}]"#, expected: #"{"foo":["bar","baz"]}"#),
        .init(name: "A.5 replacing a value", document: #"{"baz":"qux","foo":"bar"}"#,
              patch: #"[{"op":"replace","path":"/baz","value":"boo"}]"#, expected: #"{"baz":"boo","foo":"bar"}"#),
        .init(name: "A.6 moving a value", document: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
              patch: #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
              expected: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        .init(name: "A.7 moving an array element", document: #"{"foo":["all","grass","cows","eat"]}"#,
              patch: #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, expected: #"{"foo":["all","cows","eat","grass"]}"#),
        .init(name: "A.8 testing a value: success", document: #"{"baz":"qux","foo":["a",2,"c"]}"#,
              patch: #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
              expected: #"{"baz":"qux","foo":["a",2,"c"]}"#),
        .init(name: "A.9 testing a value: error", document: #"{"baz":"qux"}"#,
              patch: #"[{"op":"test","path":"/baz","value":"bar"}]"#, expected: nil),
        .init(name: "A.10 adding a nested member object", document: #"{"foo":"bar"}"#,
              patch: #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, expected: #"{"foo":"bar","child":{"grandchild":{}}}"#),
        .init(name: "A.11 ignoring unrecognized elements", document: #"{"foo":"bar"}"#,
              patch: #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, expected: #"{"foo":"bar","baz":"qux"}"#),
        .init(name: "A.12 adding to a nonexistent target", document: #"{"foo":"bar"}"#,
              patch: #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, expected: nil),
        .init(name: "A.14 ~ escape ordering", document: #"{"/":9,"~1":10}"#,
              patch: #"[{"op":"test","path":"/~01","value":10}]"#, expected: #"{"/":9,"~1":10}"#),
        .init(name: "A.15 comparing strings and numbers", document: #"{"/":9,"~1":10}"#,
              patch: #"[{"op":"test","path":"/~01","value":"10"}]"#, expected: nil),
        .init(name: "A.16 adding an array value", document: #"{"foo":["bar"]}"#,
              patch: #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, expected: #"{"foo":["bar",["abc","def"]]}"#),
    ]

    @Test("RFC 6902 appendix A", arguments: appendixA)
    func appendixExample(_ example: JSONPatchExample) throws {
        let document = try parse(example.document)
        let patch = try parse(example.patch)
        if let expected = example.expected {
            let result = try JSONPatch.apply(patch, to: document)
            #expect(result.isJSONEqual(to: try parse(expected)), "got \(result)")
        } else {
            let error = #expect(throws: APIError.self) { try JSONPatch.apply(patch, to: document) }
            #expect(error?.code == 422)
        }
    }

    @Test("a failed test is a 422 naming the path, as the API server answers")
    func failedTestWording() throws {
        let document = try parse(#"{"spec":{"replicas":2}}"#)
        let patch = try parse(#"[{"op":"test","path":"/spec/replicas","value":3},{"op":"replace","path":"/spec/replicas","value":5}]"#)
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(patch, to: document) }
        #expect(error?.code == 422)
        #expect(error?.reason == "Invalid")
        #expect(error?.message == "the server rejected our request due to an error in our request")
        #expect(error?.details?.causes.first?.message == "testing value /spec/replicas failed: test failed")
    }

    @Test("removing a missing member says which key is missing")
    func removeMissing() throws {
        let error = #expect(throws: APIError.self) {
            try JSONPatch.apply(try parse(#"[{"op":"remove","path":"/metadata/labels/app"}]"#), to: try parse(#"{"metadata":{"labels":{}}}"#))
        }
        #expect(error?.details?.causes.first?.message == "error in remove for path: '/metadata/labels/app': Unable to remove nonexistent key: app: missing value")
    }

    @Test("replacing a missing member is refused")
    func replaceMissing() throws {
        let error = #expect(throws: APIError.self) {
            try JSONPatch.apply(try parse(#"[{"op":"replace","path":"/spec/replicas","value":1}]"#), to: try parse(#"{"spec":{}}"#))
        }
        #expect(error?.details?.causes.first?.message == "replace operation does not apply: doc is missing key: /spec/replicas: missing value")
    }

    @Test("a patch that is not a list of operations is a 400")
    func malformedDocument() throws {
        for body in [#"{"op":"add"}"#, #"["add"]"#, #""text""#] {
            let error = #expect(throws: APIError.self) { try JSONPatch.apply(try parse(body), to: .emptyObject) }
            #expect(error?.code == 400, "\(body)")
        }
    }

    @Test("more operations than the API server allows is a 413")
    func tooManyOperations() throws {
        let operation: JSONValue = ["op": "test", "path": "/a", "value": 1]
        let patch = JSONValue.array(Array(repeating: operation, count: JSONPatch.maximumOperations + 1))
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(patch, to: ["a": 1]) }
        #expect(error?.code == 413)
    }

    @Test("an unknown op is refused with the op named")
    func unknownOperation() throws {
        let error = #expect(throws: APIError.self) {
            try JSONPatch.apply(try parse(#"[{"op":"merge","path":"/a","value":1}]"#), to: .emptyObject)
        }
        #expect(error?.code == 422)
        #expect(error?.details?.causes.first?.message.hasPrefix("Unexpected kind: merge") == true)
    }

    @Test("copy duplicates a value and a failure leaves the input untouched")
    func copyAndAtomicity() throws {
        let document = try parse(#"{"spec":{"template":{"metadata":{"labels":{"app":"web"}}}},"metadata":{}}"#)
        let copied = try JSONPatch.apply(try parse(#"[{"op":"copy","from":"/spec/template/metadata/labels","path":"/metadata/labels"}]"#), to: document)
        #expect(copied[path: "metadata", "labels", "app"] == "web")
        #expect(copied[path: "spec", "template", "metadata", "labels", "app"] == "web")

        #expect(throws: APIError.self) {
            try JSONPatch.apply(try parse(#"[{"op":"add","path":"/metadata/x","value":1},{"op":"remove","path":"/nope"}]"#), to: document)
        }
        #expect(document[path: "metadata", "x"] == nil)
    }

    @Test("an index past the end, a leading zero and moving into a child are refused")
    func badIndexes() throws {
        let document = try parse(#"{"a":[1,2],"b":{"c":{}}}"#)
        for patch in [
            #"[{"op":"add","path":"/a/3","value":0}]"#,
            #"[{"op":"remove","path":"/a/01"}]"#,
            #"[{"op":"move","from":"/b","path":"/b/c/d"}]"#,
        ] {
            let error = #expect(throws: APIError.self) { try JSONPatch.apply(try parse(patch), to: document) }
            #expect(error?.code == 422, "\(patch)")
        }
    }

    @Test("copies that double the document are refused once they pass the limit, with a 422 that says so")
    func doublingCopiesAreBounded() throws {
        let document = try parse(#"{"x":"y"}"#)
        // Each copy of the whole document doubles it: forty would make a trillion values.
        let operations = (0..<40).map { JSONValue.object(["op": "copy", "from": "", "path": .string("/k\($0)")]) }
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(.array(operations), to: document) }
        #expect(error?.code == 422)
        #expect(error?.details?.causes.first?.message.contains("accumulated size increase of copy") == true)
        // A few doublings stay well inside the limit.
        let small = try JSONPatch.apply(.array(Array(operations.prefix(3))), to: document)
        #expect(small[path: "k2", "k1", "k0", "x"] == "y")
    }

    @Test("a patch that nests the object deeper than any body may be is refused, so nothing unreadable is stored")
    func nestingBeyondTheParserLimitIsRefused() throws {
        let copies = (0..<(JSONValue.maximumNestingDepth + 5)).map { _ in JSONValue.object(["op": "copy", "from": "", "path": "/a"]) }
        let error = #expect(throws: APIError.self) { try JSONPatch.apply(.array(copies), to: try parse("{}")) }
        #expect(error?.code == 422)
        #expect(error?.details?.causes.first?.message.contains("nests deeper than") == true)
        let shallow = try JSONPatch.apply(.array(Array(copies.prefix(10))), to: try parse("{}"))
        #expect(try JSONValue(parsing: shallow.jsonBytes()) == shallow)
    }
}
