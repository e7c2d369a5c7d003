import JSON

/// Turns a CustomResourceDefinition into the strategies of the versions it serves; validates
/// the CRD itself and reports the status the API server gives a CRD once it serves it.
/// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
public enum CustomResourceDefinitions {
    /// The ResourceType of each served version, in the order of `spec.versions`: group, names
    /// (short names, categories), scope, subresources (status, scale) and
    /// additionalPrinterColumns. Throws 422 with field causes for a CRD that cannot be served.
    public static func resourceTypes(for crd: JSONValue) throws(APIError) -> [ResourceType] {
        let causes = validationCauses(crd)
        guard causes.isEmpty else { throw invalid(crd, causes) }
        var defaulted = crd
        applyDefaults(&defaulted)
        let spec = defaulted["spec"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"] ?? .emptyObject
        let kind = names["kind"]?.stringValue ?? ""
        return servedVersions(spec).map { version in
            let subresources = version["subresources"] ?? spec["subresources"]
            var served: [String] = []
            if subresources?["status"] != nil { served.append("status") }
            if subresources?["scale"] != nil { served.append("scale") }
            let columns = (version["additionalPrinterColumns"] ?? spec["additionalPrinterColumns"])?.arrayValue ?? []
            return ResourceType(
                group: group, version: version["name"]?.stringValue ?? "",
                plural: names["plural"]?.stringValue ?? "", singular: names["singular"]?.stringValue ?? kind.lowercased(),
                kind: kind, listKind: names["listKind"]?.stringValue,
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: BuiltinCells.strings(names["shortNames"]), categories: BuiltinCells.strings(names["categories"]),
                subresources: served, printerColumns: columns.map(printerColumn))
        }
    }

    /// One strategy per served version (schema validation, defaults, printer columns,
    /// subresources). Throws 422 for a CRD that cannot be served.
    public static func strategies(for crd: JSONValue) throws(APIError) -> [ResourceStrategy] {
        let types = try resourceTypes(for: crd)
        let allVersions = crd[path: "spec", "versions"]?.arrayValue ?? []
        let versions = allVersions.indices.filter { allVersions[$0]["served"]?.boolValue == true }.map { ($0, allVersions[$0]) }
        var strategies: [ResourceStrategy] = []
        for (type, (index, version)) in zip(types, versions) {
            guard let schemaValue = version[path: "schema", "openAPIV3Schema"] else {
                strategies.append(ResourceStrategy(type: type))
                continue
            }
            let schema: StructuralSchema
            let field = "spec.versions[\(index)].schema.openAPIV3Schema"
            do {
                schema = try StructuralSchema(openAPIV3Schema: schemaValue, fieldPath: field)
            } catch {
                throw invalid(crd, schemaCauses(error, field: field))
            }
            strategies.append(ResourceStrategy(
                type: type,
                prepare: { object, _ in
                    // apiVersion, kind and metadata belong to the API machinery, not to the schema.
                    let kept = (object["apiVersion"], object["kind"], object["metadata"])
                    schema.applyDefaultsAndPrune(&object)
                    object["apiVersion"] = kept.0
                    object["kind"] = kept.1
                    object["metadata"] = kept.2
                },
                validate: { object, _ in schema.validate(object) }))
        }
        return strategies
    }

    /// The CRD's status as the API server would set it once serving: accepted names,
    /// the NamesAccepted and Established conditions (their lastTransitionTime kept when they
    /// already were True), and storedVersions including the current storage version.
    public static func servingStatus(for crd: JSONValue, now: String) -> JSONValue {
        var defaulted = crd
        applyDefaults(&defaulted)
        let spec = defaulted["spec"] ?? .emptyObject
        let names = spec["names"] ?? .emptyObject
        var accepted: JSONValue = [
            "plural": names["plural"] ?? "", "singular": names["singular"] ?? "",
        ]
        if let shortNames = names["shortNames"], !BuiltinCells.strings(shortNames).isEmpty { accepted["shortNames"] = shortNames }
        accepted["kind"] = names["kind"] ?? ""
        accepted["listKind"] = names["listKind"] ?? ""
        if let categories = names["categories"], !BuiltinCells.strings(categories).isEmpty { accepted["categories"] = categories }

        let previous = crd[path: "status", "conditions"]?.arrayValue ?? []
        func condition(_ type: String, reason: String, message: String) -> JSONValue {
            let old = previous.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
            return [
                "type": .string(type), "status": "True",
                "lastTransitionTime": old?["lastTransitionTime"] ?? .string(now),
                "reason": .string(reason), "message": .string(message),
            ]
        }

        var stored = BuiltinCells.strings(crd[path: "status", "storedVersions"])
        if let storage = storageVersion(of: crd), !stored.contains(storage) { stored.append(storage) }
        return [
            "conditions": [
                condition("NamesAccepted", reason: "NoConflicts", message: "no conflicts found"),
                condition("Established", reason: "InitialNamesAccepted", message: "the initial names have been accepted"),
            ],
            "acceptedNames": accepted,
            "storedVersions": .array(stored.map { .string($0) }),
        ]
    }

    /// The version marked `storage: true`, if exactly one is.
    public static func storageVersion(of crd: JSONValue) -> String? {
        let storage = (crd[path: "spec", "versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }
        return storage.count == 1 ? storage[0]["name"]?.stringValue : nil
    }

    /// The defaults the API server gives a CRD: names.singular (the lower-cased kind),
    /// names.listKind (kind + "List") and conversion strategy None.
    public static func applyDefaults(_ crd: inout JSONValue) {
        guard case .object = crd, case .object? = crd["spec"] else { return }
        if let kind = crd[path: "spec", "names", "kind"]?.stringValue, !kind.isEmpty {
            if (crd[path: "spec", "names", "singular"]?.stringValue ?? "").isEmpty {
                crd[path: "spec", "names", "singular"] = .string(kind.lowercased())
            }
            if (crd[path: "spec", "names", "listKind"]?.stringValue ?? "").isEmpty {
                crd[path: "spec", "names", "listKind"] = .string(kind + "List")
            }
        }
        if crd[path: "spec", "conversion"] == nil {
            crd[path: "spec", "conversion"] = ["strategy": "None"]
        }
    }

    /// The CRD strategy's validation: the CRD's own rules, then each version's schema must
    /// compile into a structural schema.
    static func validate(_ crd: JSONValue, old: JSONValue?) -> [StatusCause] {
        var causes = validationCauses(crd, old: old)
        guard causes.isEmpty else { return causes }
        for (index, version) in (crd[path: "spec", "versions"]?.arrayValue ?? []).enumerated() {
            guard let schema = version[path: "schema", "openAPIV3Schema"] else { continue }
            let field = "spec.versions[\(index)].schema.openAPIV3Schema"
            do {
                _ = try StructuralSchema(openAPIV3Schema: schema, fieldPath: field)
            } catch {
                causes += schemaCauses(error, field: field)
            }
        }
        return causes
    }

    static func servedVersions(_ spec: JSONValue) -> [JSONValue] {
        (spec["versions"]?.arrayValue ?? []).filter { $0["served"]?.boolValue == true }
    }

    static func printerColumn(_ column: JSONValue) -> PrinterColumn {
        PrinterColumn(
            name: column["name"]?.stringValue ?? "", type: column["type"]?.stringValue ?? "string",
            format: column["format"]?.stringValue ?? "", description: column["description"]?.stringValue ?? "",
            priority: column["priority"]?.intValue ?? 0, jsonPath: column["jsonPath"]?.stringValue ?? "")
    }

    static func invalid(_ crd: JSONValue, _ causes: [StatusCause]) -> APIError {
        APIError.invalid(BuiltinResources.customResourceDefinition.type, name: crd[path: "metadata", "name"]?.stringValue ?? "", causes: causes)
    }

    /// The causes a schema that does not compile gives, already placed under `field`.
    static func schemaCauses(_ error: APIError, field: String) -> [StatusCause] {
        if let causes = error.details?.causes, !causes.isEmpty { return causes }
        return [StatusCause(reason: "FieldValueInvalid", message: error.message, field: field)]
    }
}
