import ClusterCore
import JSON
import Testing

/// A spec fragment and the causes the API server reports for it.
struct SchemaValidationCase: Sendable, CustomTestStringConvertible {
    var keyword: String
    var spec: String
    /// (reason, field, message) of each expected cause, in order.
    var causes: [Expected]

    struct Expected: Sendable, Equatable {
        var reason: String
        var field: String
        var message: String
    }

    init(_ keyword: String, _ spec: String, _ causes: [(String, String, String)]) {
        self.keyword = keyword
        self.spec = spec
        self.causes = causes.map { Expected(reason: $0.0, field: $0.1, message: $0.2) }
    }

    var testDescription: String { "\(keyword): \(spec)" }
}

@Suite("Schema: validation of custom resources")
struct SchemaValidationTests {
    static let cases: [SchemaValidationCase] = [
        .init("valid", #"{"replicas":3,"weight":2.5,"action":"deploy","port":"http","note":null,"startedAt":"2024-05-01T10:00:00.5+02:00","count":7}"#, []),
        .init("integer written as 3.0, integer for number", #"{"replicas":3.0,"weight":50}"#, []),
        .init("type", #"{"replicas":"3"}"#, [
            ("FieldValueTypeInvalid", "spec.replicas", #"Invalid value: "string": spec.replicas in body must be of type integer: "string""#)]),
        .init("type of a fraction for integer", #"{"replicas":1.5}"#, [
            ("FieldValueTypeInvalid", "spec.replicas", #"Invalid value: "number": spec.replicas in body must be of type integer: "number""#)]),
        .init("type of an object", #"{"steps":{"setWeight":1}}"#, [
            ("FieldValueTypeInvalid", "spec.steps", #"Invalid value: "object": spec.steps in body must be of type array: "object""#)]),
        .init("required", #"{"target":null,"image":null}"#, [
            ("FieldValueRequired", "spec.target", "Required value"),
            ("FieldValueRequired", "spec.image", "Required value")]),
        .init("minimum", #"{"replicas":0}"#, [
            ("FieldValueInvalid", "spec.replicas", "Invalid value: 0: spec.replicas in body should be greater than or equal to 1")]),
        .init("maximum", #"{"replicas":11}"#, [
            ("FieldValueInvalid", "spec.replicas", "Invalid value: 11: spec.replicas in body should be less than or equal to 10")]),
        .init("exclusiveMinimum", #"{"weight":0}"#, [
            ("FieldValueInvalid", "spec.weight", "Invalid value: 0: spec.weight in body should be greater than 0")]),
        .init("exclusiveMaximum", #"{"weight":100}"#, [
            ("FieldValueInvalid", "spec.weight", "Invalid value: 100: spec.weight in body should be less than 100")]),
        .init("multipleOf", #"{"weight":2.25}"#, [
            ("FieldValueInvalid", "spec.weight", "Invalid value: 2.25: spec.weight in body should be a multiple of 0.5")]),
        .init("enum", #"{"action":"deploy-now"}"#, [
            ("FieldValueNotSupported", "spec.action", #"Unsupported value: "deploy-now": supported values: "deploy", "rollback""#)]),
        .init("pattern", #"{"target":"Web"}"#, [
            ("FieldValueInvalid", "spec.target", #"Invalid value: "Web": spec.target in body should match '^[a-z][a-z0-9-]*$'"#)]),
        .init("minLength", #"{"target":"ab"}"#, [
            ("FieldValueInvalid", "spec.target", #"Invalid value: "ab": spec.target in body should be at least 3 chars long"#)]),
        .init("maxLength", #"{"target":"abcdefghijklmnopqrstu"}"#, [
            ("FieldValueTooLong", "spec.target", "Too long: may not be more than 20 bytes")]),
        .init("minItems", #"{"steps":[]}"#, [
            ("FieldValueInvalid", "spec.steps", "Invalid value: 0: spec.steps in body should have at least 1 items")]),
        .init("maxItems", #"{"steps":[{},{},{},{}]}"#, [
            ("FieldValueTooMany", "spec.steps", "Too many: 4: must have at most 3 items")]),
        .init("items", #"{"steps":[{"setWeight":10},{"setWeight":20},{"setWeight":"x"}]}"#, [
            ("FieldValueTypeInvalid", "spec.steps[2].setWeight", #"Invalid value: "string": spec.steps[2].setWeight in body must be of type integer: "string""#)]),
        .init("uniqueItems", #"{"tags":["a","b","a"]}"#, [
            ("FieldValueInvalid", "spec.tags", #"Invalid value: "": spec.tags in body shouldn't contain duplicates"#)]),
        .init("maxProperties", #"{"labels":{"a":"1","b":"2","c":"3"}}"#, [
            ("FieldValueTooMany", "spec.labels", "Too many: 3: must have at most 2 items")]),
        .init("minProperties", #"{"labels":{}}"#, [
            ("FieldValueInvalid", "spec.labels", "Invalid value: 0: spec.labels in body should have at least 1 properties")]),
        .init("additionalProperties schema", #"{"labels":{"a":1}}"#, [
            ("FieldValueTypeInvalid", "spec.labels.a", #"Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#)]),
        .init("x-kubernetes-int-or-string", #"{"port":true}"#, [
            ("FieldValueTypeInvalid", "spec.port", #"Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#)]),
        .init("int-or-string accepts a number", #"{"port":8080}"#, []),
        .init("format date-time", #"{"startedAt":"yesterday"}"#, [
            ("FieldValueTypeInvalid", "spec.startedAt", #"Invalid value: "yesterday": spec.startedAt in body must be of type date-time: "yesterday""#)]),
        .init("anyOf", #"{"mode":"c"}"#, [
            ("FieldValueInvalid", "spec.mode", #"Invalid value: "": spec.mode in body must validate at least one schema (anyOf)"#)]),
        .init("oneOf", #"{"one":7}"#, [
            ("FieldValueInvalid", "spec.one", #"Invalid value: "": spec.one in body must validate one and only one schema (oneOf)"#)]),
        .init("not", #"{"notNegative":-3}"#, [
            ("FieldValueInvalid", "spec.notNegative", #"Invalid value: "": spec.notNegative in body must not validate the schema (not)"#)]),
        .init("allOf", #"{"both":"a"}"#, [
            ("FieldValueInvalid", "spec.both", #"Invalid value: "": spec.both in body must validate all the schemas (allOf)"#),
            ("FieldValueInvalid", "spec.both", #"Invalid value: "a": spec.both in body should be at least 2 chars long"#)]),
        .init("several at once", #"{"replicas":20,"action":"x"}"#, [
            ("FieldValueInvalid", "spec.replicas", "Invalid value: 20: spec.replicas in body should be less than or equal to 10"),
            ("FieldValueNotSupported", "spec.action", #"Unsupported value: "x": supported values: "deploy", "rollback""#)]),
    ]

    @Test("each keyword reports the API server's cause", arguments: cases)
    func keyword(_ example: SchemaValidationCase) throws {
        let causes = try SchemaFixtures.schema().validate(try SchemaFixtures.request(spec: example.spec))
        let got = causes.map { SchemaValidationCase.Expected(reason: $0.reason, field: $0.field, message: $0.message) }
        #expect(got == example.causes)
    }

    @Test("multipleOf tolerates inexact decimal division")
    func multipleOfDecimals() throws {
        let schema = try StructuralSchema(openAPIV3Schema: try JSONValue(parsing: #"{"type":"object","properties":{"cpu":{"type":"number","multipleOf":0.1}}}"#))
        #expect(schema.validate(["cpu": 0.3]).isEmpty)
        #expect(schema.validate(["cpu": 0.35]).map(\.message) == ["Invalid value: 0.35: cpu in body should be a multiple of 0.1"])
    }

    @Test("missing required fields are reported as Required value")
    func required() throws {
        let object = try JSONValue(parsing: #"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest","metadata":{"name":"r"},"spec":{}}"#)
        let causes = try SchemaFixtures.schema().validate(object)
        #expect(causes == [
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.target"),
            StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.image"),
        ])
    }

    @Test("null is a type error unless nullable")
    func nulls() throws {
        var object = try SchemaFixtures.request(spec: "{}")
        object[path: "spec", "image"] = .null
        object[path: "spec", "note"] = .null
        let causes = try SchemaFixtures.schema().validate(object)
        #expect(causes == [StatusCause(reason: "FieldValueTypeInvalid", message: #"Invalid value: "null": spec.image in body must be of type string: "null""#, field: "spec.image")])
    }

    @Test("a wrong top-level type is reported at its field")
    func topLevelType() throws {
        let object = try JSONValue(parsing: #"{"apiVersion":"v","kind":"K","metadata":{},"spec":"web"}"#)
        let causes = try SchemaFixtures.schema().validate(object)
        #expect(causes == [StatusCause(reason: "FieldValueTypeInvalid", message: #"Invalid value: "string": spec in body must be of type object: "string""#, field: "spec")])
    }

    @Test("the root metadata, apiVersion and kind are not checked by the schema")
    func rootMetadata() throws {
        let object = try JSONValue(parsing: #"{"apiVersion":"slipway.dev/v1alpha1","kind":"DeploymentRequest","metadata":{"name":"r","labels":{"a":"b"},"anything":[1]},"spec":{"target":"web","image":"x"}}"#)
        #expect(try SchemaFixtures.schema().validate(object).isEmpty)
    }

    @Test("the causes make the 422 the API server sends")
    func invalidError() throws {
        let type = ResourceType(group: "slipway.dev", version: "v1alpha1", plural: "deploymentrequests", singular: "deploymentrequest", kind: "DeploymentRequest", namespaced: true)
        let causes = try SchemaFixtures.schema().validate(try SchemaFixtures.request(spec: #"{"replicas":"3"}"#))
        let error = APIError.invalid(type, name: "r1", causes: causes)
        #expect(error.message == #"DeploymentRequest "r1" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#)
    }
}


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
