import ClusterCore
import JSON
import Testing

private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

@Suite("Schema: defaulting and pruning")
struct SchemaDefaultingTests {
    @Test("defaults fill missing fields under present parents, nested defaults included")
    func defaults() throws {
        var object = try SchemaFixtures.request(spec: #"{"steps":[{"pause":{}},{"setWeight":20}]}"#)
        try SchemaFixtures.schema().applyDefaultsAndPrune(&object)
        #expect(object[path: "spec", "replicas"] == 1)
        #expect(object[path: "spec", "rollout"] == ["maxSurge": 1])
        #expect(object[path: "spec", "steps"] == (try parse(#"[{"pause":{"duration":"30s"}},{"setWeight":20}]"#)))
        // status is absent: nothing is created under it
        #expect(object["status"] == nil)
    }

    @Test("values given are kept; null takes the default or is dropped unless nullable")
    func nulls() throws {
        var object = try SchemaFixtures.request(spec: #"{"replicas":5,"rollout":{"paused":true}}"#)
        object[path: "spec", "note"] = .null
        object[path: "spec", "startedAt"] = .null
        object[path: "spec", "weight"] = .null
        try SchemaFixtures.schema().applyDefaultsAndPrune(&object)
        #expect(object[path: "spec", "replicas"] == 5)
        #expect(object[path: "spec", "rollout"] == ["paused": true, "maxSurge": 1])
        #expect(object[path: "spec", "note"] == .null)
        #expect(object[path: "spec", "startedAt"] == nil)

        var withNullReplicas = try SchemaFixtures.request(spec: "{}")
        withNullReplicas[path: "spec", "replicas"] = .null
        try SchemaFixtures.schema().applyDefaultsAndPrune(&withNullReplicas)
        #expect(withNullReplicas[path: "spec", "replicas"] == 1)
    }

    @Test("unknown fields are pruned except under x-kubernetes-preserve-unknown-fields")
    func pruning() throws {
        var object = try parse(#"""
        {"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest",
         "metadata":{"name":"r","labels":{"a":"b"},"annotations":{"x":"y"}},
         "spec":{"target":"web","image":"nginx","replicas":2,"rollout":{"maxSurge":2},"typo":"dropped",
           "steps":[{"setWeight":10,"extra":true}],
           "config":{"anything":{"goes":[1,2]}},
           "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]},"junk":1}},
         "status":{"phase":"Pending","bogus":1},
         "unknownTopLevel":{}}
        """#)
        try SchemaFixtures.schema().applyDefaultsAndPrune(&object)
        #expect(object == (try parse(#"""
        {"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest",
         "metadata":{"name":"r","labels":{"a":"b"},"annotations":{"x":"y"}},
         "spec":{"target":"web","image":"nginx","replicas":2,"rollout":{"maxSurge":2},
           "steps":[{"setWeight":10}],
           "config":{"anything":{"goes":[1,2]}},
           "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}},
         "status":{"phase":"Pending"}}
        """#)))
    }

    @Test("a defaulted and pruned object validates")
    func defaultedObjectIsValid() throws {
        let schema = try SchemaFixtures.schema()
        var object = try SchemaFixtures.request(spec: #"{"unknown":1}"#)
        schema.applyDefaultsAndPrune(&object)
        #expect(schema.validate(object).isEmpty)
    }
}
