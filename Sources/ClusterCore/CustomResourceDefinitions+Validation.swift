import JSON

extension CustomResourceDefinitions {
    static let printerColumnTypes = ["boolean", "date", "integer", "number", "string"]

    /// What makes a CRD servable, as the API server checks it
    /// (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation): a group with a dot,
    /// lower-case plural and singular, a kind, scope Namespaced or Cluster, versions with
    /// unique names and exactly one storage version, a schema for each version, valid printer
    /// columns, and metadata.name equal to `<plural>.<group>`. On update, group and scope
    /// may not change.
    public static func validationCauses(_ crd: JSONValue, old: JSONValue? = nil) -> [StatusCause] {
        typealias E = FieldErrors
        var causes: [StatusCause] = []
        guard let spec = crd["spec"], case .object = spec else { return [E.required("spec")] }

        let group = spec["group"]?.stringValue ?? ""
        if group.isEmpty {
            causes.append(E.required("spec.group"))
        } else if !E.isDNSSubdomain(group) || !group.contains(".") {
            causes.append(E.invalid("spec.group", .string(group), "should be a domain with at least one dot"))
        }

        let names = spec["names"] ?? .emptyObject
        let plural = names["plural"]?.stringValue ?? ""
        if plural.isEmpty {
            causes.append(E.required("spec.names.plural"))
        } else if !E.isDNSLabel(plural) {
            causes.append(E.invalid("spec.names.plural", .string(plural), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
        }
        if let singular = names["singular"]?.stringValue, !singular.isEmpty, !E.isDNSLabel(singular) {
            causes.append(E.invalid("spec.names.singular", .string(singular), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
        }
        let kind = names["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            causes.append(E.required("spec.names.kind"))
        } else if !isKindName(kind) {
            causes.append(E.invalid("spec.names.kind", .string(kind), "may have mixed case, but should otherwise match: [a-z0-9]([-a-z0-9]*[a-z0-9])?"))
        }
        if let listKind = names["listKind"]?.stringValue, !listKind.isEmpty {
            if !isKindName(listKind) {
                causes.append(E.invalid("spec.names.listKind", .string(listKind), "may have mixed case, but should otherwise match: [a-z0-9]([-a-z0-9]*[a-z0-9])?"))
            } else if listKind == kind {
                causes.append(E.invalid("spec.names.listKind", .string(listKind), "kind and listKind may not be the same"))
            }
        }
        for (index, shortName) in BuiltinCells.strings(names["shortNames"]).enumerated() where !E.isDNSLabel(shortName) {
            causes.append(E.invalid("spec.names.shortNames[\(index)]", .string(shortName), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
        }

        let name = crd[path: "metadata", "name"]?.stringValue ?? ""
        if !plural.isEmpty && !group.isEmpty && name != "\(plural).\(group)" {
            causes.append(E.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }

        let scope = spec["scope"]?.stringValue ?? ""
        if scope.isEmpty {
            causes.append(E.required("spec.scope"))
        } else if scope != "Namespaced" && scope != "Cluster" {
            causes.append(E.notSupported("spec.scope", .string(scope), ["Cluster", "Namespaced"]))
        }

        causes += versionCauses(spec)

        if let old, let oldSpec = old["spec"] {
            if let oldGroup = oldSpec["group"], oldGroup != spec["group"] {
                causes.append(E.immutable("spec.group", spec["group"] ?? .null))
            }
            if let oldScope = oldSpec["scope"], oldScope != spec["scope"] {
                causes.append(E.immutable("spec.scope", spec["scope"] ?? .null))
            }
        }
        return causes
    }

    private static func versionCauses(_ spec: JSONValue) -> [StatusCause] {
        typealias E = FieldErrors
        var causes: [StatusCause] = []
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { return [E.required("spec.versions", "must have exactly one version marked as storage version")] }
        var seen = Set<String>()
        var storageCount = 0
        for (index, version) in versions.enumerated() {
            let field = "spec.versions[\(index)]"
            let name = version["name"]?.stringValue ?? ""
            if name.isEmpty {
                causes.append(E.required("\(field).name"))
            } else if !E.isDNSLabel(name) {
                causes.append(E.invalid("\(field).name", .string(name), "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"))
            } else if !seen.insert(name).inserted {
                causes.append(E.duplicate("\(field).name", .string(name)))
            }
            if version["served"]?.boolValue == nil { causes.append(E.required("\(field).served")) }
            if version["storage"]?.boolValue == true { storageCount += 1 }

            if let schema = version[path: "schema", "openAPIV3Schema"] {
                if schema["type"]?.stringValue != "object" {
                    causes.append(E.invalid("\(field).schema.openAPIV3Schema.type", schema["type"] ?? .null, "must be object at the root"))
                }
            } else if spec[path: "validation", "openAPIV3Schema"] == nil {
                causes.append(E.required("\(field).schema.openAPIV3Schema", "schemas are required"))
            }

            for (columnIndex, column) in (version["additionalPrinterColumns"]?.arrayValue ?? []).enumerated() {
                let columnField = "\(field).additionalPrinterColumns[\(columnIndex)]"
                if (column["name"]?.stringValue ?? "").isEmpty { causes.append(E.required("\(columnField).name")) }
                let type = column["type"]?.stringValue ?? ""
                if type.isEmpty {
                    causes.append(E.required("\(columnField).type"))
                } else if !printerColumnTypes.contains(type) {
                    causes.append(E.notSupported("\(columnField).type", .string(type), printerColumnTypes))
                }
                let path = column["jsonPath"]?.stringValue ?? ""
                if path.isEmpty {
                    causes.append(E.required("\(columnField).jsonPath"))
                } else if (try? JSONPath(path)) == nil {
                    causes.append(E.invalid("\(columnField).jsonPath", .string(path), "must be a simple json path"))
                }
                if let priority = column["priority"]?.intValue, priority < 0 {
                    causes.append(E.invalid("\(columnField).priority", .int(priority), "must be greater than or equal to 0"))
                }
            }

            if let scale = version[path: "subresources", "scale"] {
                let specPath = scale["specReplicasPath"]?.stringValue ?? ""
                let statusPath = scale["statusReplicasPath"]?.stringValue ?? ""
                if specPath.isEmpty {
                    causes.append(E.required("\(field).subresources.scale.specReplicasPath"))
                } else if !specPath.hasPrefix(".spec.") {
                    causes.append(E.invalid("\(field).subresources.scale.specReplicasPath", .string(specPath), "should be a json path under .spec"))
                }
                if statusPath.isEmpty {
                    causes.append(E.required("\(field).subresources.scale.statusReplicasPath"))
                } else if !statusPath.hasPrefix(".status.") {
                    causes.append(E.invalid("\(field).subresources.scale.statusReplicasPath", .string(statusPath), "should be a json path under .status"))
                }
            }
        }
        if storageCount != 1 {
            causes.append(E.invalid("spec.versions", spec["versions"] ?? .null, "must have exactly one version marked as storage version"))
        }
        return causes
    }

    /// Kinds may have mixed case but otherwise follow a DNS-1035 label (`DeploymentTarget`).
    static func isKindName(_ kind: String) -> Bool {
        FieldErrors.isDNSLabel(kind.lowercased())
    }
}
