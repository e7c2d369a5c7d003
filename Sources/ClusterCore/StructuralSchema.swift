import JSON
import Synchronization

/// A CRD's openAPIV3Schema, compiled once: validation (type, required, enum, pattern,
/// minimum/maximum, minLength/maxLength, minItems/maxItems, nullable,
/// x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string), defaulting, and pruning
/// of unknown fields, with field paths in the errors.
///
/// Follows k8s.io/apiextensions-apiserver (structural schemas, pruning, defaulting) and the
/// kube-openapi validator whose messages users see from `kubectl apply`:
/// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
public struct StructuralSchema: Sendable {
    let root: SchemaNode

    /// Compiles `openAPIV3Schema`; a schema the API server would refuse (an unknown type, a
    /// pattern that is not a regular expression, an array without items, a default that does
    /// not validate) throws 422 Invalid with one cause per problem, under `openAPIV3Schema`.
    public init(openAPIV3Schema: JSONValue) throws(APIError) {
        try self.init(openAPIV3Schema: openAPIV3Schema, fieldPath: "openAPIV3Schema")
    }

    /// As `init(openAPIV3Schema:)`, with the causes' field paths under `fieldPath` (for a CRD:
    /// `spec.versions[0].schema.openAPIV3Schema`). Rewrap the causes with `APIError.invalid`
    /// to name the CustomResourceDefinition in the message.
    public init(openAPIV3Schema: JSONValue, fieldPath: String) throws(APIError) {
        var causes: [StatusCause] = []
        let root = SchemaNode(parsing: openAPIV3Schema, at: fieldPath, level: .root, causes: &causes)
        if causes.isEmpty {
            root.checkDefaults(at: fieldPath, causes: &causes)
        }
        // Sorted as the API server sorts them, so that the message is stable.
        causes.sort { "\($0.field): \($0.message)" < "\($1.field): \($1.message)" }
        guard causes.isEmpty else {
            let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
            throw APIError(
                code: 422, reason: "Invalid",
                message: "CustomResourceDefinition is invalid: \(causes.count == 1 ? summary : "[\(summary)]")",
                details: .init(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", causes: causes))
        }
        self.root = root
    }

    /// Field errors of `object` (its metadata, apiVersion and kind are not checked here).
    public func validate(_ object: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        root.validate(object, at: "", isRoot: true, causes: &causes)
        return causes
    }

    /// Fills in `default` values and prunes fields the schema does not declare.
    public func applyDefaultsAndPrune(_ object: inout JSONValue) {
        root.defaultAndPrune(&object, isRoot: true)
    }
}

/// A compiled `pattern`. Matching goes through a lock because `Regex` is not Sendable.
final class SchemaPattern: Sendable {
    let source: String
    private let regex: Mutex<Regex<AnyRegexOutput>>

    init(_ source: String) throws {
        self.source = source
        regex = Mutex(try Regex(source))
    }

    /// Whether the pattern matches anywhere in `text` (patterns are not anchored, as in Go).
    func matches(_ text: String) -> Bool {
        regex.withLock { text.firstMatch(of: $0) != nil }
    }
}

/// `additionalProperties`: absent, a boolean, or a schema for every other member.
enum AdditionalProperties: Sendable {
    case unspecified
    case allowed(Bool)
    case schema(SchemaNode)
}

/// One node of the schema tree.
final class SchemaNode: Sendable {
    /// Where a node sits: structural rules differ at the root, for object fields, for array
    /// items, and inside allOf/anyOf/oneOf/not (value validations only).
    enum Level { case root, field, item, valueValidation }

    /// The level of a child node reached through properties/additionalProperties (`field`) or items.
    static func childLevel(_ parent: Level, _ child: Level) -> Level { parent == .valueValidation ? .valueValidation : child }

    static let knownTypes = ["array", "boolean", "integer", "number", "object", "string"]

    let type: String?
    let nullable: Bool
    let preserveUnknownFields: Bool
    let intOrString: Bool
    let embeddedResource: Bool
    let properties: OrderedDictionary<String, SchemaNode>
    let required: [String]
    let additionalProperties: AdditionalProperties
    let items: SchemaNode?
    let enumValues: [JSONValue]?
    let pattern: SchemaPattern?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let multipleOf: Double?
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let minProperties: Int?
    let maxProperties: Int?
    let format: String?
    let defaultValue: JSONValue?
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?

    /// Reads one schema object, appending a cause for each thing the API server would refuse.
    init(parsing schema: JSONValue, at path: String, level: Level, causes: inout [StatusCause]) {
        func invalid(_ field: String, _ value: JSONValue, _ detail: String) {
            causes.append(FieldError.invalid(value, detail: detail, field: "\(path).\(field)"))
        }
        let members: OrderedDictionary<String, JSONValue>
        if case .object(let written) = schema {
            members = written
        } else {
            // Reported once; the node then accepts anything so that no further noise follows.
            causes.append(FieldError.invalid(schema, detail: "must be a schema object", field: path))
            members = ["x-kubernetes-preserve-unknown-fields": true]
        }

        func bool(_ key: String) -> Bool {
            guard let value = members[key] else { return false }
            guard let flag = value.boolValue else {
                invalid(key, value, "must be a boolean")
                return false
            }
            return flag
        }
        func number(_ key: String) -> Double? {
            guard let value = members[key] else { return nil }
            guard let number = value.doubleValue else {
                invalid(key, value, "must be a number")
                return nil
            }
            return number
        }
        func count(_ key: String) -> Int? {
            guard let value = members[key] else { return nil }
            guard let number = value.intValue, number >= 0 else {
                invalid(key, value, "must be a non-negative integer")
                return nil
            }
            return number
        }
        func subschemas(_ key: String) -> [SchemaNode] {
            guard let value = members[key] else { return [] }
            guard case .array(let list) = value else {
                invalid(key, value, "must be a list of schemas")
                return []
            }
            return list.enumerated().map { index, element in
                SchemaNode(parsing: element, at: "\(path).\(key)[\(index)]", level: .valueValidation, causes: &causes)
            }
        }

        // Types and extensions.
        var type: String? = nil
        if let value = members["type"] {
            if let name = value.stringValue, Self.knownTypes.contains(name) {
                type = name
            } else {
                causes.append(FieldError.notSupported(value, supported: Self.knownTypes, field: "\(path).type"))
            }
        }
        self.type = type
        nullable = bool("nullable")
        preserveUnknownFields = bool("x-kubernetes-preserve-unknown-fields")
        intOrString = bool("x-kubernetes-int-or-string")
        embeddedResource = bool("x-kubernetes-embedded-resource")

        // Structural rules (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go).
        let untypedAllowed = intOrString || preserveUnknownFields
        if embeddedResource && type != "object" {
            if let type {
                invalid("type", .string(type), "must be object if x-kubernetes-embedded-resource is true")
            } else {
                causes.append(FieldError.required(detail: "must be object if x-kubernetes-embedded-resource is true", field: "\(path).type"))
            }
        } else if members["type"] == nil && !untypedAllowed {
            switch level {
            case .root: causes.append(FieldError.required(detail: "must not be empty at the root", field: "\(path).type"))
            case .item: causes.append(FieldError.required(detail: "must not be empty for specified array items", field: "\(path).type"))
            case .field: causes.append(FieldError.required(detail: "must not be empty for specified object fields", field: "\(path).type"))
            case .valueValidation: break
            }
        }
        if level == .root, let type, type != "object" {
            invalid("type", .string(type), "must be object at the root")
        }
        if level == .root && members["additionalProperties"] != nil {
            causes.append(FieldError.forbidden("must not be used at the root", field: "\(path).additionalProperties"))
        }
        if intOrString && preserveUnknownFields {
            invalid("x-kubernetes-preserve-unknown-fields", true, "must be false if x-kubernetes-int-or-string is true")
        }
        if level == .valueValidation {
            for (key, rule) in [("type", "must be empty to be structural"), ("additionalProperties", "must be undefined to be structural"),
                                ("default", "must be undefined to be structural"), ("nullable", "must be false to be structural"),
                                ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
                                ("x-kubernetes-embedded-resource", "must be false to be structural"),
                                ("x-kubernetes-int-or-string", "must be false to be structural")]
            where members[key] != nil && members[key] != .bool(false) {
                causes.append(FieldError.forbidden(rule, field: "\(path).\(key)"))
            }
        }
        if level == .root, case .object(let metadata)? = members["properties"]?["metadata"],
           let declared = metadata["properties"]?.objectValue,
           declared.keys.contains(where: { $0 != "name" && $0 != "generateName" }) {
            causes.append(FieldError.forbidden("must not specify anything other than name and generateName, but metadata is implicitly specified",
                                               field: "\(path).properties[metadata]"))
        }

        // Structure.
        var properties: OrderedDictionary<String, SchemaNode> = [:]
        if let value = members["properties"] {
            if case .object(let declared) = value {
                for (name, propertySchema) in declared {
                    properties[name] = SchemaNode(
                        parsing: propertySchema, at: "\(path).properties[\(name)]",
                        level: Self.childLevel(level, .field), causes: &causes)
                }
            } else {
                invalid("properties", value, "must be an object of schemas")
            }
        }
        self.properties = properties

        var required: [String] = []
        if let value = members["required"] {
            if case .array(let names) = value, names.allSatisfy({ $0.stringValue != nil }) {
                required = names.compactMap(\.stringValue)
            } else {
                invalid("required", value, "must be a list of property names")
            }
        }
        self.required = required

        switch members["additionalProperties"] {
        case nil:
            additionalProperties = .unspecified
        case .bool(let allowed)?:
            additionalProperties = .allowed(allowed)
        case let value?:
            additionalProperties = .schema(SchemaNode(
                parsing: value, at: "\(path).additionalProperties",
                level: Self.childLevel(level, .field), causes: &causes))
        }

        if let value = members["items"] {
            items = SchemaNode(parsing: value, at: "\(path).items", level: Self.childLevel(level, .item), causes: &causes)
        } else {
            items = nil
            if type == "array" && level != .valueValidation {
                causes.append(FieldError.required(detail: "must be specified", field: "\(path).items"))
            }
        }

        // Value validations.
        if let value = members["enum"] {
            if case .array(let values) = value {
                enumValues = values
            } else {
                invalid("enum", value, "must be a list of values")
                enumValues = nil
            }
        } else {
            enumValues = nil
        }

        if let value = members["pattern"] {
            if let source = value.stringValue {
                do {
                    pattern = try SchemaPattern(source)
                } catch {
                    invalid("pattern", value, "must be a valid regular expression, but isn't: \(error)")
                    pattern = nil
                }
            } else {
                invalid("pattern", value, "must be a string")
                pattern = nil
            }
        } else {
            pattern = nil
        }

        minimum = number("minimum")
        maximum = number("maximum")
        exclusiveMinimum = bool("exclusiveMinimum")
        exclusiveMaximum = bool("exclusiveMaximum")
        multipleOf = number("multipleOf")
        if let multipleOf, multipleOf <= 0 {
            invalid("multipleOf", members["multipleOf"] ?? .null, "must be greater than zero")
        }
        minLength = count("minLength")
        maxLength = count("maxLength")
        minItems = count("minItems")
        maxItems = count("maxItems")
        uniqueItems = bool("uniqueItems")
        minProperties = count("minProperties")
        maxProperties = count("maxProperties")
        format = members["format"]?.stringValue
        defaultValue = members["default"]
        allOf = subschemas("allOf")
        anyOf = subschemas("anyOf")
        oneOf = subschemas("oneOf")
        not = members["not"].map { SchemaNode(parsing: $0, at: "\(path).not", level: .valueValidation, causes: &causes) }
    }

    /// Every `default` must itself be valid against its schema (the API server checks this
    /// when the CRD is written, so that defaulting never produces an invalid object).
    /// `dataPath` names the defaulted field as an object's errors would (`spec.replicas`).
    func checkDefaults(at path: String, dataPath: String = "", causes: inout [StatusCause]) {
        if let defaultValue {
            var problems: [StatusCause] = []
            validate(defaultValue, at: dataPath, isRoot: false, causes: &problems)
            for problem in problems {
                causes.append(StatusCause(reason: problem.reason, message: problem.message, field: "\(path).default"))
            }
        }
        for (name, property) in properties {
            property.checkDefaults(at: "\(path).properties[\(name)]", dataPath: Self.child(dataPath, name), causes: &causes)
        }
        if case .schema(let node) = additionalProperties {
            node.checkDefaults(at: "\(path).additionalProperties", dataPath: Self.child(dataPath, "*"), causes: &causes)
        }
        items?.checkDefaults(at: "\(path).items", dataPath: "\(dataPath)[*]", causes: &causes)
    }
}
