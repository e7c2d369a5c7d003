import Testing
import JSON
import YAML

/// Plain scalars resolve as kubectl (go-yaml v3, YAML 1.2 core schema) resolves them.
@Suite struct YAMLCoreSchemaTests {
    static let table: [(String, JSONValue)] = [
        // null
        ("null", .null), ("Null", .null), ("NULL", .null), ("~", .null), ("", .null),
        // booleans: only true/false; YAML 1.1 words stay strings
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
        ("Yes", "Yes"), ("OFF", "OFF"), ("tRUE", "tRUE"),
        // integers
        ("0", 0), ("42", 42), ("-17", -17), ("+5", 5), ("0x1A", 26), ("0X1a", 26), ("-0x10", -16),
        ("0o17", 15), ("0755", 493), ("0b101", 5), ("1_000", 1000),
        ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
        ("18446744073709551615", .double(18446744073709551615)),
        // floats
        ("1.5", 1.5), ("-0.25", -0.25), ("1e3", 1000.0), ("1E3", 1000.0), ("6.02e+23", 6.02e23),
        ("2.5e-3", 0.0025), (".5", 0.5), ("+.5", 0.5), ("1.", 1.0), ("3.0", 3.0), ("089", 89.0),
        (".inf", .double(.infinity)), (".Inf", .double(.infinity)), ("+.INF", .double(.infinity)),
        ("-.inf", .double(-.infinity)), ("-.Inf", .double(-.infinity)),
        ("1e400", "1e400"),
        // strings that merely look numeric
        ("1.2.3", "1.2.3"), ("0x", "0x"), ("0xZZ", "0xZZ"), (".", "."), ("1e", "1e"),
        ("12abc", "12abc"), ("2024-01-31", "2024-01-31"), ("v1", "v1"), ("inf", "inf"), ("nan", "nan"),
        ("1:20", "1:20"), ("-.5.5", "-.5.5"), ("+", "+"),
    ]

    @Test(arguments: table)
    func plainScalar(text: String, expected: JSONValue) throws {
        #expect(try YAML.parse("value: \(text)\n")["value"] == expected)
    }

    @Test func notANumber() throws {
        for text in [".nan", ".NaN", ".NAN"] {
            let value = try YAML.parse("value: \(text)")["value"]
            #expect(value?.doubleValue?.isNaN == true, "\(text)")
        }
    }

    @Test(arguments: ["'true'", "\"123\"", "'null'", "\"\"", "'~'", "\"0x1A\"", "'1e3'", "\".inf\""])
    func quotedScalarsStayStrings(text: String) throws {
        let value = try YAML.parse("value: \(text)")["value"]
        #expect(value?.stringValue != nil, "\(text) → \(String(describing: value))")
    }

    @Test(arguments: ["|\n  123\n", ">\n  true\n", "|-\n  null\n", ">-\n  0x1A\n"])
    func blockScalarsStayStrings(text: String) throws {
        let value = try YAML.parse("value: \(text)")["value"]
        #expect(value?.stringValue != nil, "\(text) → \(String(describing: value))")
    }

    @Test func explicitTagsAreHonoured() throws {
        let doc = try YAML.parse("""
            s: !!str 123
            t: !!str true
            i: !!int "42"
            f: !!float 3
            g: !!float "2.5"
            b: !!bool "false"
            n: !!null ""
            bin: !!binary aGVsbG8=
            custom: !thing 12
            nonSpecific: ! 12
            ts: !!timestamp 2024-01-31
            """)
        #expect(doc["s"] == "123")
        #expect(doc["t"] == "true")
        #expect(doc["i"] == 42)
        #expect(doc["f"] == .double(3))
        #expect(doc["g"] == 2.5)
        #expect(doc["b"] == false)
        #expect(doc["n"] == .null)
        #expect(doc["bin"] == "aGVsbG8=")
        #expect(doc["custom"] == "12")
        #expect(doc["nonSpecific"] == "12")
        #expect(doc["ts"] == "2024-01-31")
    }

    @Test(arguments: ["!!int abc", "!!int 1.5", "!!bool yes", "!!float x", "!!null 0"])
    func valueThatDoesNotFitItsTagIsAnError(text: String) {
        #expect(throws: YAMLError.self) { try YAML.parse("value: \(text)") }
        do {
            _ = try YAML.parse("value: \(text)")
        } catch {
            #expect(error.line == 1)
            #expect(error.column == 8)
            #expect(error.message.contains("cannot read"))
        }
    }

    @Test func nonStringKeysBecomeTheirStringForm() throws {
        let doc = try YAML.parse("1: a\ntrue: b\n~: c\n1.5: d\n0x10: e\n2.0: f\n")
        #expect(doc == ["1": "a", "true": "b", "null": "c", "1.5": "d", "16": "e", "2.0": "f"])
    }

    @Test func kubernetesFileModeIsOctal() throws {
        let doc = try YAML.parse("volumes:\n- secret:\n    defaultMode: 0644\n")
        #expect(doc[path: "volumes"]?[0]?[path: "secret", "defaultMode"] == 420)
    }
}
