import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"a":null,"b":true,"c":-12,"d":1.5e2,"e":"x\"\u00e9\ud83d\ude00","f":[1,{"g":[]}]}"#)
        #expect(value["a"] == .null)
        #expect(value["b"] == .bool(true))
        #expect(value["c"] == .int(-12))
        #expect(value["d"] == .double(150))
        #expect(value["e"] == .string("x\"é😀"))
        #expect(value["f"]?[1]?["g"] == .array([]))
    }

    @Test func keepsKeyOrderAndRoundTrips() throws {
        let text = #"{"zeta":1,"alpha":{"b":[1,2.5,"s"],"a":false},"mid":"line\nbreak\u0001"}"#
        let value = try JSONValue(parsing: text)
        #expect(value.objectValue?.keys.elements == ["zeta", "alpha", "mid"])
        #expect(value.jsonString() == text)
        #expect(try JSONValue(parsing: value.prettyJSONBytes()) == value)
    }

    @Test func integersStayIntegersAndHugeOnesBecomeDoubles() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(Int.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue(parsing: "3.0") == .double(3))
    }

    @Test(arguments: [
        ("", "empty"), ("{", "end of input"), (#"{"a" 1}"#, "expected ':'"), ("[1,]", "expected a value"),
        ("01", "leading zeros"), (#""\x""#, "invalid escape"), ("tru", "expected true"), ("{} x", "after the end"),
        (#""\ud800""#, "surrogate"), ("[1 2]", "expected ',' or ']'"), ("\"a\u{01}\"", "control character"),
        ("[31e309]", "out of range"), ("-1e400", "out of range"),
    ])
    func malformedInputGivesAPositionedError(input: String, fragment: String) {
        #expect {
            try JSONValue(parsing: input)
        } throws: { error in
            guard let error = error as? JSONError else { return false }
            return error.message.contains(fragment) && error.line >= 1 && error.column >= 1
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONValue(parsing: "{\n  \"a\": 1,\n  \"b\": ?\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 8)
        }
    }

    @Test func refusesPathologicalNesting() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONError.self) { try JSONValue(parsing: deep) }
    }

    @Test func invalidUTF8IsAnError() {
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(throws: JSONError.self) { try JSONValue(parsing: bytes) }
    }

    @Test func pathSubscriptsBuildNestedObjects() {
        var value = JSONValue.emptyObject
        value[path: "metadata", "labels", "app"] = "web"
        value[path: "spec", "replicas"] = 3
        #expect(value.jsonString() == #"{"metadata":{"labels":{"app":"web"}},"spec":{"replicas":3}}"#)
        value[path: "metadata", "labels"] = nil
        #expect(value.jsonString() == #"{"metadata":{},"spec":{"replicas":3}}"#)
    }

    @Test func codableBridgeRoundTrips() throws {
        struct Meta: Codable, Equatable { var name: String; var labels: [String: String]?; var extra: JSONValue? }
        let meta = Meta(name: "web", labels: ["app": "web"], extra: ["x": [1, 2]])
        let value = try JSONValue(encoding: meta)
        #expect(value["name"] == "web")
        #expect(try value.decode(as: Meta.self) == meta)
    }
}
