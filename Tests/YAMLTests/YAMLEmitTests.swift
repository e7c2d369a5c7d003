import Testing
import JSON
import YAML

/// What `YAML.emit` writes: the layout of `kubectl get -o yaml`, quoting only where needed.
@Suite struct YAMLEmitTests {
    @Test func deploymentLooksLikeKubectlOutput() throws {
        let deployment: JSONValue = [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": [
                "name": "web",
                "namespace": "default",
                "labels": ["app": "web", "app.kubernetes.io/version": "1.2.3"],
                "annotations": [
                    "deployment.kubernetes.io/revision": "1",
                    "note": "line one\nline two\n",
                ],
                "creationTimestamp": "2024-01-31T10:00:00Z",
                "generation": 3,
            ],
            "spec": [
                "replicas": 2,
                "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"], "annotations": [:]],
                    "spec": [
                        "containers": [
                            [
                                "name": "web",
                                "image": "nginx:1.25",
                                "args": ["--port=8080", "--verbose"],
                                "ports": [["containerPort": 8080, "protocol": "TCP"]],
                                "env": [
                                    ["name": "ENABLED", "value": "true"],
                                    ["name": "MODE", "value": "yes"],
                                    ["name": "EMPTY", "value": ""],
                                ],
                                "resources": ["limits": ["cpu": 0.5, "memory": "128Mi"]],
                            ],
                        ],
                        "volumes": [],
                        "terminationGracePeriodSeconds": 30,
                    ],
                ],
            ],
            "status": ["conditions": nil, "ready": false],
        ]
        let expected = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: default
              labels:
                app: web
                app.kubernetes.io/version: 1.2.3
              annotations:
                deployment.kubernetes.io/revision: "1"
                note: |
                  line one
                  line two
              creationTimestamp: "2024-01-31T10:00:00Z"
              generation: 3
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                  annotations: {}
                spec:
                  containers:
                  - name: web
                    image: nginx:1.25
                    args:
                    - --port=8080
                    - --verbose
                    ports:
                    - containerPort: 8080
                      protocol: TCP
                    env:
                    - name: ENABLED
                      value: "true"
                    - name: MODE
                      value: "yes"
                    - name: EMPTY
                      value: ""
                    resources:
                      limits:
                        cpu: 0.5
                        memory: 128Mi
                  volumes: []
                  terminationGracePeriodSeconds: 30
            status:
              conditions: null
              ready: false

            """
        let text = YAML.emit(deployment)
        #expect(text == expected)
        #expect(try YAML.parse(text) == deployment)
    }

    static let quoting: [(String, String)] = [
        ("plain", "plain"), ("with space", "with space"), ("http://x:80/a#b", "http://x:80/a#b"),
        ("yes", "\"yes\""), ("No", "\"No\""), ("on", "\"on\""), ("y", "\"y\""),
        ("123", "\"123\""), ("-1.5", "\"-1.5\""), ("0x1A", "\"0x1A\""), ("1e3", "\"1e3\""), ("0755", "\"0755\""),
        ("true", "\"true\""), ("False", "\"False\""), ("null", "\"null\""), ("~", "\"~\""), ("", "\"\""),
        (".inf", "\".inf\""), ("1:20", "\"1:20\""), ("2024-01-31", "\"2024-01-31\""), ("<<", "\"<<\""),
        (" lead", "' lead'"), ("trail ", "'trail '"), ("a: b", "'a: b'"), ("ends:", "'ends:'"),
        ("a #b", "'a #b'"), ("a#b", "a#b"), ("it's", "it's"), ("'quoted'", "'''quoted'''"),
        ("- item", "'- item'"), ("-flag", "-flag"), ("-", "'-'"), ("? q", "'? q'"), ("?q", "?q"),
        (": c", "': c'"), (",", "','"), ("[x]", "'[x]'"), ("]", "']'"), ("{a}", "'{a}'"), ("}", "'}'"),
        ("#c", "'#c'"), ("&a", "'&a'"), ("*a", "'*a'"), ("!t", "'!t'"), ("|", "'|'"), (">", "'>'"),
        ("\"", "'\"'"), ("%d", "'%d'"), ("@x", "'@x'"), ("`x`", "'`x`'"), ("---", "'---'"), ("...", "'...'"),
        ("a,b[c]{d}", "a,b[c]{d}"), ("tab\there", "\"tab\\there\""), ("bell\u{07}", "\"bell\\a\""),
        ("ünïcødé ✓", "ünïcødé ✓"), ("bom\u{FEFF}", "\"bom\\uFEFF\""), ("nel\u{85}", "\"nel\\N\""),
        ("cr\r\nlf", "\"cr\\r\\nlf\""), ("trailing space \nline", "\"trailing space \\nline\""),
    ]

    @Test(arguments: quoting)
    func stringsAreQuotedOnlyWhenNeeded(string: String, written: String) throws {
        let text = YAML.emit(["k": .string(string)])
        #expect(text == "k: \(written)\n")
        #expect(try YAML.parse(text) == ["k": .string(string)])
    }

    @Test func multiLineStringsAreLiteralBlocks() throws {
        let value: JSONValue = [
            "clip": "a\nb\n", "strip": "a\nb", "keep": "a\n\n", "indented": "  x\ny\n",
            "blank": "a\n\nb", "list": ["one\ntwo"],
        ]
        let text = YAML.emit(value)
        #expect(text == """
            clip: |
              a
              b
            strip: |-
              a
              b
            keep: |+
              a

            indented: |2
                x
              y
            blank: |-
              a

              b
            list:
            - |-
              one
              two

            """)
        #expect(try YAML.parse(text) == value)
    }

    @Test func scalarsAndEmptyCollections() {
        #expect(YAML.emit(nil) == "null\n")
        #expect(YAML.emit(true) == "true\n")
        #expect(YAML.emit(42) == "42\n")
        #expect(YAML.emit(-7) == "-7\n")
        #expect(YAML.emit(1.0) == "1.0\n")
        #expect(YAML.emit(0.1) == "0.1\n")
        #expect(YAML.emit(1e20) == "1e+20\n")
        #expect(YAML.emit(.double(.infinity)) == ".inf\n")
        #expect(YAML.emit(.double(-.infinity)) == "-.inf\n")
        #expect(YAML.emit(.double(.nan)) == ".nan\n")
        #expect(YAML.emit("text") == "text\n")
        #expect(YAML.emit([:]) == "{}\n")
        #expect(YAML.emit([]) == "[]\n")
        #expect(YAML.emit(["a": [:], "b": []]) == "a: {}\nb: []\n")
    }

    @Test func nestedSequences() throws {
        let value: JSONValue = [[1, [2, 3]], [], [["k": "v", "l": [4]]]]
        let text = YAML.emit(value)
        #expect(text == """
            - - 1
              - - 2
                - 3
            - []
            - - k: v
                l:
                - 4

            """)
        #expect(try YAML.parse(text) == value)
    }

    @Test func keysAreQuotedLikeValues() throws {
        let value: JSONValue = ["true": 1, "a: b": 2, "multi\nline": 3, "": 4, "plain key": 5]
        let text = YAML.emit(value)
        #expect(text == "\"true\": 1\n'a: b': 2\n\"multi\\nline\": 3\n\"\": 4\nplain key: 5\n")
        #expect(try YAML.parse(text) == value)
    }

    @Test func veryLongKeysUseExplicitKeySyntax() throws {
        let key = String(repeating: "k", count: 2000)
        let value: JSONValue = .object([key: ["x": 1], "list": [.object([key: [1, 2]])]])
        #expect(try YAML.parse(YAML.emit(value)) == value)
        let escaped = String(repeating: "\u{1}", count: 600)
        let escapedKey: JSONValue = .object([escaped: 1])
        #expect(try YAML.parse(YAML.emit(escapedKey)) == escapedKey)
    }

    @Test func emitAllSeparatesDocuments() throws {
        let docs: [JSONValue] = [["kind": "A"], "text", nil, [], ["multi": "x\ny\n"]]
        let text = YAML.emitAll(docs)
        #expect(text == "kind: A\n---\ntext\n---\nnull\n---\n[]\n---\nmulti: |\n  x\n  y\n")
        #expect(try YAML.parseAll(text) == docs)
        #expect(YAML.emitAll([]) == "")
    }

    @Test func emitBytesIsTheUTF8OfEmit() {
        let value: JSONValue = ["name": "ünï", "list": [1, 2]]
        #expect(YAML.emitBytes(value) == Array(YAML.emit(value).utf8))
    }
}
