import ClusterCore
import JSON
import Testing

@Suite("OpenAPI v3 documents")
struct OpenAPIDocumentTests {
    let crdType = ResourceType(group: "slipway.dev", version: "v1alpha1", plural: "deploymenttargets", singular: "deploymenttarget",
                               kind: "DeploymentTarget", namespaced: true, subresources: ["status"])
    var types: [ResourceType] { BuiltinResources.types + [crdType] }

    /// The PATCH operations of `document` tagged with group/version/kind, as kubectl finds them.
    func patchOperations(_ document: JSONValue, group: String, version: String, kind: String) -> [JSONValue] {
        (document["paths"]?.objectValue ?? [:]).values.compactMap { $0["patch"] }.filter {
            $0["x-kubernetes-group-version-kind"] == ["group": .string(group), "kind": .string(kind), "version": .string(version)]
        }
    }

    @Test("The index lists every served group/version with a hashed URL")
    func index() throws {
        let index = OpenAPIDocuments.index(types, crds: [sampleCRD()])
        let paths = try #require(index["paths"]?.objectValue)
        #expect(paths.keys.contains("api/v1"))
        #expect(paths.keys.contains("apis/apps/v1"))
        #expect(paths.keys.contains("apis/slipway.dev/v1alpha1"))
        let url = try #require(paths["apis/apps/v1"]?["serverRelativeURL"]?.stringValue)
        #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
        #expect(url.count > "/openapi/v3/apis/apps/v1?hash=".count)
        // The hash follows the content: another CRD schema, another URL.
        var changed = sampleCRD()
        changed[path: "spec", "versions"] = .array([["name": "v1alpha1", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object"]]]])
        let other = OpenAPIDocuments.index(types, crds: [changed])
        #expect(other[path: "paths", "apis/slipway.dev/v1alpha1"] != paths["apis/slipway.dev/v1alpha1"])
        #expect(other[path: "paths", "apis/apps/v1"] == paths["apis/apps/v1"])
    }

    @Test("Unknown group/versions have no document")
    func unknownPath() {
        #expect(OpenAPIDocuments.document(path: "apis/nothing.example.com/v1", types, crds: []) == nil)
        #expect(OpenAPIDocuments.document(path: "garbage", types, crds: []) == nil)
    }

    @Test("Every PATCH of a built-in kind offers fieldValidation, so kubectl validates on the server")
    func fieldValidationOnBuiltins() throws {
        for type in BuiltinResources.types {
            let path = type.group.isEmpty ? "api/\(type.version)" : "apis/\(type.group)/\(type.version)"
            let doc = try #require(OpenAPIDocuments.document(path: path, types, crds: []))
            let patches = patchOperations(doc, group: type.group, version: type.version, kind: type.kind)
            #expect(!patches.isEmpty, "no PATCH for \(type.kind)")
            for patch in patches {
                let names = (patch["parameters"]?.arrayValue ?? []).filter { $0["in"] == "query" }.compactMap { $0["name"]?.stringValue }
                #expect(names.contains("fieldValidation"), "\(type.kind) PATCH lacks fieldValidation")
                #expect(names.contains("dryRun") && names.contains("fieldManager"))
            }
        }
    }

    @Test("Deployments: paths, strategic merge patch, and patch merge keys for kubectl apply")
    func deploymentDocument() throws {
        let doc = try #require(OpenAPIDocuments.document(path: "apis/apps/v1", types, crds: []))
        #expect(doc["openapi"] == "3.0.0")
        let paths = try #require(doc["paths"]?.objectValue)
        let item = try #require(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"])
        for method in ["get", "put", "patch", "delete"] { #expect(item[method] != nil, "missing \(method)") }
        let collection = try #require(paths["/apis/apps/v1/namespaces/{namespace}/deployments"])
        #expect(collection["get"]?["x-kubernetes-action"] == "list")
        #expect(collection["post"]?["x-kubernetes-action"] == "post")
        #expect(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"]?["patch"] != nil)
        #expect(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]?["patch"]?["x-kubernetes-group-version-kind"]?["kind"] == "Scale")
        let content = try #require(item["patch"]?[path: "requestBody", "content"]?.objectValue)
        #expect(Set(content.keys) == ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"])

        let schemas = try #require(doc[path: "components", "schemas"]?.objectValue)
        let deployment = try #require(schemas["io.k8s.api.apps.v1.Deployment"])
        #expect(deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        let podSpec = try #require(schemas["io.k8s.api.core.v1.PodSpec"])
        #expect(podSpec[path: "properties", "containers", "x-kubernetes-patch-merge-key"] == "name")
        #expect(podSpec[path: "properties", "containers", "x-kubernetes-patch-strategy"] == "merge")
        #expect(podSpec[path: "properties", "volumes", "x-kubernetes-patch-merge-key"] == "name")
        let container = try #require(schemas["io.k8s.api.core.v1.Container"])
        #expect(container[path: "properties", "env", "x-kubernetes-patch-merge-key"] == "name")
        #expect(container[path: "properties", "ports", "x-kubernetes-patch-merge-key"] == "containerPort")
        #expect(container[path: "properties", "volumeMounts", "x-kubernetes-patch-merge-key"] == "mountPath")
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        // kubectl explain shows descriptions; a described reference keeps its target in allOf.
        let spec = try #require(schemas["io.k8s.api.apps.v1.DeploymentSpec"])
        #expect(spec[path: "properties", "replicas", "description"]?.stringValue?.contains("Defaults to 1") == true)
        #expect(spec[path: "properties", "template", "allOf"]?[0]?["$ref"] == "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec")
        #expect(schemas["io.k8s.api.apps.v1.DeploymentList"] != nil)
    }

    @Test("Every $ref in a document resolves within it")
    func referencesResolve() throws {
        for path in ["api/v1", "apis/apps/v1", "apis/networking.k8s.io/v1", "apis/apiextensions.k8s.io/v1", "apis/slipway.dev/v1alpha1"] {
            let doc = try #require(OpenAPIDocuments.document(path: path, types, crds: [sampleCRD()]))
            let schemas = doc[path: "components", "schemas"]?.objectValue ?? [:]
            var refs: [String] = []
            func walk(_ v: JSONValue) {
                if case .object(let o) = v {
                    if let r = o["$ref"]?.stringValue { refs.append(r) }
                    o.values.forEach(walk)
                } else if case .array(let a) = v { a.forEach(walk) }
            }
            walk(doc)
            for ref in refs {
                #expect(ref.hasPrefix("#/components/schemas/"))
                #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "\(path): \(ref) unresolved")
            }
        }
    }

    @Test("Services merge ports by port number")
    func serviceMergeKey() throws {
        let doc = try #require(OpenAPIDocuments.document(path: "api/v1", types, crds: []))
        let spec = try #require(doc[path: "components", "schemas", "io.k8s.api.core.v1.ServiceSpec"])
        #expect(spec[path: "properties", "ports", "x-kubernetes-patch-merge-key"] == "port")
    }

    @Test("A custom resource embeds its CRD schema under the reversed-group name, without strategic merge patch")
    func customResourceDocument() throws {
        let doc = try #require(OpenAPIDocuments.document(path: "apis/slipway.dev/v1alpha1", types, crds: [sampleCRD()]))
        let schema = try #require(doc[path: "components", "schemas", "dev.slipway.v1alpha1.DeploymentTarget"])
        #expect(schema["x-kubernetes-group-version-kind"] == [["group": "slipway.dev", "kind": "DeploymentTarget", "version": "v1alpha1"]])
        #expect(schema[path: "properties", "spec", "properties", "environment", "type"] == "string")
        #expect(schema[path: "properties", "metadata", "$ref"] == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        let patches = patchOperations(doc, group: "slipway.dev", version: "v1alpha1", kind: "DeploymentTarget")
        #expect(patches.count == 2)  // the object and its status
        for patch in patches {
            let content = patch[path: "requestBody", "content"]?.objectValue ?? [:]
            #expect(content["application/strategic-merge-patch+json"] == nil)
            #expect(content["application/merge-patch+json"] != nil)
            #expect((patch["parameters"]?.arrayValue ?? []).contains { $0["name"] == "fieldValidation" })
        }
        let paths = try #require(doc["paths"]?.objectValue)
        #expect(paths["/apis/slipway.dev/v1alpha1/namespaces/{namespace}/deploymenttargets/{name}/status"] != nil)
        #expect(paths["/apis/slipway.dev/v1alpha1/deploymenttargets"]?["get"] != nil)
    }

    @Test("CRDs themselves are patched as merge patches")
    func crdKindHasNoStrategicPatch() throws {
        let doc = try #require(OpenAPIDocuments.document(path: "apis/apiextensions.k8s.io/v1", types, crds: []))
        let patches = patchOperations(doc, group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
        #expect(!patches.isEmpty)
        #expect(patches.allSatisfy { $0[path: "requestBody", "content", "application/strategic-merge-patch+json"] == nil })
    }
}
