import ClusterCore
import JSON
import Testing

private func compile(_ schema: String, fieldPath: String = "openAPIV3Schema") throws -> APIError? {
    let value = try JSONValue(parsing: schema)
    do {
        _ = try StructuralSchema(openAPIV3Schema: value, fieldPath: fieldPath)
        return nil
    } catch {
        return error
    }
}

@Suite("Schema: CRD schemas the API server refuses")
struct SchemaDefinitionTests {
    @Test("an invalid pattern is refused with the pattern's path")
    func invalidPattern() throws {
        let error = try #require(try compile(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"target":{"type":"string","pattern":"[a-z"}}}}}"#))
        #expect(error.code == 422)
        #expect(error.reason == "Invalid")
        let cause = try #require(error.details?.causes.first)
        #expect(cause.field == "openAPIV3Schema.properties[spec].properties[target].pattern")
        #expect(cause.message.hasPrefix(#"Invalid value: "[a-z": must be a valid regular expression, but isn't"#))
    }

    @Test("an unknown type is refused with the supported ones listed")
    func unknownType() throws {
        let error = try #require(try compile(#"{"type":"object","properties":{"replicas":{"type":"int"}}}"#, fieldPath: "spec.versions[0].schema.openAPIV3Schema"))
        #expect(error.details?.causes == [StatusCause(
            reason: "FieldValueNotSupported",
            message: #"Unsupported value: "int": supported values: "array", "boolean", "integer", "number", "object", "string""#,
            field: "spec.versions[0].schema.openAPIV3Schema.properties[replicas].type")])
    }

    @Test("structural rules: root is an object, fields have types, arrays have items")
    func structuralRules() throws {
        let rootError = try #require(try compile(#"{"type":"string"}"#))
        #expect(rootError.details?.causes.map(\.message) == [#"Invalid value: "string": must be object at the root"#])

        let error = try #require(try compile(#"{"type":"object","properties":{"list":{"type":"array"},"loose":{"description":"no type"}}}"#))
        #expect(error.details?.causes == [
            StatusCause(reason: "FieldValueRequired", message: "Required value: must be specified", field: "openAPIV3Schema.properties[list].items"),
            StatusCause(reason: "FieldValueRequired", message: "Required value: must not be empty for specified object fields", field: "openAPIV3Schema.properties[loose].type"),
        ])
        #expect(error.message.hasPrefix("CustomResourceDefinition is invalid: [openAPIV3Schema.properties[list].items: Required value"))
    }

    @Test("more structural rules: item types, root additionalProperties, types inside anyOf, embedded resources, root metadata")
    func moreStructuralRules() throws {
        let error = try #require(try compile(#"""
        {"type":"object","additionalProperties":true,"properties":{
          "metadata":{"type":"object","properties":{"labels":{"type":"object"}}},
          "tags":{"type":"array","items":{"description":"untyped"}},
          "mode":{"type":"string","anyOf":[{"type":"string"}]},
          "template":{"type":"string","x-kubernetes-embedded-resource":true}}}
        """#))
        #expect(error.details?.causes == [
            StatusCause(reason: "FieldValueForbidden", message: "Forbidden: must not be used at the root", field: "openAPIV3Schema.additionalProperties"),
            StatusCause(reason: "FieldValueForbidden", message: "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified", field: "openAPIV3Schema.properties[metadata]"),
            StatusCause(reason: "FieldValueForbidden", message: "Forbidden: must be empty to be structural", field: "openAPIV3Schema.properties[mode].anyOf[0].type"),
            StatusCause(reason: "FieldValueRequired", message: "Required value: must not be empty for specified array items", field: "openAPIV3Schema.properties[tags].items.type"),
            StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "string": must be object if x-kubernetes-embedded-resource is true"#, field: "openAPIV3Schema.properties[template].type"),
        ])
    }

    @Test("a default that does not validate is refused")
    func invalidDefault() throws {
        let error = try #require(try compile(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","maximum":5,"default":9}}}}}"#))
        #expect(error.details?.causes == [StatusCause(
            reason: "FieldValueInvalid",
            message: "Invalid value: 9: spec.replicas in body should be less than or equal to 5",
            field: "openAPIV3Schema.properties[spec].properties[replicas].default")])
    }

    @Test("keywords of the wrong JSON type are refused")
    func wrongKeywordTypes() throws {
        let error = try #require(try compile(#"{"type":"object","required":"spec","properties":{"n":{"type":"integer","minimum":"1"}}}"#))
        #expect(error.details?.causes.map(\.field) == ["openAPIV3Schema.properties[n].minimum", "openAPIV3Schema.required"])
    }

    @Test("preserve-unknown-fields and int-or-string need no type")
    func untypedAllowed() throws {
        #expect(try compile(#"{"type":"object","properties":{"any":{"x-kubernetes-preserve-unknown-fields":true},"port":{"x-kubernetes-int-or-string":true}}}"#) == nil)
    }
}
