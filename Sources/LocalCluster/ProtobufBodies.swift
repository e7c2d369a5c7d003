import ClusterCore
import Foundation
import JSON

/// Reads the protobuf bodies that client-go's typed clients send (`kubectl create namespace`,
/// `configmap`, `secret`, `serviceaccount`, `deployment`, `service`, `role`, `rolebinding` ...,
/// typed DeleteOptions): client-go does not fall back to JSON when a write is refused with 415,
/// so these kinds are decoded into the same JSON objects their JSON form would give. Other
/// kinds are refused with 415 and a message that asks for JSON.
/// Wire format: https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding
/// (the `k8s\0` magic, then a runtime.Unknown whose `raw` holds the object), field numbers
/// from k8s.io/api/core/v1/generated.proto and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
enum ProtobufBodies {
    static let contentType = "application/vnd.kubernetes.protobuf"
    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func isProtobuf(_ contentType: String?) -> Bool {
        contentType?.lowercased().hasPrefix(Self.contentType) ?? false
    }

    /// Decodes an enveloped object of one of the supported kinds.
    static func decodeObject(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        let (typeMeta, raw) = try unwrap(bytes)
        guard let kind = typeMeta.kind, let schema = objectSchemas[kind] ?? workloadSchemas[kind] else {
            let accepted = (Array(objectSchemas.keys) + Array(workloadSchemas.keys)).sorted().joined(separator: ", ")
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "protobuf bodies are accepted for \(accepted) only; send \(typeMeta.kind ?? "this object") as application/json")
        }
        var object = try decode(raw, schema)
        var result: JSONValue = ["apiVersion": .string(typeMeta.apiVersion ?? "v1"), "kind": .string(kind)]
        if case .object(let members) = object {
            for (key, value) in members { result[key] = value }
        }
        object = result
        return object
    }

    /// Decodes DeleteOptions, enveloped or bare.
    static func decodeDeleteOptions(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        let raw = bytes.starts(with: magic) ? try unwrap(bytes).raw : bytes
        return try decode(raw, deleteOptions)
    }

    private static func unwrap(_ bytes: [UInt8]) throws(APIError) -> (typeMeta: (apiVersion: String?, kind: String?), raw: [UInt8]) {
        guard bytes.starts(with: magic) else {
            throw APIError.badRequest("the protobuf body does not start with the Kubernetes magic number k8s\\0")
        }
        var reader = WireReader(bytes: Array(bytes.dropFirst(magic.count)))
        var apiVersion: String?, kind: String?, raw: [UInt8] = []
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let typeMetaBytes)):
                var typeReader = WireReader(bytes: typeMetaBytes)
                while let (typeField, typeValue) = try typeReader.next() {
                    if case .bytes(let text) = typeValue {
                        if typeField == 1 { apiVersion = String(decoding: text, as: UTF8.self) }
                        if typeField == 2 { kind = String(decoding: text, as: UTF8.self) }
                    }
                }
            case (2, .bytes(let object)):
                raw = object
            default:
                continue
            }
        }
        return ((apiVersion, kind), raw)
    }

    // MARK: Schemas

    indirect enum FieldType: Sendable {
        case string, bytes, bool, int, time, intOrString
        case message(Schema)
        case map(value: FieldType)
    }

    struct Field: Sendable {
        var name: String
        var type: FieldType
        var repeated = false
        /// A pointer field in Go: written only when set, so a zero is meaningful (replicas: 0).
        var keepZero = false
    }

    typealias Schema = [Int: Field]


    static let ownerReference: Schema = [
        1: Field(name: "kind", type: .string), 3: Field(name: "name", type: .string), 4: Field(name: "uid", type: .string),
        5: Field(name: "apiVersion", type: .string), 6: Field(name: "controller", type: .bool),
        7: Field(name: "blockOwnerDeletion", type: .bool),
    ]

    static let objectMeta: Schema = [
        1: Field(name: "name", type: .string), 2: Field(name: "generateName", type: .string),
        3: Field(name: "namespace", type: .string), 5: Field(name: "uid", type: .string),
        6: Field(name: "resourceVersion", type: .string), 7: Field(name: "generation", type: .int),
        8: Field(name: "creationTimestamp", type: .time), 9: Field(name: "deletionTimestamp", type: .time),
        10: Field(name: "deletionGracePeriodSeconds", type: .int),
        11: Field(name: "labels", type: .map(value: .string)), 12: Field(name: "annotations", type: .map(value: .string)),
        13: Field(name: "ownerReferences", type: .message(ownerReference), repeated: true),
        14: Field(name: "finalizers", type: .string, repeated: true),
    ]

    static let localObjectReference: Schema = [1: Field(name: "name", type: .string)]

    static let objectReference: Schema = [
        1: Field(name: "kind", type: .string), 2: Field(name: "namespace", type: .string), 3: Field(name: "name", type: .string),
        4: Field(name: "uid", type: .string), 5: Field(name: "apiVersion", type: .string),
        6: Field(name: "resourceVersion", type: .string), 7: Field(name: "fieldPath", type: .string),
    ]

    static let objectSchemas: [String: Schema] = [
        "ConfigMap": [
            1: Field(name: "metadata", type: .message(objectMeta)), 2: Field(name: "data", type: .map(value: .string)),
            3: Field(name: "binaryData", type: .map(value: .bytes)), 4: Field(name: "immutable", type: .bool),
        ],
        "Secret": [
            1: Field(name: "metadata", type: .message(objectMeta)), 2: Field(name: "data", type: .map(value: .bytes)),
            3: Field(name: "type", type: .string), 4: Field(name: "stringData", type: .map(value: .string)),
            5: Field(name: "immutable", type: .bool),
        ],
        "Namespace": [
            1: Field(name: "metadata", type: .message(objectMeta)),
            2: Field(name: "spec", type: .message([1: Field(name: "finalizers", type: .string, repeated: true)])),
        ],
        "ServiceAccount": [
            1: Field(name: "metadata", type: .message(objectMeta)),
            2: Field(name: "secrets", type: .message(objectReference), repeated: true),
            3: Field(name: "imagePullSecrets", type: .message(localObjectReference), repeated: true),
            4: Field(name: "automountServiceAccountToken", type: .bool),
        ],
    ]

    // Schemas of the kinds `kubectl create deployment|service|role|rolebinding|...` send; fields
    // these commands never set are left out and dropped.

    static let labelSelector: Schema = [
        1: Field(name: "matchLabels", type: .map(value: .string)),
        2: Field(name: "matchExpressions", type: .message([
            1: Field(name: "key", type: .string), 2: Field(name: "operator", type: .string),
            3: Field(name: "values", type: .string, repeated: true),
        ]), repeated: true),
    ]

    static let container: Schema = [
        1: Field(name: "name", type: .string), 2: Field(name: "image", type: .string),
        3: Field(name: "command", type: .string, repeated: true), 4: Field(name: "args", type: .string, repeated: true),
        5: Field(name: "workingDir", type: .string),
        6: Field(name: "ports", type: .message([
            1: Field(name: "name", type: .string), 2: Field(name: "hostPort", type: .int),
            3: Field(name: "containerPort", type: .int), 4: Field(name: "protocol", type: .string),
        ]), repeated: true),
        7: Field(name: "env", type: .message([1: Field(name: "name", type: .string), 2: Field(name: "value", type: .string)]), repeated: true),
        13: Field(name: "terminationMessagePath", type: .string), 14: Field(name: "imagePullPolicy", type: .string),
        16: Field(name: "stdin", type: .bool), 17: Field(name: "stdinOnce", type: .bool), 18: Field(name: "tty", type: .bool),
    ]

    static let podSpec: Schema = [
        2: Field(name: "containers", type: .message(container), repeated: true),
        3: Field(name: "restartPolicy", type: .string),
        4: Field(name: "terminationGracePeriodSeconds", type: .int, keepZero: true),
        6: Field(name: "dnsPolicy", type: .string), 7: Field(name: "nodeSelector", type: .map(value: .string)),
        8: Field(name: "serviceAccountName", type: .string),
        20: Field(name: "initContainers", type: .message(container), repeated: true),
    ]

    static let podTemplateSpec: Schema = [1: Field(name: "metadata", type: .message(objectMeta)), 2: Field(name: "spec", type: .message(podSpec))]

    static let policyRule: Schema = [
        1: Field(name: "verbs", type: .string, repeated: true), 2: Field(name: "apiGroups", type: .string, repeated: true),
        3: Field(name: "resources", type: .string, repeated: true), 4: Field(name: "resourceNames", type: .string, repeated: true),
        5: Field(name: "nonResourceURLs", type: .string, repeated: true),
    ]

    static let roleBinding: Schema = [
        1: Field(name: "metadata", type: .message(objectMeta)),
        2: Field(name: "subjects", type: .message([
            1: Field(name: "kind", type: .string), 2: Field(name: "apiGroup", type: .string),
            3: Field(name: "name", type: .string), 4: Field(name: "namespace", type: .string),
        ]), repeated: true),
        3: Field(name: "roleRef", type: .message([
            1: Field(name: "apiGroup", type: .string), 2: Field(name: "kind", type: .string), 3: Field(name: "name", type: .string),
        ])),
    ]

    static let workloadSchemas: [String: Schema] = [
        "Deployment": [
            1: Field(name: "metadata", type: .message(objectMeta)),
            2: Field(name: "spec", type: .message([
                1: Field(name: "replicas", type: .int, keepZero: true), 2: Field(name: "selector", type: .message(labelSelector)),
                3: Field(name: "template", type: .message(podTemplateSpec)), 5: Field(name: "minReadySeconds", type: .int),
                6: Field(name: "revisionHistoryLimit", type: .int, keepZero: true), 7: Field(name: "paused", type: .bool),
                9: Field(name: "progressDeadlineSeconds", type: .int, keepZero: true),
            ])),
        ],
        "Service": [
            1: Field(name: "metadata", type: .message(objectMeta)),
            2: Field(name: "spec", type: .message([
                1: Field(name: "ports", type: .message([
                    1: Field(name: "name", type: .string), 2: Field(name: "protocol", type: .string),
                    3: Field(name: "port", type: .int), 4: Field(name: "targetPort", type: .intOrString),
                    5: Field(name: "nodePort", type: .int), 6: Field(name: "appProtocol", type: .string),
                ]), repeated: true),
                2: Field(name: "selector", type: .map(value: .string)), 3: Field(name: "clusterIP", type: .string),
                4: Field(name: "type", type: .string), 5: Field(name: "externalIPs", type: .string, repeated: true),
                7: Field(name: "sessionAffinity", type: .string), 10: Field(name: "externalName", type: .string),
            ])),
        ],
        "Role": [1: Field(name: "metadata", type: .message(objectMeta)), 2: Field(name: "rules", type: .message(policyRule), repeated: true)],
        "ClusterRole": [1: Field(name: "metadata", type: .message(objectMeta)), 2: Field(name: "rules", type: .message(policyRule), repeated: true)],
        "RoleBinding": roleBinding,
        "ClusterRoleBinding": roleBinding,
    ]

    static let deleteOptions: Schema = [
        1: Field(name: "gracePeriodSeconds", type: .int),
        2: Field(name: "preconditions", type: .message([1: Field(name: "uid", type: .string), 2: Field(name: "resourceVersion", type: .string)])),
        3: Field(name: "orphanDependents", type: .bool),
        4: Field(name: "propagationPolicy", type: .string),
        5: Field(name: "dryRun", type: .string, repeated: true),
    ]

    // MARK: Decoding

    private static func decode(_ bytes: [UInt8], _ schema: Schema) throws(APIError) -> JSONValue {
        var reader = WireReader(bytes: bytes)
        var object = JSONValue.emptyObject
        while let (number, wire) = try reader.next() {
            guard let field = schema[number] else { continue }
            let value = try decodeValue(wire, field.type)
            if case .map = field.type {
                guard case .object(let entry) = value, let key = entry["key"]?.stringValue else { continue }
                var map = object[field.name] ?? .emptyObject
                map[key] = entry["value"] ?? .string("")
                object[field.name] = map
            } else if field.repeated {
                var list = object[field.name]?.arrayValue ?? []
                list.append(value)
                object[field.name] = .array(list)
            } else if field.keepZero || !isZero(value) {
                // Go writes every scalar field; its JSON form omits zero values (omitempty).
                object[field.name] = value
            }
        }
        return object
    }

    private static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty
        case .int(let number): return number == 0
        case .bool(let flag): return !flag
        case .null: return true
        default: return false
        }
    }

    private static func decodeValue(_ wire: WireValue, _ type: FieldType) throws(APIError) -> JSONValue {
        switch (type, wire) {
        case (.string, .bytes(let bytes)):
            return .string(String(decoding: bytes, as: UTF8.self))
        case (.bytes, .bytes(let bytes)):
            return .string(Data(bytes).base64EncodedString())
        case (.bool, .varint(let value)):
            return .bool(value != 0)
        case (.int, .varint(let value)):
            return .int(Int(truncatingIfNeeded: value))
        case (.time, .bytes(let bytes)):
            var reader = WireReader(bytes: bytes)
            var seconds: Int64 = 0
            while let (number, value) = try reader.next() {
                if number == 1, case .varint(let raw) = value { seconds = Int64(bitPattern: raw) }
            }
            if seconds == 0 { return .null }
            return .string(Timestamps.rfc3339(secondsSinceEpoch: Double(seconds)))
        case (.intOrString, .bytes(let bytes)):
            let parts = try decode(bytes, [1: Field(name: "type", type: .int), 2: Field(name: "intVal", type: .int), 3: Field(name: "strVal", type: .string)])
            if parts["type"]?.intValue == 1 { return parts["strVal"] ?? .string("") }
            return parts["intVal"] ?? .int(0)
        case (.message(let schema), .bytes(let bytes)):
            return try decode(bytes, schema)
        case (.map(let valueType), .bytes(let bytes)):
            let entry = try decode(bytes, [1: Field(name: "key", type: .string), 2: Field(name: "value", type: valueType)])
            return entry
        default:
            throw APIError.badRequest("the protobuf body has a field of an unexpected wire type")
        }
    }
}

enum WireValue {
    case varint(UInt64)
    case bytes([UInt8])
    case fixed
}

/// Reads protobuf wire-format fields one by one, refusing truncated input.
struct WireReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func next() throws(APIError) -> (Int, WireValue)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        let number = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0:
            return (number, .varint(try varint()))
        case 1:
            try skip(8)
            return (number, .fixed)
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw Self.truncated }
            let start = offset
            offset += Int(length)
            return (number, .bytes(Array(bytes[start..<offset])))
        case 5:
            try skip(4)
            return (number, .fixed)
        default:
            throw APIError.badRequest("the protobuf body uses an unsupported wire type \(key & 7)")
        }
    }

    private mutating func skip(_ count: Int) throws(APIError) {
        guard bytes.count - offset >= count else { throw Self.truncated }
        offset += count
    }

    private mutating func varint() throws(APIError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Self.truncated
    }

    static let truncated = APIError.badRequest("the protobuf body is truncated or malformed")
}
