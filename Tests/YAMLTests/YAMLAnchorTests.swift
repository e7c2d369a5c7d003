import Testing
import JSON
import YAML

/// Anchors, aliases and merge keys, and the limits that stop alias bombs and deep nesting.
@Suite struct YAMLAnchorTests {
    @Test func aliasesRepeatTheAnchoredNode() throws {
        let doc = try YAML.parse("""
            base: &labels
              app: web
              tier: front
            copy: *labels
            list: [&x 1, *x, *x]
            scalar: &s hello
            again: *s
            """)
        #expect(doc["copy"] == ["app": "web", "tier": "front"])
        #expect(doc["list"] == [1, 1, 1])
        #expect(doc["again"] == "hello")
    }

    @Test func anchorsCanBeRedefined() throws {
        #expect(try YAML.parse("- &a 1\n- *a\n- &a 2\n- *a\n") == [1, 1, 2, 2])
    }

    @Test func mergeKeys() throws {
        let doc = try YAML.parse("""
            defaults: &defaults
              adapter: postgres
              host: localhost
              port: 5432
            development:
              database: dev
              <<: *defaults
              host: devhost
            """)
        #expect(doc["development"] == [
            "database": "dev", "adapter": "postgres", "host": "devhost", "port": 5432,
        ])
    }

    @Test func explicitKeysWinOverMergedOnesWhereverTheyAppear() throws {
        let doc = try YAML.parse("""
            base: &b {a: 1, b: 2}
            m:
              a: own
              <<: *b
            """)
        #expect(doc["m"] == ["a": "own", "b": 2])
    }

    @Test func mergeOfSeveralMappingsFirstWins() throws {
        let doc = try YAML.parse("""
            one: &one {x: 1, y: 1}
            two: &two {y: 2, z: 2}
            m:
              <<: [*one, *two]
              w: 0
            inline:
              <<: {k: v}
            """)
        #expect(doc["m"] == ["x": 1, "y": 1, "z": 2, "w": 0])
        #expect(doc["inline"] == ["k": "v"])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        #expect(try YAML.parse("'<<': {a: 1}\n") == ["<<": ["a": 1]])
    }

    @Test func mergeOfAScalarIsAnError() {
        do {
            _ = try YAML.parse("a: &s text\nb:\n  <<: *s\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.contains("merge key"))
        }
    }

    @Test func unknownAliasIsAnError() {
        do {
            _ = try YAML.parse("a: 1\nb: *missing\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 4)
            #expect(error.message.contains("unknown alias '*missing'"))
        }
    }

    @Test func anchorsDoNotCrossDocuments() {
        #expect(throws: YAMLError.self) { try YAML.parseAll("a: &x 1\n---\nb: *x\n") }
    }

    @Test func aliasToItsOwnAncestorIsAnError() {
        #expect(throws: YAMLError.self) { try YAML.parse("&a [*a]\n") }
    }

    @Test func billionLaughsIsRefused() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        do {
            _ = try YAML.parse(text)
            Issue.record("expected the alias bomb to be refused")
        } catch {
            #expect(error.message.contains("more than 1000000 nodes"))
            #expect(error.line > 1)
        }
    }

    @Test func moderateAliasUseIsAccepted() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...3 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let doc = try YAML.parse(text)
        #expect(doc["a3"]?[9]?[9]?[9]?[9] == "x")
    }

    @Test func expansionLimitIsConfigurable() {
        let text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
        #expect(throws: YAMLError.self) {
            try YAML.parse(bytes: Array(text.utf8), limits: .init(maximumAliasExpansion: 10))
        }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        do {
            _ = try YAML.parse(deep)
            Issue.record("expected deep nesting to be refused")
        } catch {
            #expect(error.message.contains("nested deeper than 512"))
        }
        let blockDeep = (0..<600).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(throws: YAMLError.self) { try YAML.parse(blockDeep) }
    }

    @Test func nestingWithinTheLimitIsAccepted() throws {
        let deep = String(repeating: "[", count: 500) + "1" + String(repeating: "]", count: 500)
        var value = try YAML.parse(deep)
        var depth = 0
        while case .array(let inner) = value, let first = inner.first {
            value = first
            depth += 1
        }
        #expect(depth == 500)
        #expect(value == 1)
    }
}
