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
        var causes: [StatusCause] = []
        guard let spec = crd["spec"], case .object = spec else { return [FieldError.required(field: "spec")] }

        let group = spec["group"]?.stringValue ?? ""
        if group.isEmpty {
            causes.append(FieldError.required(field: "spec.group"))
        } else if !NameValidation.dns1123Subdomain(group).isEmpty || !group.contains(".") {
            causes.append(FieldError.invalid(.string(group), detail: "should be a domain with at least one dot", field: "spec.group"))
        }

        let names = spec["names"] ?? .emptyObject
        let plural = names["plural"]?.stringValue ?? ""
        if plural.isEmpty {
            causes.append(FieldError.required(field: "spec.names.plural"))
        } else {
            causes += NameValidation.causes(NameValidation.dns1123Label(plural), value: plural, field: "spec.names.plural")
        }
        if let singular = names["singular"]?.stringValue, !singular.isEmpty {
            causes += NameValidation.causes(NameValidation.dns1123Label(singular), value: singular, field: "spec.names.singular")
        }
        let kind = names["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            causes.append(FieldError.required(field: "spec.names.kind"))
        } else if !isKindName(kind) {
            causes.append(FieldError.invalid(.string(kind), detail: "may have mixed case, but should otherwise match: [a-z0-9]([-a-z0-9]*[a-z0-9])?", field: "spec.names.kind"))
        }
        if let listKind = names["listKind"]?.stringValue, !listKind.isEmpty {
            if !isKindName(listKind) {
                causes.append(FieldError.invalid(.string(listKind), detail: "may have mixed case, but should otherwise match: [a-z0-9]([-a-z0-9]*[a-z0-9])?", field: "spec.names.listKind"))
            } else if listKind == kind {
                causes.append(FieldError.invalid(.string(listKind), detail: "kind and listKind may not be the same", field: "spec.names.listKind"))
            }
        }
        for (index, shortName) in BuiltinCells.strings(names["shortNames"]).enumerated() {
            causes += NameValidation.causes(NameValidation.dns1123Label(shortName), value: shortName, field: "spec.names.shortNames[\(index)]")
        }

        let name = crd[path: "metadata", "name"]?.stringValue ?? ""
        if !plural.isEmpty && !group.isEmpty && name != "\(plural).\(group)" {
            causes.append(FieldError.invalid(.string(name), detail: "must be spec.names.plural+\".\"+spec.group", field: "metadata.name"))
        }

        let scope = spec["scope"]?.stringValue ?? ""
        if scope.isEmpty {
            causes.append(FieldError.required(field: "spec.scope"))
        } else if scope != "Namespaced" && scope != "Cluster" {
            causes.append(FieldError.notSupported(.string(scope), supported: ["Cluster", "Namespaced"], field: "spec.scope"))
        }

        causes += versionCauses(spec)

        if let old, let oldSpec = old["spec"] {
            if let oldGroup = oldSpec["group"], oldGroup != spec["group"] {
                causes.append(FieldError.immutable(spec["group"] ?? .null, field: "spec.group"))
            }
            if let oldScope = oldSpec["scope"], oldScope != spec["scope"] {
                causes.append(FieldError.immutable(spec["scope"] ?? .null, field: "spec.scope"))
            }
        }
        return causes
    }

    private static func versionCauses(_ spec: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { return [FieldError.required(detail: "must have exactly one version marked as storage version", field: "spec.versions")] }
        var seen = Set<String>()
        var storageCount = 0
        for (index, version) in versions.enumerated() {
            let field = "spec.versions[\(index)]"
            let name = version["name"]?.stringValue ?? ""
            if name.isEmpty {
                causes.append(FieldError.required(field: "\(field).name"))
            } else if !NameValidation.dns1035Label(name).isEmpty {
                causes += NameValidation.causes(NameValidation.dns1035Label(name), value: name, field: "\(field).name")
            } else if !seen.insert(name).inserted {
                causes.append(FieldError.duplicate(.string(name), field: "\(field).name"))
            }
            if version["served"]?.boolValue == nil { causes.append(FieldError.required(field: "\(field).served")) }
            if version["storage"]?.boolValue == true { storageCount += 1 }

            if let schema = version[path: "schema", "openAPIV3Schema"] {
                if schema["type"]?.stringValue != "object" {
                    causes.append(FieldError.invalid(schema["type"] ?? .null, detail: "must be object at the root", field: "\(field).schema.openAPIV3Schema.type"))
                }
            } else if spec[path: "validation", "openAPIV3Schema"] == nil {
                causes.append(FieldError.required(detail: "schemas are required", field: "\(field).schema.openAPIV3Schema"))
            }

            for (columnIndex, column) in (version["additionalPrinterColumns"]?.arrayValue ?? []).enumerated() {
                let columnField = "\(field).additionalPrinterColumns[\(columnIndex)]"
                if (column["name"]?.stringValue ?? "").isEmpty { causes.append(FieldError.required(field: "\(columnField).name")) }
                let type = column["type"]?.stringValue ?? ""
                if type.isEmpty {
                    causes.append(FieldError.required(field: "\(columnField).type"))
                } else if !printerColumnTypes.contains(type) {
                    causes.append(FieldError.notSupported(.string(type), supported: printerColumnTypes, field: "\(columnField).type"))
                }
                let path = column["jsonPath"]?.stringValue ?? ""
                if path.isEmpty {
                    causes.append(FieldError.required(field: "\(columnField).jsonPath"))
                } else if (try? JSONPath(path)) == nil {
                    causes.append(FieldError.invalid(.string(path), detail: "must be a simple json path", field: "\(columnField).jsonPath"))
                }
                if let priority = column["priority"]?.intValue, priority < 0 {
                    causes.append(FieldError.invalid(.int(priority), detail: "must be greater than or equal to 0", field: "\(columnField).priority"))
                }
            }

            if let scale = version[path: "subresources", "scale"] {
                let specPath = scale["specReplicasPath"]?.stringValue ?? ""
                let statusPath = scale["statusReplicasPath"]?.stringValue ?? ""
                if specPath.isEmpty {
                    causes.append(FieldError.required(field: "\(field).subresources.scale.specReplicasPath"))
                } else if !specPath.hasPrefix(".spec.") {
                    causes.append(FieldError.invalid(.string(specPath), detail: "should be a json path under .spec", field: "\(field).subresources.scale.specReplicasPath"))
                }
                if statusPath.isEmpty {
                    causes.append(FieldError.required(field: "\(field).subresources.scale.statusReplicasPath"))
                } else if !statusPath.hasPrefix(".status.") {
                    causes.append(FieldError.invalid(.string(statusPath), detail: "should be a json path under .status", field: "\(field).subresources.scale.statusReplicasPath"))
                }
            }
        }
        if storageCount != 1 {
            causes.append(FieldError.invalid(spec["versions"] ?? .null, detail: "must have exactly one version marked as storage version", field: "spec.versions"))
        }
        return causes
    }

    /// Kinds may have mixed case but otherwise follow a DNS-1035 label (`DeploymentTarget`).
    static func isKindName(_ kind: String) -> Bool {
        NameValidation.dns1035Label(kind.lowercased()).isEmpty
    }
}
