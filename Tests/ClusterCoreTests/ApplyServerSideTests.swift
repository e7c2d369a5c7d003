@testable import ClusterCore
import JSON
import Testing

private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

@Suite("Apply: server-side apply")
struct ApplyServerSideTests {
    static let applied = #"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
       "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
         {"name":"web","image":"nginx:1.25","env":[{"name":"MODE","value":"blue"}]}]}}}}
    """#

    @Test("apply without a live object creates it and records the manager")
    func create() throws {
        let result = try ServerSideApply.apply(try parse(Self.applied), to: nil, group: "apps", kind: "Deployment",
                                              fieldManager: "slipway", now: "2026-01-02T03:04:05Z")
        #expect(result[path: "spec", "replicas"] == 2)
        #expect(result[path: "metadata", "name"] == "web")
        let entries = result[path: "metadata", "managedFields"]?.arrayValue ?? []
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry["manager"] == "slipway")
        #expect(entry["operation"] == "Apply")
        #expect(entry["apiVersion"] == "apps/v1")
        #expect(entry["time"] == "2026-01-02T03:04:05Z")
        #expect(entry["fieldsType"] == "FieldsV1")
        let expectedFields = try parse(#"""
        {"f:metadata":{"f:labels":{"f:app":{}}},
         "f:spec":{"f:replicas":{},"f:selector":{"f:matchLabels":{"f:app":{}}},
           "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{
             "k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:image":{},"f:env":{"k:{\"name\":\"MODE\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}}
        """#)
        #expect(entry["fieldsV1"] == expectedFields)
    }

    @Test("apply merges into the live object: keyed lists by key, other writers' fields kept")
    func mergeIntoLive() throws {
        var live = try ServerSideApply.apply(try parse(Self.applied), to: nil, group: "apps", kind: "Deployment",
                                            fieldManager: "slipway", now: "2026-01-02T03:04:05Z")
        live[path: "metadata", "uid"] = "1234"
        live[path: "metadata", "annotations"] = ["deployment.kubernetes.io/revision": "1"]
        live[path: "spec", "template", "spec", "containers"] = try parse(#"[{"name":"web","image":"nginx:1.25","imagePullPolicy":"IfNotPresent","env":[{"name":"MODE","value":"blue"}]}]"#)

        let edited = try parse(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"replicas":4,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26","env":[{"name":"MODE","value":"green"}]},{"name":"proxy","image":"envoy:1.30"}]}}}}
        """#)
        let result = try ServerSideApply.apply(edited, to: live, group: "apps", kind: "Deployment",
                                              fieldManager: "slipway", now: "2026-01-02T04:00:00Z")
        #expect(result[path: "metadata", "uid"] == "1234")
        #expect(result[path: "metadata", "annotations", "deployment.kubernetes.io/revision"] == "1")
        #expect(result[path: "spec", "replicas"] == 4)
        let containers = result[path: "spec", "template", "spec", "containers"]
        #expect(containers?[0]?["image"] == "nginx:1.26")
        #expect(containers?[0]?["imagePullPolicy"] == "IfNotPresent")
        #expect(containers?[0]?["env"] == (try parse(#"[{"name":"MODE","value":"green"}]"#)))
        #expect(containers?[1]?["name"] == "proxy")
        let entries = result[path: "metadata", "managedFields"]?.arrayValue ?? []
        #expect(entries.count == 1)
        #expect(entries.first?["time"] == "2026-01-02T04:00:00Z")
    }

    @Test("fields the manager stops applying are removed, unless another manager owns them")
    func droppedFields() throws {
        let first = try parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1","b":"2"}},"data":{"x":"1","y":"2"}}"#)
        var live = try ServerSideApply.apply(first, to: nil, group: "", kind: "ConfigMap", fieldManager: "one", now: "t1")
        live = try ServerSideApply.apply(try parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"y":"2"}}"#),
                                         to: live, group: "", kind: "ConfigMap", fieldManager: "two", now: "t2")
        let second = try parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}"#)
        let result = try ServerSideApply.apply(second, to: live, group: "", kind: "ConfigMap", fieldManager: "one", now: "t3")
        #expect(result[path: "metadata", "labels"] == ["a": "1"])
        #expect(result["data"] == ["x": "1", "y": "2"])
        // Entries are kept in kube-apiserver's order: by operation, then time.
        #expect(result[path: "metadata", "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } == ["two", "one"])
    }

    @Test("custom resources merge maps and replace lists; finalizers merge as a set")
    func customResource() throws {
        let live = try parse(#"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest","metadata":{"name":"r","finalizers":["a"]},"spec":{"steps":[1,2],"target":"web"}}"#)
        let applied = try parse(#"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest","metadata":{"name":"r","finalizers":["b"]},"spec":{"steps":[3]}}"#)
        let result = try ServerSideApply.apply(applied, to: live, group: "slipway.dev", kind: "DeploymentRequest", fieldManager: "kubectl", now: "t")
        #expect(result[path: "spec", "steps"] == [3])
        #expect(result[path: "spec", "target"] == "web")
        #expect(result[path: "metadata", "finalizers"] == ["a", "b"])
        #expect(result[path: "metadata", "managedFields"]?[0]?["fieldsV1"] == (try parse(#"{"f:metadata":{"f:finalizers":{"v:\"b\"":{}}},"f:spec":{"f:steps":{}}}"#)))
    }

    @Test("a non-object configuration or a missing field manager is a 400")
    func badRequests() throws {
        let error = #expect(throws: APIError.self) {
            try ServerSideApply.apply(["a"], to: nil, group: "", kind: "ConfigMap", fieldManager: "m", now: "t")
        }
        #expect(error?.code == 400)
        let missingManager = #expect(throws: APIError.self) {
            try ServerSideApply.apply(.emptyObject, to: nil, group: "", kind: "ConfigMap", fieldManager: "", now: "t")
        }
        #expect(missingManager?.code == 400)
    }

    @Test("an Update entry lists the writer's fields")
    func updateEntry() throws {
        var object = try parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}"#)
        try ServerSideApply.recordUpdate(from: nil, to: &object, group: "", kind: "ConfigMap", fieldManager: "kubectl-edit", now: "t")
        let entry = object[path: "metadata", "managedFields"]?[0]
        #expect(entry?["operation"] == "Update")
        #expect(entry?["fieldsV1"] == (try parse(#"{"f:metadata":{"f:labels":{"f:a":{}}},"f:data":{"f:x":{}}}"#)))
    }
}

@Suite("Apply: fields dropped from an applied configuration")
struct ApplyDroppedFieldsTests {
    @Test("dropping an env var and a container removes them; server defaults stay")
    func droppedListElements() throws {
        let first = try JSONValue(parsing: #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":2,"template":{"spec":{"containers":[
           {"name":"web","image":"nginx","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
           {"name":"proxy","image":"envoy"}]}}}}
        """#)
        var live = try ServerSideApply.apply(first, to: nil, group: "apps", kind: "Deployment", fieldManager: "ci", now: "t1")
        live[path: "spec", "progressDeadlineSeconds"] = 600
        live[path: "spec", "template", "spec", "restartPolicy"] = "Always"

        let second = try JSONValue(parsing: #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx","env":[{"name":"A","value":"1"}]}]}}}}
        """#)
        let result = try ServerSideApply.apply(second, to: live, group: "apps", kind: "Deployment", fieldManager: "ci", now: "t2")
        #expect(result[path: "spec", "replicas"] == nil)
        #expect(result[path: "spec", "progressDeadlineSeconds"] == 600)
        #expect(result[path: "spec", "template", "spec", "restartPolicy"] == "Always")
        #expect(result[path: "spec", "template", "spec", "containers"] == (try JSONValue(parsing: #"[{"name":"web","image":"nginx","env":[{"name":"A","value":"1"}]}]"#)))
    }
}
