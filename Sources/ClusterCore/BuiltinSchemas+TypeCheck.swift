import JSON

extension BuiltinSchemas {
    /// Type errors of a built-in object against its published schema: a string where an integer
    /// belongs, an object where a list belongs. The API server's decoder refuses these before
    /// any validation; here they become field causes worded like schema validation's
    /// (`spec.replicas in body must be of type integer: "string"`). Fields the schema does not
    /// describe, and nulls, are accepted.
    static func typeCauses(of object: JSONValue, schemaName: String) -> [StatusCause] {
        guard let schema = all[schemaName] else { return [] }
        var causes: [StatusCause] = []
        check(object, against: schema, at: "", causes: &causes)
        return causes
    }

    /// The schema a property refers to, through `$ref` or a described `allOf: [{$ref}]`.
    private static func resolved(_ schema: JSONValue) -> JSONValue {
        if let first = schema["allOf"]?[0] { return resolved(first) }
        guard let ref = schema["$ref"]?.stringValue else { return schema }
        return all[String(ref.dropFirst("#/components/schemas/".count))] ?? .emptyObject
    }

    private static func check(_ value: JSONValue, against declared: JSONValue, at path: String, causes: inout [StatusCause]) {
        if value.isNull { return }
        let schema = resolved(declared)
        if schema["format"] == "quantity" {
            // Quantities decode from strings and from any JSON number (`cpu: 0.5`).
            switch value {
            case .int, .double, .string: return
            default:
                causes.append(typeError(value, expected: "string", at: path))
                return
            }
        }
        if schema["x-kubernetes-int-or-string"] == true {
            switch value {
            case .int, .string: return
            case .double(let d) where d.rounded() == d: return
            default:
                causes.append(typeError(value, expected: "integer,string", at: path))
                return
            }
        }
        guard let type = schema["type"]?.stringValue else { return }
        switch (type, value) {
        case ("object", .object(let members)):
            let properties = schema["properties"]?.objectValue ?? [:]
            let additional = schema["additionalProperties"]
            for (key, member) in members {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                if let property = properties[key] {
                    check(member, against: property, at: memberPath, causes: &causes)
                } else if let additional, case .object = additional {
                    check(member, against: additional, at: memberPath, causes: &causes)
                }
            }
        case ("array", .array(let items)):
            guard let itemSchema = schema["items"] else { return }
            for (index, item) in items.enumerated() {
                check(item, against: itemSchema, at: "\(path)[\(index)]", causes: &causes)
            }
        case ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double):
            return
        case ("integer", .double(let d)) where d.rounded() == d && abs(d) < 9.2e18:
            return
        default:
            causes.append(typeError(value, expected: type, at: path))
        }
    }

    private static func typeError(_ value: JSONValue, expected: String, at path: String) -> StatusCause {
        let found = JSONValue.string(value.typeName)
        return FieldError.typeInvalid(found, detail: "\(path) in body must be of type \(expected): \(found.jsonString())", field: path)
    }
}
