import ClusterCore
import JSON
import Testing

/// A DeploymentTarget-like CRD with two versions, printer columns and subresources.
func sampleCRD(name: String = "deploymenttargets.slipway.dev") -> JSONValue {
    let schema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": ["type": "object", "properties": ["environment": ["type": "string"], "replicas": ["type": "integer"]]],
            "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
        ],
    ]
    return [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": .string(name)],
        "spec": [
            "group": "slipway.dev",
            "names": ["plural": "deploymenttargets", "kind": "DeploymentTarget", "shortNames": ["dt"], "categories": ["slipway"]],
            "scope": "Namespaced",
            "versions": [
                [
                    "name": "v1alpha1", "served": true, "storage": true, "schema": ["openAPIV3Schema": schema],
                    "subresources": ["status": .emptyObject, "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"]],
                    "additionalPrinterColumns": [
                        ["name": "Environment", "type": "string", "jsonPath": ".spec.environment"],
                        ["name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": 1, "description": "Desired replicas"],
                        ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                    ],
                ],
                ["name": "v1alpha0", "served": false, "storage": false, "schema": ["openAPIV3Schema": schema]],
            ],
        ],
    ]
}

@Suite("CRD serving and validation")
struct CRDTests {
    @Test("A CRD maps to one ResourceType per served version")
    func resourceTypeMapping() throws {
        let types = try CustomResourceDefinitions.resourceTypes(for: sampleCRD())
        #expect(types.count == 1)
        let type = try #require(types.first)
        #expect(type.group == "slipway.dev")
        #expect(type.version == "v1alpha1")
        #expect(type.plural == "deploymenttargets")
        #expect(type.singular == "deploymenttarget")
        #expect(type.kind == "DeploymentTarget")
        #expect(type.listKind == "DeploymentTargetList")
        #expect(type.namespaced)
        #expect(type.shortNames == ["dt"])
        #expect(type.categories == ["slipway"])
        #expect(type.subresources == ["status", "scale"])
        #expect(type.printerColumns.map(\.name) == ["Environment", "Replicas", "Age"])
        #expect(type.printerColumns[1] == PrinterColumn(name: "Replicas", type: "integer", description: "Desired replicas", priority: 1, jsonPath: ".spec.replicas"))
    }

    @Test("A cluster-scoped CRD gives a cluster-scoped type")
    func clusterScope() throws {
        var crd = sampleCRD()
        crd[path: "spec", "scope"] = "Cluster"
        #expect(try CustomResourceDefinitions.resourceTypes(for: crd).first?.namespaced == false)
    }

    @Test("A CRD whose name is not plural.group is refused with 422 naming metadata.name")
    func nameMismatch() {
        #expect {
            _ = try CustomResourceDefinitions.strategies(for: sampleCRD(name: "targets.slipway.dev"))
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.code == 422 && error.reason == "Invalid" && error.details?.causes.contains { $0.field == "metadata.name" } == true
        }
    }

    /// Breaks the sample CRD in the way named by the field that should then be reported.
    static func broken(_ field: String) -> JSONValue {
        var crd = sampleCRD()
        var versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        switch field {
        case "spec.group": crd[path: "spec", "group"] = "nodot"
        case "spec.scope": crd[path: "spec", "scope"] = "Global"
        case "spec.names.kind": crd[path: "spec", "names", "kind"] = nil
        case "spec.names.plural": crd[path: "spec", "names", "plural"] = "Deployment_Targets"
        case "spec.versions": versions = []
        case "spec.versions[0].schema.openAPIV3Schema": versions[0]["schema"] = nil
        default: versions[0]["additionalPrinterColumns"] = [["name": "X", "type": "text", "jsonPath": ".spec.x"]]
        }
        if crd[path: "spec", "versions"] != .array(versions) { crd[path: "spec", "versions"] = .array(versions) }
        return crd
    }

    @Test("Invalid CRDs are refused with 422 naming the field", arguments: [
        "spec.group", "spec.scope", "spec.names.kind", "spec.names.plural", "spec.versions",
        "spec.versions[0].schema.openAPIV3Schema", "spec.versions[0].additionalPrinterColumns[0].type",
    ])
    func invalidCRDs(field: String) {
        let crd = Self.broken(field)
        let causes = CustomResourceDefinitions.validationCauses(crd)
        #expect(causes.contains { $0.field == field }, "causes: \(causes)")
        do {
            _ = try CustomResourceDefinitions.resourceTypes(for: crd)
            Issue.record("an invalid CRD was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.details?.kind == "CustomResourceDefinition")
        }
    }

    @Test("Two storage versions are refused")
    func twoStorageVersions() {
        var crd = sampleCRD()
        var versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        versions[1]["storage"] = true
        crd[path: "spec", "versions"] = .array(versions)
        let causes = CustomResourceDefinitions.validationCauses(crd)
        #expect(causes.contains { $0.field == "spec.versions" && $0.message.contains("exactly one version marked as storage version") })
    }

    @Test("Scope cannot change on update")
    func scopeImmutable() {
        var updated = sampleCRD()
        updated[path: "spec", "scope"] = "Cluster"
        let causes = CustomResourceDefinitions.validationCauses(updated, old: sampleCRD())
        #expect(causes.contains { $0.field == "spec.scope" && $0.message.contains("immutable") })
    }

    @Test("Defaults fill singular, listKind and conversion")
    func defaults() {
        var crd = sampleCRD()
        CustomResourceDefinitions.applyDefaults(&crd)
        #expect(crd[path: "spec", "names", "singular"] == "deploymenttarget")
        #expect(crd[path: "spec", "names", "listKind"] == "DeploymentTargetList")
        #expect(crd[path: "spec", "conversion", "strategy"] == "None")
    }

    @Test("Serving status accepts the names and is Established")
    func servingStatus() throws {
        let status = CustomResourceDefinitions.servingStatus(for: sampleCRD(), now: "2026-01-02T03:04:05Z")
        #expect(status["acceptedNames"] == [
            "plural": "deploymenttargets", "singular": "deploymenttarget", "shortNames": ["dt"],
            "kind": "DeploymentTarget", "listKind": "DeploymentTargetList", "categories": ["slipway"],
        ])
        let conditions = try #require(status["conditions"]?.arrayValue)
        for type in ["NamesAccepted", "Established"] {
            let condition = try #require(conditions.first { $0["type"]?.stringValue == type })
            #expect(condition["status"] == "True")
            #expect(condition["lastTransitionTime"] == "2026-01-02T03:04:05Z")
        }
        #expect(status["storedVersions"] == ["v1alpha1"])

        // Serving again later keeps the transition time of conditions already True.
        var served = sampleCRD()
        served["status"] = status
        let again = CustomResourceDefinitions.servingStatus(for: served, now: "2026-02-02T00:00:00Z")
        #expect(again["conditions"]?[1]?["lastTransitionTime"] == "2026-01-02T03:04:05Z")
    }

    @Test("The CRD kind itself is served cluster-scoped with short names crd and crds")
    func crdKind() throws {
        let type = try #require(BuiltinResources.type(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition"))
        #expect(!type.namespaced)
        #expect(type.shortNames == ["crd", "crds"])
        #expect(type.hasStatusSubresource)
    }
}

@Suite("CRD strategies")
struct CRDStrategyTests {
    func served() throws -> ResourceStrategy {
        var crd = sampleCRD()
        var versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        versions[0]["schema"] = ["openAPIV3Schema": [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object", "required": ["environment"],
                    "properties": [
                        "environment": ["type": "string", "enum": ["staging", "production"]],
                        "replicas": ["type": "integer", "minimum": 0, "default": 1],
                    ],
                ],
                "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            ],
        ]]
        crd[path: "spec", "versions"] = .array(versions)
        return try #require(try CustomResourceDefinitions.strategies(for: crd).first)
    }

    @Test("Writes are defaulted and pruned by the schema, keeping apiVersion, kind and metadata")
    func defaultsAndPruning() throws {
        let strategy = try served()
        #expect(strategy.type.kind == "DeploymentTarget")
        var object: JSONValue = [
            "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget",
            "metadata": ["name": "web", "namespace": "shop", "labels": ["app": "web"]],
            "spec": ["environment": "production", "unknownField": true],
        ]
        strategy.prepare(&object, nil)
        #expect(object[path: "spec", "replicas"] == 1)
        #expect(object[path: "spec", "unknownField"] == nil)
        #expect(object["apiVersion"] == "slipway.dev/v1alpha1")
        #expect(object[path: "metadata", "labels", "app"] == "web")
        #expect(strategy.validate(object, nil).isEmpty)
    }

    @Test("Schema violations become field causes")
    func schemaViolations() throws {
        let strategy = try served()
        let object: JSONValue = [
            "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget", "metadata": ["name": "web"],
            "spec": ["environment": "qa", "replicas": -1],
        ]
        let fields = Set(strategy.validate(object, nil).map(\.field))
        #expect(fields.contains("spec.environment"))
        #expect(fields.contains("spec.replicas"))
    }

    @Test("The CRD kind refuses a CRD whose schema does not compile, naming the version")
    func brokenSchema() throws {
        var crd = sampleCRD()
        var versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        versions[0]["schema"] = ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "banana"]]]]
        crd[path: "spec", "versions"] = .array(versions)
        let crdStrategy = try #require(BuiltinResources.all.first { $0.type.kind == "CustomResourceDefinition" })
        let causes = crdStrategy.validate(crd, nil)
        #expect(!causes.isEmpty)
        #expect(causes.allSatisfy { $0.field.hasPrefix("spec.versions[0].schema.openAPIV3Schema") })
        #expect(throws: APIError.self) { _ = try CustomResourceDefinitions.strategies(for: crd) }
    }
}
