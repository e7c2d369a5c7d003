import Testing
import JSON
import YAML

/// `YAML.parse(YAML.emit(v)) == v` for every value.
@Suite struct YAMLRoundTripTests {
    static let trickyStrings: [String] = [
        "", " ", "  ", "\n", "\n\n", " \n", "\n ", "a\n", "a\n\n", "\na", "\n\na\n", " a\n b", "a \nb",
        "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "NULL", "~", "<<",
        "0", "-0", "+1", "012", "0o17", "0x1f", "0b11", "1_000", "1e3", "1E-3", ".5", "5.", "-.inf", ".NaN",
        "1:20:30", "2024-01-31", "2024-1-2 10:00:00", "1.2.3", "12abc", "-", "--", "---", "...", "- a", "-a",
        "?", "? a", "?a", ":", ": a", ":a", "a:", "a:b", "a: b", "#", "a #b", "a#b", "&x", "*x", "!x", "!!str",
        "|", "||", ">", "'", "''", "\"", "\"\"", "%", "%YAML", "@", "`", ",", "[", "]", "{", "}", "[a, b]",
        "{a: b}", "a,b", "\\", "\\n", "tab\t", "\ttab", "cr\r", "\r\n", "\u{0}", "\u{7F}", "\u{85}",
        "\u{A0}", "\u{2028}", "\u{FEFF}x", "\u{FFFE}", "😀", "ünï", "中文", "a\u{301}", "line1\nline2",
        "  indented\nfirst", "x\n  more indented\nback", "trailing\n\n\n", "tabs\tin\nblock", "# not a comment\nx",
        "--- not a marker\nx", "a\n---\nb", "a\n...\nb", String(repeating: "long ", count: 100),
    ]

    @Test(arguments: trickyStrings)
    func trickyStringRoundTrips(string: String) throws {
        for value: JSONValue in [.string(string), ["k": .string(string)], [.string(string)], .object([string: 1]),
            ["list": [["a": .string(string), "b": .string(string)]]]]
        {
            let text = YAML.emit(value)
            #expect(try YAML.parse(text) == value, "\(text)")
        }
    }

    @Test(arguments: [0.0, -0.0, 1.0, -1.0, 0.1, 1e-7, 1.5e300, 123456789.0, 1e15, 1e16, 5e-324,
        Double.greatestFiniteMagnitude, .infinity, -.infinity, 3.141592653589793])
    func doublesStayDoubles(double: Double) throws {
        let back = try YAML.parse(YAML.emit(["d": .double(double)]))["d"]
        guard case .double(let d) = back else {
            Issue.record("\(double) read back as \(String(describing: back))")
            return
        }
        #expect(d == double)
        #expect(d.sign == double.sign)
    }

    @Test func nanStaysNaN() throws {
        #expect(try YAML.parse(YAML.emit(.double(.nan))).doubleValue?.isNaN == true)
    }

    @Test(arguments: [Int.min, Int.max, 0, -1, 493])
    func integersStayIntegers(int: Int) throws {
        #expect(try YAML.parse(YAML.emit([.int(int)])) == [.int(int)])
    }

    /// Many random values built from tricky pieces: each must read back as itself.
    @Test func randomValuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 2024)
        for iteration in 0..<3000 {
            let value = RandomValue.make(depth: 4, using: &generator)
            let text = YAML.emit(value)
            let back = try YAML.parse(text)
            #expect(back == value, "iteration \(iteration):\n\(text)")
            if back != value { return }
        }
    }

    @Test func randomStreamsRoundTrip() throws {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<100 {
            let documents = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                RandomValue.make(depth: 3, using: &generator)
            }
            #expect(try YAML.parseAll(YAML.emitAll(documents)) == documents)
        }
    }

    @Test func largeListIsReadInOnePass() throws {
        let items: [JSONValue] = (0..<5000).map { i in
            ["metadata": ["name": .string("cm-\(i)"), "labels": ["index": .string("\(i)")]],
             "data": ["key": .string(String(repeating: "v", count: 100)), "n": .int(i)]]
        }
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(items)]
        #expect(try YAML.parse(YAML.emit(list)) == list)
    }
}

/// Random JSON values whose strings come mostly from a list of YAML-hostile pieces.
enum RandomValue {
    static let pieces = YAMLRoundTripTests.trickyStrings + ["a", "b", "key", " ", "\n", ":", "#", "-", "'", "\"", "\t"]

    static let characters = Array("ab01.ex+-_:#'\"|>[]{},&*!%@`?~\\ \n\t\r\u{0}\u{85}\u{A0}\u{2028}\u{FEFF}é😀".unicodeScalars)

    /// Half the time a concatenation of hostile pieces, otherwise hostile characters one by one.
    static func string(using generator: inout SeededGenerator) -> String {
        if Bool.random(using: &generator) {
            let count = Int.random(in: 0...3, using: &generator)
            return (0..<count).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &generator)] }.joined()
        }
        let count = Int.random(in: 0...8, using: &generator)
        let scalars = (0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] }
        return String(String.UnicodeScalarView(scalars))
    }

    static func make(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...63, using: &generator))
        case 3:
            let magnitude = Double.random(in: -1...1, using: &generator) * pow10(Int.random(in: -30...30, using: &generator))
            return .double(Bool.random(using: &generator) ? magnitude : magnitude.rounded())
        case 4, 5: return .string(string(using: &generator))
        case 6:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in make(depth: depth - 1, using: &generator) })
        default:
            var members: OrderedDictionary<String, JSONValue> = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                members[string(using: &generator)] = make(depth: depth - 1, using: &generator)
            }
            return .object(members)
        }
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }
}

/// A deterministic generator (SplitMix64) so that a failing case is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
