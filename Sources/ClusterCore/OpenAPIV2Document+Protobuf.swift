import JSON

/// `/openapi/v2` in protobuf, the form kubectl and client-go ask for
/// (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): the gnostic
/// `openapi.v2.Document` message, without the `k8s\0` envelope of API objects. The answer's
/// Content-Type is the `.v2.v1.0+protobuf` spelling for either request spelling, as
/// kube-openapi's handler writes it: client-go parses it with Go's `mime` package, which
/// refuses the `@`.
///
/// Field numbers are those of github.com/google/gnostic-models openapiv2/OpenAPIv2.proto.
/// Values of type `Any` (defaults, enums, examples, vendor extensions) carry their YAML text
/// in `Any.yaml`; JSON text is YAML, and kubectl reads `x-kubernetes-group-version-kind`
/// from it with a YAML decoder (k8s.io/kube-openapi/pkg/util/proto).
extension OpenAPIV2Document {
    public static let protobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// The document `document(_:crds:)` builds, encoded.
    public static func protobuf(_ document: JSONValue) -> [UInt8] {
        var writer = ProtobufWriter()
        GnosticEncoder.document(document, &writer)
        return writer.bytes
    }
}

/// One function per gnostic message; each writes the fields of `value` that the message has.
enum GnosticEncoder {
    static func document(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.string(1, value["swagger"]?.stringValue)
        if let info = value["info"] { w.message(2) { Self.info(info, &$0) } }
        w.string(3, value["host"]?.stringValue)
        w.string(4, value["basePath"]?.stringValue)
        w.strings(5, strings(value["schemes"]))
        w.strings(6, strings(value["consumes"]))
        w.strings(7, strings(value["produces"]))
        if let paths = value["paths"] { w.message(8) { Self.paths(paths, &$0) } }
        if let definitions = value["definitions"] {
            w.message(9) { Self.namedSchemas(definitions, &$0) }
        }
        for requirement in value["security"]?.arrayValue ?? [] {
            w.message(12) { Self.securityRequirement(requirement, &$0) }
        }
        if let definitions = value["securityDefinitions"] {
            w.message(13) { Self.securityDefinitions(definitions, &$0) }
        }
        vendorExtensions(value, field: 16, &w)
    }

    static func info(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.string(1, value["title"]?.stringValue)
        w.string(2, value["version"]?.stringValue)
        w.string(3, value["description"]?.stringValue)
        vendorExtensions(value, field: 7, &w)
    }

    /// `Paths`: vendor extensions (1), then `NamedPathItem`s (2).
    static func paths(_ value: JSONValue, _ w: inout ProtobufWriter) {
        vendorExtensions(value, field: 1, &w)
        for (name, item) in value.objectValue ?? [:] where !name.hasPrefix("x-") {
            w.message(2) {
                $0.string(1, name)
                $0.message(2) { Self.pathItem(item, &$0) }
            }
        }
    }

    static let operationFields: [(String, Int)] = [("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("options", 6), ("head", 7), ("patch", 8)]

    static func pathItem(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.string(1, value["$ref"]?.stringValue)
        for (method, field) in operationFields {
            if let operation = value[method] { w.message(field) { Self.operation(operation, &$0) } }
        }
        for parameter in value["parameters"]?.arrayValue ?? [] {
            w.message(9) { Self.parametersItem(parameter, &$0) }
        }
        vendorExtensions(value, field: 10, &w)
    }

    static func operation(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.strings(1, strings(value["tags"]))
        w.string(2, value["summary"]?.stringValue)
        w.string(3, value["description"]?.stringValue)
        w.string(5, value["operationId"]?.stringValue)
        w.strings(6, strings(value["produces"]))
        w.strings(7, strings(value["consumes"]))
        for parameter in value["parameters"]?.arrayValue ?? [] {
            w.message(8) { Self.parametersItem(parameter, &$0) }
        }
        if let responses = value["responses"] { w.message(9) { Self.responses(responses, &$0) } }
        w.strings(10, strings(value["schemes"]))
        w.bool(11, value["deprecated"]?.boolValue)
        vendorExtensions(value, field: 13, &w)
    }

    /// `ParametersItem` { `Parameter` (1) | `JsonReference` (2) }; `Parameter` {
    /// `BodyParameter` (1) | `NonBodyParameter` (2) { header 1, formData 2, query 3, path 4 } }.
    static func parametersItem(_ value: JSONValue, _ w: inout ProtobufWriter) {
        if let ref = value["$ref"]?.stringValue {
            w.message(2) {
                $0.string(1, ref)
                $0.string(2, value["description"]?.stringValue)
            }
            return
        }
        w.message(1) { parameter in
            if value["in"]?.stringValue == "body" {
                parameter.message(1) {
                    $0.string(1, value["description"]?.stringValue)
                    $0.string(2, value["name"]?.stringValue)
                    $0.string(3, "body")
                    $0.bool(4, value["required"]?.boolValue)
                    if let schema = value["schema"] { $0.message(5) { Self.schema(schema, &$0) } }
                    Self.vendorExtensions(value, field: 6, &$0)
                }
                return
            }
            parameter.message(2) { nonBody in
                let location = value["in"]?.stringValue ?? "query"
                let oneof = ["header": 1, "formData": 2, "query": 3, "path": 4][location] ?? 3
                nonBody.message(oneof) { Self.nonBodyParameter(value, allowsEmptyValue: oneof == 2 || oneof == 3, &$0) }
            }
        }
    }

    /// The four non-body sub-schemas share their first four fields; query and formData have
    /// `allow_empty_value` (5) before `type`, which moves every later field up by one.
    static func nonBodyParameter(_ value: JSONValue, allowsEmptyValue: Bool, _ w: inout ProtobufWriter) {
        w.bool(1, value["required"]?.boolValue)
        w.string(2, value["in"]?.stringValue)
        w.string(3, value["description"]?.stringValue)
        w.string(4, value["name"]?.stringValue)
        let shift = allowsEmptyValue ? 1 : 0
        if allowsEmptyValue { w.bool(5, value["allowEmptyValue"]?.boolValue) }
        w.string(5 + shift, value["type"]?.stringValue)
        w.string(6 + shift, value["format"]?.stringValue)
        w.string(8 + shift, value["collectionFormat"]?.stringValue)
        if let defaultValue = value["default"] { w.message(9 + shift) { Self.any(defaultValue, &$0) } }
        w.bool(19 + shift, value["uniqueItems"]?.boolValue)
        for element in value["enum"]?.arrayValue ?? [] { w.message(20 + shift) { Self.any(element, &$0) } }
        vendorExtensions(value, field: 22 + shift, &w)
    }

    /// `Responses`: `NamedResponseValue`s (1) of `ResponseValue` { `Response` (1) }.
    static func responses(_ value: JSONValue, _ w: inout ProtobufWriter) {
        for (code, response) in value.objectValue ?? [:] where !code.hasPrefix("x-") {
            w.message(1) {
                $0.string(1, code)
                $0.message(2) { responseValue in
                    if let ref = response["$ref"]?.stringValue {
                        responseValue.message(2) { $0.string(1, ref) }
                    } else {
                        responseValue.message(1) {
                            $0.string(1, response["description"]?.stringValue)
                            if let schema = response["schema"] { $0.message(2) { item in item.message(1) { Self.schema(schema, &$0) } } }
                            Self.vendorExtensions(response, field: 5, &$0)
                        }
                    }
                }
            }
        }
        vendorExtensions(value, field: 2, &w)
    }

    /// `Definitions` and `Properties` alike: `NamedSchema`s (1) of name (1) and `Schema` (2).
    static func namedSchemas(_ value: JSONValue, _ w: inout ProtobufWriter) {
        for (name, schema) in value.objectValue ?? [:] {
            w.message(1) {
                $0.string(1, name)
                $0.message(2) { Self.schema(schema, &$0) }
            }
        }
    }

    static func schema(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.string(1, value["$ref"]?.stringValue)
        w.string(2, value["format"]?.stringValue)
        w.string(3, value["title"]?.stringValue)
        w.string(4, value["description"]?.stringValue)
        if let defaultValue = value["default"] { w.message(5) { Self.any(defaultValue, &$0) } }
        w.double(6, value["multipleOf"]?.doubleValue)
        w.double(7, value["maximum"]?.doubleValue)
        w.bool(8, value["exclusiveMaximum"]?.boolValue)
        w.double(9, value["minimum"]?.doubleValue)
        w.bool(10, value["exclusiveMinimum"]?.boolValue)
        w.int64(11, value["maxLength"]?.intValue)
        w.int64(12, value["minLength"]?.intValue)
        w.string(13, value["pattern"]?.stringValue)
        w.int64(14, value["maxItems"]?.intValue)
        w.int64(15, value["minItems"]?.intValue)
        w.bool(16, value["uniqueItems"]?.boolValue)
        w.int64(17, value["maxProperties"]?.intValue)
        w.int64(18, value["minProperties"]?.intValue)
        w.strings(19, strings(value["required"]))
        for element in value["enum"]?.arrayValue ?? [] { w.message(20) { Self.any(element, &$0) } }
        switch value["additionalProperties"] {
        case .bool(let allowed)?:
            // AdditionalPropertiesItem { Schema schema = 1; bool boolean = 2; } — a oneof, so
            // false is written too.
            w.message(21) {
                $0.key(2, .varint)
                $0.varint(allowed ? 1 : 0)
            }
        case let schema? where schema.objectValue != nil:
            w.message(21) { item in item.message(1) { Self.schema(schema, &$0) } }
        default:
            break
        }
        switch value["type"] {
        case .string(let type)?: w.message(22) { $0.strings(1, [type]) }
        case .array(let types)?: w.message(22) { $0.strings(1, types.compactMap(\.stringValue)) }
        default: break
        }
        switch value["items"] {
        case .array(let schemas)?:
            w.message(23) { items in for schema in schemas { items.message(1) { Self.schema(schema, &$0) } } }
        case let schema? where schema.objectValue != nil:
            w.message(23) { items in items.message(1) { Self.schema(schema, &$0) } }
        default:
            break
        }
        for schema in value["allOf"]?.arrayValue ?? [] { w.message(24) { Self.schema(schema, &$0) } }
        if let properties = value["properties"], properties.objectValue != nil {
            w.message(25) { Self.namedSchemas(properties, &$0) }
        }
        w.string(26, value["discriminator"]?.stringValue)
        w.bool(27, value["readOnly"]?.boolValue)
        if let docs = value["externalDocs"] {
            w.message(29) {
                $0.string(1, docs["description"]?.stringValue)
                $0.string(2, docs["url"]?.stringValue)
            }
        }
        if let example = value["example"] { w.message(30) { Self.any(example, &$0) } }
        vendorExtensions(value, field: 31, &w)
    }

    /// `SecurityRequirement`: `NamedStringArray`s (1) of name (1) and `StringArray` (2) { value 1 }.
    static func securityRequirement(_ value: JSONValue, _ w: inout ProtobufWriter) {
        for (name, scopes) in value.objectValue ?? [:] {
            w.message(1) {
                $0.string(1, name)
                $0.message(2) { $0.strings(1, strings(scopes)) }
            }
        }
    }

    /// `SecurityDefinitions`: `NamedSecurityDefinitionsItem`s (1); an `apiKey` scheme is
    /// `ApiKeySecurity` (2) { type 1, name 2, in 3, description 4 }, `basic` is
    /// `BasicAuthenticationSecurity` (1) { type 1, description 2 }.
    static func securityDefinitions(_ value: JSONValue, _ w: inout ProtobufWriter) {
        for (name, scheme) in value.objectValue ?? [:] {
            w.message(1) {
                $0.string(1, name)
                $0.message(2) { item in
                    switch scheme["type"]?.stringValue {
                    case "basic":
                        item.message(1) {
                            $0.string(1, "basic")
                            $0.string(2, scheme["description"]?.stringValue)
                        }
                    default:
                        item.message(2) {
                            $0.string(1, scheme["type"]?.stringValue)
                            $0.string(2, scheme["name"]?.stringValue)
                            $0.string(3, scheme["in"]?.stringValue)
                            $0.string(4, scheme["description"]?.stringValue)
                        }
                    }
                }
            }
        }
    }

    /// `Any` { `google.protobuf.Any` value = 1; string yaml = 2 }: the value's YAML (as JSON text).
    static func any(_ value: JSONValue, _ w: inout ProtobufWriter) {
        w.string(2, value.jsonString())
    }

    /// `x-` members as `NamedAny`s { name 1, `Any` 2 } in field `field`.
    static func vendorExtensions(_ value: JSONValue, field: Int, _ w: inout ProtobufWriter) {
        for (name, extensionValue) in value.objectValue ?? [:] where name.hasPrefix("x-") {
            w.message(field) {
                $0.string(1, name)
                $0.message(2) { Self.any(extensionValue, &$0) }
            }
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
