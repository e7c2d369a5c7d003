import ClusterCore
import JSON

/// The schema the Schema suites validate against: one property per keyword.
enum SchemaFixtures {
    static let requestSchema = #"""
    {"type":"object","properties":{
      "spec":{"type":"object","required":["target","image"],"properties":{
        "target":{"type":"string","minLength":3,"maxLength":20,"pattern":"^[a-z][a-z0-9-]*$"},
        "image":{"type":"string"},
        "replicas":{"type":"integer","minimum":1,"maximum":10,"default":1},
        "weight":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":100,"exclusiveMaximum":true,"multipleOf":0.5},
        "action":{"type":"string","enum":["deploy","rollback"]},
        "steps":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"object","properties":{
          "setWeight":{"type":"integer"},
          "pause":{"type":"object","properties":{"duration":{"type":"string","default":"30s"}}}}}},
        "tags":{"type":"array","uniqueItems":true,"items":{"type":"string"}},
        "labels":{"type":"object","minProperties":1,"maxProperties":2,"additionalProperties":{"type":"string"}},
        "port":{"x-kubernetes-int-or-string":true},
        "note":{"type":"string","nullable":true},
        "startedAt":{"type":"string","format":"date-time"},
        "count":{"type":"integer","format":"int32"},
        "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
        "rollout":{"type":"object","default":{},"properties":{"maxSurge":{"type":"integer","default":1},"paused":{"type":"boolean"}}},
        "mode":{"type":"string","anyOf":[{"enum":["a"]},{"enum":["b"]}]},
        "one":{"type":"integer","oneOf":[{"minimum":5},{"maximum":10}]},
        "notNegative":{"type":"integer","not":{"maximum":-1}},
        "both":{"type":"string","allOf":[{"minLength":2},{"maxLength":4}]}}},
      "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
    """#

    static func schema() throws -> StructuralSchema {
        try StructuralSchema(openAPIV3Schema: try JSONValue(parsing: requestSchema))
    }

    /// A valid object whose spec has `extra` merged in.
    static func request(spec extra: String) throws -> JSONValue {
        var object = try JSONValue(parsing: #"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest","metadata":{"name":"r1"},"spec":{"target":"web","image":"nginx"}}"#)
        object["spec"] = MergePatch.apply(try JSONValue(parsing: extra), to: object["spec"] ?? .emptyObject)
        return object
    }
}
