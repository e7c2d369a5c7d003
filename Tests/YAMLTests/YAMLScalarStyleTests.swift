import Testing
import JSON
import YAML

/// Every way of writing a scalar reads back as the string its author meant.
@Suite struct YAMLScalarStyleTests {
    @Test func plainScalars() throws {
        let doc = try YAML.parse("""
            a: hello world
            b: http://example.com:8080/path?q=1#frag
            c: a#b
            d: -dash
            e: with 'quotes' inside
            f: unicode ünïcødé ✓ 🚀
            g:   padded value   
            h: multi
              line plain
            """)
        #expect(doc["a"] == "hello world")
        #expect(doc["b"] == "http://example.com:8080/path?q=1#frag")
        #expect(doc["c"] == "a#b")
        #expect(doc["d"] == "-dash")
        #expect(doc["e"] == "with 'quotes' inside")
        #expect(doc["f"] == "unicode ünïcødé ✓ 🚀")
        #expect(doc["g"] == "padded value")
        #expect(doc["h"] == "multi line plain")
    }

    @Test func plainScalarStopsAtComment() throws {
        #expect(try YAML.parse("a: value # a comment\n") == ["a": "value"])
    }

    @Test func singleQuoted() throws {
        let doc = try YAML.parse("""
            a: 'it''s'
            b: '  spaces  '
            c: 'no \\escapes\\n here'
            d: 'folded
              onto one line'
            e: ''
            """)
        #expect(doc["a"] == "it's")
        #expect(doc["b"] == "  spaces  ")
        #expect(doc["c"] == #"no \escapes\n here"#)
        #expect(doc["d"] == "folded onto one line")
        #expect(doc["e"] == "")
    }

    @Test func doubleQuotedEscapes() throws {
        let doc = try YAML.parse(#"""
            a: "tab\there"
            b: "line\nbreak"
            c: "quote \" and backslash \\"
            d: "\x41\u00e9\U0001F600"
            e: "\0\a\b\e\f\r\v"
            f: "\N\_\L\P"
            g: "joined \
              line"
            h: "\/"
            """#)
        #expect(doc["a"] == "tab\there")
        #expect(doc["b"] == "line\nbreak")
        #expect(doc["c"] == "quote \" and backslash \\")
        #expect(doc["d"] == "Aé😀")
        #expect(doc["e"] == "\0\u{07}\u{08}\u{1B}\u{0C}\r\u{0B}")
        #expect(doc["f"] == "\u{85}\u{A0}\u{2028}\u{2029}")
        #expect(doc["g"] == "joined line")
        #expect(doc["h"] == "/")
    }

    @Test func literalBlockWithChomping() throws {
        let doc = try YAML.parse("""
            clip: |
              line one
                indented
              line three

            strip: |-
              no trailing newline
            keep: |+
              keeps

            indicator: |2
                leading spaces
            end: x
            """)
        #expect(doc["clip"] == "line one\n  indented\nline three\n")
        #expect(doc["strip"] == "no trailing newline")
        #expect(doc["keep"] == "keeps\n\n")
        #expect(doc["indicator"] == "  leading spaces\n")
        #expect(doc["end"] == "x")
    }

    @Test func foldedBlockWithChomping() throws {
        let doc = try YAML.parse("""
            clip: >
              folded
              into one

              paragraph two
            strip: >-
              a
              b
            keep: >+
              c

            more: >
              text
                kept as is
              after
            end: x
            """)
        #expect(doc["clip"] == "folded into one\nparagraph two\n")
        #expect(doc["strip"] == "a b")
        #expect(doc["keep"] == "c\n\n")
        #expect(doc["more"] == "text\n  kept as is\nafter\n")
    }
}
