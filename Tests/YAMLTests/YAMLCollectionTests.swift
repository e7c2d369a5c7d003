import Testing
import JSON
import YAML

/// Block and flow collections, multi-document streams, key order and duplicate keys.
@Suite struct YAMLCollectionTests {
    @Test func blockCollections() throws {
        let doc = try YAML.parse("""
            apiVersion: v1
            kind: List
            items:
            - name: a
              ports:
                - 80
                - 443
            - name: b
              labels: {}
              args: []
            -
              - nested
              - - deeper
            """)
        let expected: JSONValue = [
            "apiVersion": "v1", "kind": "List",
            "items": [
                ["name": "a", "ports": [80, 443]],
                ["name": "b", "labels": [:], "args": []],
                ["nested", ["deeper"]],
            ],
        ]
        #expect(doc == expected)
    }

    @Test func flowCollections() throws {
        let doc = try YAML.parse("""
            a: [1, two, "three", {four: 4}, [5]]
            b: {x: 1, "y": [true, null], z: }
            c: [
              multi,
              line,
            ]
            """)
        #expect(doc["a"] == [1, "two", "three", ["four": 4], [5]])
        #expect(doc["b"] == ["x": 1, "y": [true, nil], "z": nil])
        #expect(doc["c"] == ["multi", "line"])
    }

    @Test func jsonIsYAML() throws {
        let doc = try YAML.parse(#"{"kind": "Pod", "spec": {"containers": [{"name": "c\u00e9", "ports": [80, 8.5e1]}]}, "x": null, "y": false}"#)
        #expect(doc == ["kind": "Pod", "spec": ["containers": [["name": "cé", "ports": [80, 85.0]]]], "x": nil, "y": false])
    }

    @Test func keyOrderIsKept() throws {
        let doc = try YAML.parse("zeta: 1\nalpha: 2\nmid: 3\n")
        #expect(doc.objectValue.map { Array($0.keys) } == ["zeta", "alpha", "mid"])
    }

    @Test func duplicateKeysLastValueWins() throws {
        let doc = try YAML.parse("a: 1\nb: 2\na: 3\n")
        #expect(doc == ["a": 3, "b": 2])
        #expect(doc.objectValue.map { Array($0.keys) } == ["a", "b"])
    }

    @Test func explicitKeys() throws {
        #expect(try YAML.parse("? name\n: value\n") == ["name": "value"])
    }

    @Test func complexKeysAreRefused() throws {
        #expect(throws: YAMLError.self) { try YAML.parse("? [a, b]\n: value\n") }
        #expect(throws: YAMLError.self) { try YAML.parse("{a: 1}: value\n") }
    }

    @Test func multiDocumentStream() throws {
        let docs = try YAML.parseAll("""
            ---
            kind: Namespace
            ---
            # only a comment
            ---
            kind: Service
            ...
            ---
            - a
            --- plain
            --- null
            """)
        #expect(docs == [["kind": "Namespace"], ["kind": "Service"], ["a"], "plain", nil])
    }

    @Test func emptyStreams() throws {
        #expect(try YAML.parseAll("") == [])
        #expect(try YAML.parseAll("# nothing\n---\n") == [])
        #expect(try YAML.parse("") == nil)
        #expect(try YAML.parse("---\n# comment only\n") == nil)
    }

    @Test func parseRefusesSeveralDocuments() {
        do {
            _ = try YAML.parse("a: 1\n---\nb: 2\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("single YAML document"))
        }
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: two\r\n".utf8)
        #expect(try YAML.parse(bytes: bytes) == ["a": 1, "b": "two"])
    }

    @Test func documentDirectivesAreAccepted() throws {
        #expect(try YAML.parse("%YAML 1.2\n---\na: 1\n") == ["a": 1])
    }
}
