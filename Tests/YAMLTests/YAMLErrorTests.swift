import Testing
import JSON
import YAML

/// Malformed input is a `YAMLError` that says what is wrong and where.
@Suite struct YAMLErrorTests {
    private func error(parsing text: String) -> YAMLError? {
        do {
            _ = try YAML.parseAll(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func tabIndentation() throws {
        let e = try #require(error(parsing: "a:\n\tb: 1\n"))
        #expect(e.line == 2)
        #expect(e.column == 1)
        #expect(e.message.contains("cannot start any token"))
        #expect(e.message.contains("indented with spaces"))
    }

    @Test func mappingValueInPlainScalar() throws {
        let e = try #require(error(parsing: "key: value: other\n"))
        #expect(e.line == 1)
        #expect(e.column == 11)
        #expect(e.message.contains("mapping values are not allowed in this context"))
    }

    @Test func unclosedDoubleQuote() throws {
        let e = try #require(error(parsing: "a: 1\nb: \"never closed\n"))
        #expect(e.line == 3)
        #expect(e.message.contains("unexpected end of stream"))
        #expect(e.message.contains("quoted scalar"))
        #expect(e.message.contains("line 2, column 4"))
    }

    @Test func unclosedSingleQuote() throws {
        let e = try #require(error(parsing: "a: 'open\n"))
        #expect(e.message.contains("quoted scalar"))
    }

    @Test func badIndentation() throws {
        let e = try #require(error(parsing: "a:\n    b: 1\n  c: 2\n"))
        #expect(e.line == 3)
        #expect(e.column == 3)
        #expect(e.message.contains("did not find expected key"))
    }

    @Test func sequenceItemInMapping() throws {
        let e = try #require(error(parsing: "a: 1\n- b\n"))
        #expect(e.line == 2)
        #expect(e.column == 1)
    }

    @Test func unclosedFlowSequence() throws {
        let e = try #require(error(parsing: "a: [1, 2\nb: 3\n"))
        #expect(e.line >= 2)
        #expect(!e.message.isEmpty)
    }

    @Test func invalidUTF8() throws {
        let bytes: [UInt8] = Array("a: ok\nb: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        do {
            _ = try YAML.parse(bytes: bytes)
            Issue.record("expected an error")
        } catch {
            // libyaml points at the offending byte: the second byte of the broken sequence.
            #expect(error.line == 2)
            #expect(error.column == 5)
            #expect(error.message.contains("invalid trailing UTF-8 octet"))
        }
    }

    @Test(arguments: [[0xFF], [0x80, 0x41], [0xE2, 0x82], [0xF0, 0x9F, 0x98]] as [[UInt8]])
    func invalidUTF8NeverCrashes(tail: [UInt8]) {
        #expect(throws: YAMLError.self) { try YAML.parseAll(bytes: Array("x: ".utf8) + tail) }
    }

    @Test func controlCharacters() throws {
        let e = try #require(error(parsing: "a: b\u{01}c\n"))
        #expect(e.line == 1)
        #expect(e.column == 5)
        #expect(e.message.contains("control characters"))
    }

    @Test func descriptionNamesThePosition() throws {
        let e = try #require(error(parsing: "a: b: c"))
        #expect(e.description.hasPrefix("invalid YAML at line 1, column 5: "))
    }

    @Test func arbitraryGarbageNeverCrashes() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("ab:-?[]{},&*!|>'\"%@#\n \t\\.0123~<".unicodeScalars)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }))
            _ = try? YAML.parseAll(text)
        }
    }
}
