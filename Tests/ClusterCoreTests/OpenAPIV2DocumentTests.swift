@testable import ClusterCore
import JSON
import Testing

/// A protobuf reader written for these tests alone, so that what the encoder writes is checked
/// against the wire format itself rather than against the encoder's own reading of it.
private struct WireFields {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
    }

    var fields: [(number: Int, value: Value)] = []

    init(_ bytes: [UInt8]) throws {
        var offset = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw WireError.truncated
        }
        while offset < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0:
                fields.append((Int(key >> 3), .varint(try varint())))
            case 1:
                guard offset + 8 <= bytes.count else { throw WireError.truncated }
                var bits: UInt64 = 0
                for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
                offset += 8
                fields.append((Int(key >> 3), .fixed64(bits)))
            case 2:
                let length = Int(try varint())
                guard offset + length <= bytes.count else { throw WireError.truncated }
                fields.append((Int(key >> 3), .bytes(Array(bytes[offset..<offset + length]))))
                offset += length
            default:
                throw WireError.wireType(key & 7)
            }
        }
    }

    enum WireError: Error { case truncated, wireType(UInt64) }

    func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    func string(_ number: Int) -> String? {
        guard case .bytes(let bytes)? = all(number).first else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }
    }

    func messages(_ number: Int) throws -> [WireFields] {
        try all(number).compactMap { if case .bytes(let bytes) = $0 { try WireFields(bytes) } else { nil } }
    }

    func message(_ number: Int) throws -> WireFields? { try messages(number).first }

    /// The value of a `NamedX` entry (name 1, value 2) among the messages of field `number`.
    func named(_ number: Int, _ name: String) throws -> WireFields? {
        try messages(number).first { $0.string(1) == name }?.message(2)
    }
}

@Suite("OpenAPI v2 document")
struct OpenAPIV2DocumentTests {
    let crdType = ResourceType(group: "slipway.dev", version: "v1alpha1", plural: "deploymenttargets", singular: "deploymenttarget",
                               kind: "DeploymentTarget", namespaced: true, subresources: ["status"])
    var types: [ResourceType] { BuiltinResources.types + [crdType] }

    @Test("The JSON document is Swagger 2.0 with every kind tagged and every reference resolvable")
    func jsonDocument() throws {
        let document = OpenAPIV2Document.document(types, crds: [sampleCRD()])
        #expect(document["swagger"] == "2.0")
        #expect(document["components"] == nil)
        let definitions = try #require(document["definitions"]?.objectValue)
        let deployment = try #require(definitions["io.k8s.api.apps.v1.Deployment"])
        #expect(deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        let target = try #require(definitions["dev.slipway.v1alpha1.DeploymentTarget"])
        #expect(target["x-kubernetes-group-version-kind"] == [["group": "slipway.dev", "kind": "DeploymentTarget", "version": "v1alpha1"]])
        #expect(target[path: "properties", "spec", "properties", "environment", "type"] == "string")
        // Unknown fields kept by the schema cannot be checked by kubectl: no properties, no type.
        #expect(target[path: "properties", "status"] == ["x-kubernetes-preserve-unknown-fields": true])

        var references: [String] = []
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if let ref = members["$ref"]?.stringValue { references.append(ref) }
                members.values.forEach(walk)
            case .array(let elements): elements.forEach(walk)
            default: break
            }
        }
        walk(document)
        #expect(!references.isEmpty)
        for reference in references {
            #expect(reference.hasPrefix("#/definitions/"), "\(reference)")
            #expect(definitions[String(reference.dropFirst("#/definitions/".count))] != nil, "\(reference) is not defined")
        }
    }

    @Test("PATCH operations list the patch types kubectl may send, strategic merge for built-in kinds only")
    func patchConsumes() throws {
        let document = OpenAPIV2Document.document(types, crds: [sampleCRD()])
        let deployment = try #require(document[path: "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch"])
        #expect(deployment["consumes"]?.arrayValue?.contains("application/strategic-merge-patch+json") == true)
        #expect(deployment["x-kubernetes-group-version-kind"] == ["group": "apps", "kind": "Deployment", "version": "v1"])
        let parameters = deployment["parameters"]?.arrayValue ?? []
        #expect(parameters.first?["in"] == "body")
        #expect(parameters.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" && $0["type"] == "string" && $0["schema"] == nil })
        let target = try #require(document[path: "paths", "/apis/slipway.dev/v1alpha1/namespaces/{namespace}/deploymenttargets/{name}", "patch"])
        #expect(target["consumes"]?.arrayValue?.contains("application/merge-patch+json") == true)
        #expect(target["consumes"]?.arrayValue?.contains("application/strategic-merge-patch+json") == false)
    }

    @Test("v3-only keywords are reduced as kube-apiserver reduces CRD schemas")
    func schemaReduction() {
        let schema: JSONValue = [
            "type": "object", "required": ["a", "b"],
            "properties": [
                "a": ["type": "string", "nullable": true],
                "b": ["description": "described reference", "allOf": [["$ref": "#/components/schemas/io.k8s.X"]]],
                "c": ["type": "array", "x-kubernetes-preserve-unknown-fields": true, "items": ["type": "string"]],
                "d": ["anyOf": [["type": "integer"], ["type": "string"]], "x-kubernetes-int-or-string": true],
            ],
        ]
        let converted = OpenAPIV2Schema.convert(schema)
        #expect(converted["required"] == ["b"])
        #expect(converted[path: "properties", "a"] == .emptyObject)
        #expect(converted[path: "properties", "b"] == ["description": "described reference", "$ref": "#/definitions/io.k8s.X"])
        #expect(converted[path: "properties", "c"] == ["x-kubernetes-preserve-unknown-fields": true])
        #expect(converted[path: "properties", "d"] == ["x-kubernetes-int-or-string": true])
    }

    @Test("The protobuf form decodes as gnostic's openapi.v2.Document, field by field")
    func protobufFields() throws {
        let json = OpenAPIV2Document.document(types, crds: [sampleCRD()])
        let document = try WireFields(OpenAPIV2Document.protobuf(json))
        #expect(document.string(1) == "2.0")                                   // swagger
        let info = try #require(try document.message(2))                         // info
        #expect(info.string(1) == "Kubernetes")                                  // title
        #expect(info.string(2) == "v1.32.0")                                     // version

        // definitions (9) → NamedSchema (1) { name 1, Schema 2 }
        let definitions = try #require(try document.message(9))
        #expect(try definitions.messages(1).count == json["definitions"]?.objectValue?.count)
        let deployment = try #require(try definitions.named(1, "io.k8s.api.apps.v1.Deployment"))
        #expect(try deployment.message(22)?.strings(1) == ["object"])           // type → TypeItem.value
        // vendor_extension (31) → NamedAny { name 1, Any 2 { yaml 2 } }
        let gvk = try #require(try deployment.named(31, "x-kubernetes-group-version-kind"))
        let yaml = try #require(gvk.string(2))
        #expect(try JSONValue(parsing: yaml) == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        // properties (25) → NamedSchema; spec refers to DeploymentSpec through _ref (1)
        let properties = try #require(try deployment.message(25))
        let spec = try #require(try properties.named(1, "spec"))
        #expect(spec.string(1) == "#/definitions/io.k8s.api.apps.v1.DeploymentSpec")
        #expect(try definitions.named(1, "dev.slipway.v1alpha1.DeploymentTarget") != nil)

        // paths (8) → Paths { path 2 → NamedPathItem { name 1, PathItem 2 { patch 8 } } }
        let paths = try #require(try document.message(8))
        let item = try #require(try paths.named(2, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"))
        let patch = try #require(try item.message(8))
        #expect(patch.strings(7).contains("application/apply-patch+yaml"))      // consumes
        #expect(patch.string(5) == "patchAppsV1NamespacedDeployment")            // operation_id
        let operationGVK = try #require(try patch.named(13, "x-kubernetes-group-version-kind"))
        #expect(try JSONValue(parsing: operationGVK.string(2) ?? "") == ["group": "apps", "kind": "Deployment", "version": "v1"])
        // parameters (8) → ParametersItem { Parameter 1 { NonBodyParameter 2 { query 3 { name 4, type 6 } } } }
        let queries = try patch.messages(8).compactMap { try $0.message(1)?.message(2)?.message(3) }
        let fieldValidation = try #require(queries.first { $0.string(4) == "fieldValidation" })
        #expect(fieldValidation.string(2) == "query")
        #expect(fieldValidation.string(6) == "string")
        let body = try #require(try patch.messages(8).compactMap { try $0.message(1)?.message(1) }.first)   // BodyParameter
        #expect(body.string(2) == "body")
        #expect(body.all(4) == [.varint(1)])                                      // required
        // responses (9) → NamedResponseValue { name 1, ResponseValue 2 { Response 1 { SchemaItem 2 { Schema 1 } } } }
        let responses = try #require(try patch.message(9))
        let ok = try #require(try responses.named(1, "200")?.message(1))
        #expect(try ok.message(2)?.message(1)?.string(1) == "#/definitions/io.k8s.api.apps.v1.Deployment")

        // security_definitions (13) → NamedSecurityDefinitionsItem { ApiKeySecurity 2 { type 1, name 2, in 3 } }
        let bearer = try #require(try document.message(13)?.named(1, "BearerToken")?.message(2))
        #expect(bearer.string(1) == "apiKey")
        #expect(bearer.string(3) == "header")
    }

    @Test("Scalars take their wire types: varints, ten-byte negatives, little-endian doubles, booleans")
    func scalars() throws {
        var writer = ProtobufWriter()
        writer.int64(11, 300)
        writer.int64(12, -1)
        writer.double(7, 2.5)
        writer.bool(16, true)
        writer.bool(8, false)
        writer.string(13, "")
        let fields = try WireFields(writer.bytes)
        #expect(fields.all(11) == [.varint(300)])
        #expect(fields.all(12) == [.varint(UInt64.max)])
        #expect(fields.all(7) == [.fixed64(2.5.bitPattern)])
        #expect(fields.all(16) == [.varint(1)])
        #expect(fields.all(8).isEmpty && fields.all(13).isEmpty)
        #expect(Array(writer.bytes.prefix(3)) == [0x58, 0xAC, 0x02])
    }

    @Test("A schema's limits and additionalProperties land in their fields")
    func schemaFields() throws {
        let schema: JSONValue = ["type": "object", "minProperties": 1, "maximum": 10.5, "additionalProperties": false,
                                 "enum": ["a"], "required": ["x"], "items": ["type": "string"]]
        var writer = ProtobufWriter()
        GnosticEncoder.schema(schema, &writer)
        let fields = try WireFields(writer.bytes)
        #expect(fields.all(18) == [.varint(1)])
        #expect(fields.all(7) == [.fixed64(10.5.bitPattern)])
        #expect(try fields.message(21)?.all(2) == [.varint(0)])
        #expect(try fields.message(20)?.string(2) == "\"a\"")
        #expect(fields.strings(19) == ["x"])
        #expect(try fields.message(23)?.message(1)?.message(22)?.strings(1) == ["string"])
    }
}
