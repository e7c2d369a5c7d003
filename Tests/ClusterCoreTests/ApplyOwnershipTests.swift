@testable import ClusterCore
import JSON
import Testing

private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

private func configMap(_ data: String) throws -> JSONValue {
    try parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":"# + data + "}")
}

private func apply(_ object: JSONValue, to live: JSONValue?, by manager: String, force: Bool = false, at time: String = "2026-01-02T03:04:05Z") throws(APIError) -> JSONValue {
    try ServerSideApply.apply(object, to: live, group: "", kind: "ConfigMap", fieldManager: manager, force: force, now: time)
}

private func entry(_ object: JSONValue, _ manager: String, _ operation: String = "Apply") -> JSONValue? {
    object[path: "metadata", "managedFields"]?.arrayValue?.first { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation }
}

@Suite("Apply: field ownership and conflicts")
struct ApplyOwnershipTests {
    @Test("a second manager changing an owned field gets a 409 naming the field and the owner")
    func conflict() throws {
        let live = try apply(try configMap(#"{"x":"1","z":"1"}"#), to: nil, by: "alice")
        let error = #expect(throws: APIError.self) { try apply(try configMap(#"{"x":"2"}"#), to: live, by: "bob") }
        #expect(error?.code == 409)
        #expect(error?.reason == "Conflict")
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "alice": .data.x"#)
        #expect(error?.details?.causes == [StatusCause(reason: "FieldManagerConflict", message: #"conflict with "alice""#, field: ".data.x")])
        let status = try #require(error?.statusObject)
        #expect(status[path: "details", "causes"]?[0]?["reason"] == "FieldManagerConflict")
    }

    @Test("force takes the field over: the new owner alone lists it, the old one keeps the rest")
    func force() throws {
        let live = try apply(try configMap(#"{"x":"1","z":"1"}"#), to: nil, by: "alice")
        let result = try apply(try configMap(#"{"x":"2"}"#), to: live, by: "bob", force: true)
        #expect(result["data"] == ["x": "2", "z": "1"])
        #expect(entry(result, "alice")?["fieldsV1"] == (try parse(#"{"f:data":{"f:z":{}}}"#)))
        #expect(entry(result, "bob")?["fieldsV1"] == (try parse(#"{"f:data":{"f:x":{}}}"#)))
    }

    @Test("applying the value a field already has shares it; removal waits for both")
    func sharedOwnership() throws {
        var live = try apply(try configMap(#"{"x":"1"}"#), to: nil, by: "alice")
        live = try apply(try configMap(#"{"x":"1"}"#), to: live, by: "bob")
        #expect(entry(live, "alice")?["fieldsV1"] == (try parse(#"{"f:data":{"f:x":{}}}"#)))
        #expect(entry(live, "bob")?["fieldsV1"] == (try parse(#"{"f:data":{"f:x":{}}}"#)))
        // alice drops x: bob still owns it, so it stays.
        live = try apply(try configMap(#"{"w":"1"}"#), to: live, by: "alice")
        #expect(live[path: "data", "x"] == "1")
        // bob drops it too: nobody owns it, so it goes.
        live = try apply(try configMap(#"{"v":"1"}"#), to: live, by: "bob")
        #expect(live[path: "data", "x"] == nil)
        #expect(live["data"] == ["w": "1", "v": "1"])
    }

    @Test("a manager re-applying its own fields with new values is no conflict")
    func ownFields() throws {
        let live = try apply(try configMap(#"{"x":"1"}"#), to: nil, by: "alice")
        let result = try apply(try configMap(#"{"x":"2"}"#), to: live, by: "alice", at: "2026-01-02T04:00:00Z")
        #expect(result[path: "data", "x"] == "2")
        #expect(result[path: "metadata", "managedFields"]?.arrayValue?.count == 1)
        #expect(entry(result, "alice")?["time"] == "2026-01-02T04:00:00Z")
    }

    @Test("several conflicts are listed by manager, one field per line")
    func severalConflicts() throws {
        var live = try apply(try configMap(#"{"a":"1","b":"1"}"#), to: nil, by: "alice")
        live = try apply(try configMap(#"{"c":"1"}"#), to: live, by: "carol")
        let error = #expect(throws: APIError.self) { try apply(try configMap(#"{"a":"2","b":"2","c":"2"}"#), to: live, by: "bob") }
        #expect(error?.message == "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .data.a\n- .data.b\nconflicts with \"carol\":\n- .data.c")
        #expect(error?.details?.causes.map(\.field) == [".data.a", ".data.b", ".data.c"])
    }

    @Test("a write that is not an apply takes the fields it changes, and an apply then conflicts with it")
    func updateTakesOwnership() throws {
        let live = try apply(try configMap(#"{"x":"1","z":"1"}"#), to: nil, by: "alice")
        var edited = live
        edited[path: "data", "x"] = "edited"
        try ServerSideApply.recordUpdate(from: live, to: &edited, group: "", kind: "ConfigMap", fieldManager: "kubectl-edit", now: "2026-01-02T05:00:00Z")
        #expect(entry(edited, "kubectl-edit", "Update")?["fieldsV1"] == (try parse(#"{"f:data":{"f:x":{}}}"#)))
        #expect(entry(edited, "alice")?["fieldsV1"] == (try parse(#"{"f:data":{"f:z":{}}}"#)))

        let error = #expect(throws: APIError.self) { try apply(try configMap(#"{"x":"3"}"#), to: edited, by: "alice") }
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "kubectl-edit" using v1 at 2026-01-02T05:00:00Z: .data.x"#)
    }

    @Test("an update that removes a field takes it from every manager; a no-op update records nothing")
    func updateRemoves() throws {
        let live = try apply(try configMap(#"{"x":"1","z":"1"}"#), to: nil, by: "alice")
        var replaced = live
        replaced["data"] = ["z": "1"]
        try ServerSideApply.recordUpdate(from: live, to: &replaced, group: "", kind: "ConfigMap", fieldManager: "kubectl-replace", now: "t")
        #expect(entry(replaced, "alice")?["fieldsV1"] == (try parse(#"{"f:data":{"f:z":{}}}"#)))
        #expect(entry(replaced, "kubectl-replace", "Update") == nil)
    }

    @Test("managedFields sent with a write: absent or [] keep the stored ones, [{}] clears them, a malformed list is a 400")
    func sentManagedFields() throws {
        let live = try apply(try configMap(#"{"x":"1"}"#), to: nil, by: "alice")
        var withoutList = live
        withoutList[path: "metadata", "managedFields"] = []
        try ServerSideApply.recordUpdate(from: live, to: &withoutList, group: "", kind: "ConfigMap", fieldManager: "m", now: "t")
        #expect(entry(withoutList, "alice") != nil)

        var cleared = live
        cleared[path: "metadata", "managedFields"] = [.emptyObject]
        try ServerSideApply.recordUpdate(from: live, to: &cleared, group: "", kind: "ConfigMap", fieldManager: "m", now: "t")
        #expect(cleared[path: "metadata", "managedFields"] == nil)

        var malformed = live
        malformed[path: "metadata", "managedFields"] = "everything"
        let error = #expect(throws: APIError.self) {
            try ServerSideApply.recordUpdate(from: live, to: &malformed, group: "", kind: "ConfigMap", fieldManager: "m", now: "t")
        }
        #expect(error?.code == 400)
    }

    @Test("stored managedFields that are not a list of entries are reset, not a failed write")
    func malformedStoredEntries() throws {
        var live = try configMap(#"{"x":"1"}"#)
        live[path: "metadata", "managedFields"] = "garbage"
        let result = try apply(try configMap(#"{"x":"2"}"#), to: live, by: "alice")
        #expect(result[path: "data", "x"] == "2")
        #expect(result[path: "metadata", "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } == ["alice"])
    }

    @Test("conflicts inside keyed lists name the element the way the API server prints paths")
    func keyedListConflict() throws {
        let first = try parse(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}}
        """#)
        let live = try ServerSideApply.apply(first, to: nil, group: "apps", kind: "Deployment", fieldManager: "ci", now: "t1")
        let second = try parse(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}
        """#)
        let error = #expect(throws: APIError.self) {
            try ServerSideApply.apply(second, to: live, group: "apps", kind: "Deployment", fieldManager: "hotfix", now: "t2")
        }
        #expect(error?.details?.causes.map(\.field) == [".spec.replicas", #".spec.template.spec.containers[name="web"].image"#])
        // The same container with the same image is shared, not a conflict.
        let sameImage = try parse(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}}
        """#)
        let shared = try ServerSideApply.apply(sameImage, to: live, group: "apps", kind: "Deployment", fieldManager: "hotfix", now: "t2")
        #expect(shared[path: "metadata", "managedFields"]?.arrayValue?.count == 2)
    }

    @Test("field paths print as the API server prints them")
    func describedPaths() {
        #expect(ManagedFields.describe(["f:spec", "f:replicas"]) == ".spec.replicas")
        #expect(ManagedFields.describe(["f:spec", "f:ports", #"k:{"port":80,"protocol":"TCP"}"#, "f:name"]) == #".spec.ports[port=80,protocol="TCP"].name"#)
        #expect(ManagedFields.describe(["f:metadata", "f:finalizers", #"v:"a""#]) == #".metadata.finalizers[="a"]"#)
    }
}
