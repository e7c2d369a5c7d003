import JSON

/// A v3 schema reduced to what OpenAPI v2 and kubectl's v2 model can carry, by the rules
/// kube-apiserver applies to CRD schemas for `/openapi/v2`
/// (k8s.io/apiextensions-apiserver/pkg/controller/openapi/v2/conversion.go):
///
/// - `allOf`, `anyOf`, `oneOf` and `not` are dropped; the `allOf: [{$ref}]` v3 uses to
///   describe a reference becomes the `$ref` itself, as the v2 document writes it;
/// - a `nullable` schema loses its type, items and properties (kubectl cannot check null);
/// - an `x-kubernetes-preserve-unknown-fields` schema loses its items and properties, and an
///   object one its type: kubectl would report the unknown fields it keeps;
/// - an array left without items loses its type (kubectl refuses arrays without items);
/// - nullable properties are not `required`.
///
/// So a described kind is checked by kubectl as far as it is described and no further.
enum OpenAPIV2Schema {
    static let v3Prefix = "#/components/schemas/"
    static let v2Prefix = "#/definitions/"

    static func convert(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        if let ref = members["$ref"]?.stringValue, ref.hasPrefix(v3Prefix) {
            members["$ref"] = .string(v2Prefix + ref.dropFirst(v3Prefix.count))
        }
        if let allOf = members.removeValue(forKey: "allOf")?.arrayValue,
           allOf.count == 1, members["$ref"] == nil, let ref = allOf[0]["$ref"] {
            members["$ref"] = convert(["$ref": ref])["$ref"]
        }
        for junctor in ["anyOf", "oneOf", "not"] { members.removeValue(forKey: junctor) }

        if members["nullable"]?.boolValue == true {
            for key in ["type", "items", "properties", "nullable"] { members.removeValue(forKey: key) }
        } else {
            members.removeValue(forKey: "nullable")
        }
        if members["x-kubernetes-preserve-unknown-fields"]?.boolValue == true {
            members.removeValue(forKey: "items")
            members.removeValue(forKey: "properties")
            if members["type"]?.stringValue == "object" { members.removeValue(forKey: "type") }
        }
        if case .object(let properties) = members["properties"] {
            var converted = OrderedDictionary<String, JSONValue>()
            var nullable: Set<String> = []
            for (name, property) in properties {
                if property["nullable"]?.boolValue == true { nullable.insert(name) }
                converted[name] = convert(property)
            }
            members["properties"] = .object(converted)
            if !nullable.isEmpty, let required = members["required"]?.arrayValue {
                let kept = required.filter { !nullable.contains($0.stringValue ?? "") }
                members["required"] = kept.isEmpty ? nil : .array(kept)
            }
        }
        if let items = members["items"] {
            // v2 allows one schema or a list; kubectl reads exactly one.
            members["items"] = convert(items.arrayValue?.first ?? items)
        }
        if case .object = members["additionalProperties"], let additional = members["additionalProperties"] {
            if additional["nullable"]?.boolValue == true { members.removeValue(forKey: "required") }
            members["additionalProperties"] = convert(additional)
        }
        if members["type"]?.stringValue == "array" && members["items"] == nil {
            members.removeValue(forKey: "type")
        }
        return .object(members)
    }
}
