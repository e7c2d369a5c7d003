import ClusterCore
import JSON
import Testing

let now = "2026-05-10T12:00:00Z"

@Suite("Table output")
struct TableConverterTests {
    @Test("Deployments show READY, UP-TO-DATE, AVAILABLE and AGE like kubectl")
    func deploymentTable() throws {
        let type = try #require(BuiltinResources.type(group: "apps", kind: "Deployment"))
        var d = sampleDeployment()
        d[path: "metadata", "creationTimestamp"] = "2026-05-10T11:56:48Z"
        d[path: "spec", "replicas"] = 3
        d["status"] = ["readyReplicas": 1, "updatedReplicas": 3]
        let table = TableConverter.table(for: type, items: [d], listMetadata: ["resourceVersion": "42"], includeObject: "Metadata", now: now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == ["resourceVersion": "42"])
        let columns = try #require(table["columnDefinitions"]?.arrayValue)
        #expect(columns.compactMap { $0["name"]?.stringValue } == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        #expect(columns[0]["format"] == "name")
        #expect(columns[5]["priority"] == 1)
        let row = try #require(table["rows"]?[0])
        #expect(row["cells"] == ["web", "1/3", 3, 0, "3m12s", "web", "shop/web:1.4.2", "app=web"])
        #expect(row["object"] == ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": d["metadata"] ?? .null])
    }

    @Test("ConfigMaps count their keys; includeObject decides what rows carry")
    func configMapTable() throws {
        let type = try #require(BuiltinResources.type(group: "", kind: "ConfigMap"))
        let cm: JSONValue = ["metadata": ["name": "settings", "creationTimestamp": "2026-05-08T09:00:00Z"], "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]]
        let full = TableConverter.table(for: type, items: [cm], listMetadata: ["resourceVersion": "7", "continue": "abc"], includeObject: "Object", now: now)
        #expect(full["metadata"] == ["resourceVersion": "7", "continue": "abc"])
        #expect(full["rows"]?[0]?["cells"] == ["settings", 3, "2d3h"])
        #expect(full["rows"]?[0]?["object"] == cm)
        let bare = TableConverter.table(for: type, items: [cm], listMetadata: .emptyObject, includeObject: "None", now: now)
        #expect(bare["rows"]?[0]?["object"] == nil)
    }

    @Test("Services show TYPE, CLUSTER-IP, EXTERNAL-IP and PORT(S)")
    func serviceTable() throws {
        let type = try #require(BuiltinResources.type(group: "", kind: "Service"))
        let svc: JSONValue = ["metadata": ["name": "web"], "spec": [
            "type": "NodePort", "clusterIP": "10.96.4.2", "selector": ["app": "web"],
            "ports": [["port": 80, "protocol": "TCP", "nodePort": 30080], ["port": 53, "protocol": "UDP"]],
        ]]
        let cells = TableConverter.table(for: type, items: [svc], listMetadata: .emptyObject, includeObject: "None", now: now)["rows"]?[0]?["cells"]
        #expect(cells == ["web", "NodePort", "10.96.4.2", "<none>", "80:30080/TCP,53/UDP", "<unknown>", "app=web"])
    }

    @Test("Pods show READY, STATUS and RESTARTS")
    func podTable() throws {
        let type = try #require(BuiltinResources.type(group: "", kind: "Pod"))
        let pod: JSONValue = [
            "metadata": ["name": "web-1", "creationTimestamp": "2026-05-10T11:00:00Z"],
            "spec": ["containers": [["name": "a"], ["name": "b"]]],
            "status": ["phase": "Running", "containerStatuses": [
                ["name": "a", "ready": true, "restartCount": 0, "state": ["running": .emptyObject]],
                ["name": "b", "ready": false, "restartCount": 4, "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                 "lastState": ["terminated": ["finishedAt": "2026-05-10T11:58:00Z"]]],
            ]],
        ]
        let cells = TableConverter.table(for: type, items: [pod], listMetadata: .emptyObject, includeObject: "None", now: now)["rows"]?[0]?["cells"]
        #expect(cells?[1] == "1/2")
        #expect(cells?[2] == "CrashLoopBackOff")
        #expect(cells?[3] == "4 (2m ago)")
        #expect(cells?[4] == "60m")
        #expect(cells?[5] == "<none>")  // no IP yet
        #expect(cells?[6] == "<none>")  // not scheduled
    }

    @Test("Events read LAST SEEN, TYPE, REASON, OBJECT, MESSAGE without a leading NAME")
    func eventTable() throws {
        let type = try #require(BuiltinResources.type(group: "", kind: "Event"))
        let event: JSONValue = [
            "metadata": ["name": "web.17a", "namespace": "shop"], "type": "Warning", "reason": "BackOff",
            "involvedObject": ["kind": "Pod", "name": "web-1"], "message": "Back-off restarting failed container",
            "lastTimestamp": "2026-05-10T11:59:30Z", "firstTimestamp": "2026-05-10T11:00:00Z", "count": 7,
            "source": ["component": "kubelet", "host": "node-1"],
        ]
        let table = TableConverter.table(for: type, items: [event], listMetadata: .emptyObject, includeObject: "None", now: now)
        let columns = try #require(table["columnDefinitions"]?.arrayValue)
        #expect(columns.filter { $0["priority"] == 0 }.compactMap { $0["name"]?.stringValue } == ["Last Seen", "Type", "Reason", "Object", "Message"])
        #expect(table["rows"]?[0]?["cells"] == ["30s", "Warning", "BackOff", "pod/web-1", nil, "kubelet, node-1", "Back-off restarting failed container", "60m", 7, "web.17a"])
    }

    @Test("A CRD's printer columns fill the table; missing values are null cells")
    func crdTable() throws {
        let type = try #require(CustomResourceDefinitions.resourceTypes(for: sampleCRD()).first)
        let object: JSONValue = ["metadata": ["name": "web-production", "creationTimestamp": "2026-03-26T12:00:00Z"], "spec": ["environment": "production"]]
        let table = TableConverter.table(for: type, items: [object], listMetadata: .emptyObject, includeObject: "Metadata", now: now)
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Environment", "Replicas", "Age"])
        #expect(table["columnDefinitions"]?[2]?["description"] == "Desired replicas")
        #expect(table["rows"]?[0]?["cells"] == ["web-production", "production", nil, "45d"])
    }

    @Test("A CRD without printer columns shows Name and Age")
    func crdWithoutColumns() throws {
        let type = ResourceType(group: "example.com", version: "v1", plural: "widgets", singular: "widget", kind: "Widget", namespaced: true)
        let table = TableConverter.table(for: type, items: [["metadata": ["name": "w", "creationTimestamp": "2026-05-10T11:59:55Z"]]],
                                         listMetadata: .emptyObject, includeObject: "Metadata", now: now)
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Age"])
        #expect(table["rows"]?[0]?["cells"] == ["w", "5s"])
    }

    @Test("Ages read like kubectl's", arguments: [
        (0.0, "0s"), (5, "5s"), (119, "119s"), (120, "2m"), (192, "3m12s"), (600, "10m"), (179 * 60, "179m"),
        (3 * 3600, "3h"), (3 * 3600 + 25 * 60, "3h25m"), (8 * 3600, "8h"), (47 * 3600, "47h"), (2 * 86400 + 3 * 3600, "2d3h"),
        (7 * 86400, "7d"), (45 * 86400, "45d"), (2 * 365 * 86400 + 20 * 86400, "2y20d"), (9 * 365 * 86400, "9y"), (-1, "0s"), (-5, "<invalid>"),
    ] as [(Double, String)])
    func ages(seconds: Double, expected: String) {
        #expect(Timestamps.humanDuration(seconds: seconds) == expected)
    }

    @Test("Timestamps parse with fractions and offsets; garbage does not")
    func timestamps() {
        #expect(Timestamps.secondsSinceEpoch("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamps.secondsSinceEpoch("2026-05-10T12:00:00Z") == 1_778_414_400)
        #expect(Timestamps.secondsSinceEpoch("2026-05-10T14:00:00.5+02:00") == 1_778_414_400.5)
        #expect(Timestamps.secondsSinceEpoch("yesterday") == nil)
        #expect(Timestamps.age(of: nil, now: now) == "<unknown>")
    }

    @Test("Timestamps are written as RFC 3339 in UTC and read back to the same second, leap days included")
    func writtenTimestamps() {
        #expect(Timestamps.rfc3339(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamps.rfc3339(secondsSinceEpoch: 1_778_414_400.9) == "2026-05-10T12:00:00Z")
        #expect(Timestamps.rfc3339(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(Timestamps.rfc3339(secondsSinceEpoch: 4_107_542_399) == "2100-02-28T23:59:59Z")
        var seconds = 0.0
        while seconds < 5_000_000_000 {
            let text = Timestamps.rfc3339(secondsSinceEpoch: seconds)
            #expect(Timestamps.secondsSinceEpoch(text) == seconds, "\(text)")
            seconds += 86_399 * 37 + 3_601
        }
        #expect(Timestamps.secondsSinceEpoch(Timestamps.now()) != nil)
    }
}

@Suite("Table JSONPath")
struct TableJSONPathTests {
    let object: JSONValue = [
        "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["slipway.dev/requested-by": "ana"]],
        "spec": ["containers": [["name": "a", "image": "x:1"], ["name": "b", "image": "y:2"]], "replicas": 3],
        "status": ["conditions": [["type": "Progressing", "status": "True"], ["type": "Ready", "status": "False"]]],
    ]

    @Test("Paths select what kubectl would select", arguments: [
        (".metadata.name", "web"),
        (".metadata.labels.app", "web"),
        (".metadata.annotations['slipway.dev/requested-by']", "ana"),
        (".metadata.annotations[\"slipway.dev/requested-by\"]", "ana"),
        (".spec.containers[0].image", "x:1"),
        (".spec.containers[-1].name", "b"),
        (".spec.containers[*].name", "a,b"),
        ("{.spec.replicas}", "3"),
        (".status.conditions[?(@.type==\"Ready\")].status", "False"),
        (".status.conditions[?(@.status!='True')].type", "Ready"),
        ("..image", "x:1,y:2"),
        (".metadata.labels", "{\"app\":\"web\"}"),
    ])
    func select(path: String, expected: String) throws {
        #expect(try JSONPath(path).render(object) == expected)
    }

    @Test("Missing fields select nothing")
    func missing() throws {
        #expect(try JSONPath(".spec.nothing.here").render(object) == nil)
        #expect(try JSONPath(".spec.containers[5].name").evaluate(object).isEmpty)
    }

    @Test("Malformed paths are refused with the position", arguments: [
        ".spec[", ".spec[abc]", ".a[?(@.x==)]", ".a['unterminated]",
        String(repeating: ".a[?(@", count: 5000) + String(repeating: ")]", count: 5000),
    ])
    func malformed(path: String) {
        #expect(throws: JSONPathError.self) { _ = try JSONPath(path) }
    }
}
