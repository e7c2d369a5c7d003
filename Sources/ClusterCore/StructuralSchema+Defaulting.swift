import JSON

/// Defaulting and pruning as the API server does them for custom resources: a property's
/// `default` fills it in when its parent object is present and the property is missing (or
/// null without `nullable`), defaults nest, and members the schema does not declare are
/// dropped unless `x-kubernetes-preserve-unknown-fields` keeps them. apiVersion, kind and
/// metadata at the root (and in embedded resources) are left alone.
/// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting
extension SchemaNode {
    func defaultAndPrune(_ value: inout JSONValue, isRoot: Bool = false) {
        switch value {
        case .object(var members):
            value = .null
            for (name, member) in members {
                if (isRoot || embeddedResource) && ["apiVersion", "kind", "metadata"].contains(name) { continue }
                let schema: SchemaNode?
                if let property = properties[name] {
                    schema = property
                } else if case .schema(let node) = additionalProperties {
                    schema = node
                } else {
                    schema = nil
                }
                guard let schema else {
                    let keepsUnknown: Bool
                    if case .allowed(true) = additionalProperties { keepsUnknown = true } else { keepsUnknown = preserveUnknownFields }
                    if !keepsUnknown { members.removeValue(forKey: name) }
                    continue
                }
                if member.isNull && !schema.nullable {
                    if let defaultValue = schema.defaultValue {
                        var filled = defaultValue
                        schema.defaultAndPrune(&filled)
                        members[name] = filled
                    } else if schema.type != nil || schema.intOrString {
                        members.removeValue(forKey: name)
                    }
                    continue
                }
                var child = member
                members[name] = .null
                schema.defaultAndPrune(&child)
                members[name] = child
            }
            for (name, property) in properties where members[name] == nil {
                guard let defaultValue = property.defaultValue else { continue }
                var filled = defaultValue
                property.defaultAndPrune(&filled)
                members[name] = filled
            }
            value = .object(members)
        case .array(var elements):
            guard let items else { return }
            value = .null
            for index in elements.indices {
                if elements[index].isNull && !items.nullable, let defaultValue = items.defaultValue {
                    elements[index] = defaultValue
                }
                items.defaultAndPrune(&elements[index])
            }
            value = .array(elements)
        default:
            break
        }
    }
}
