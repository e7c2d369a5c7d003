import ClusterCore
import JSON
import Testing

/// kubectl computes strategic merge patches from the OpenAPI merge keys and the server applies
/// them with its own patch metadata: the two must agree, or re-applying a manifest would
/// duplicate or drop list elements.
@Suite("OpenAPI merge keys agree with the server's strategic merge patch")
struct OpenAPIPatchKeyTests {
    struct Found: Hashable, CustomStringConvertible {
        var path: String
        var key: String?
        var strategy: String?
        var description: String { "\(path) key=\(key ?? "-") strategy=\(strategy ?? "-")" }
    }

    /// Follows `$ref` and `allOf: [{$ref}]` as kubectl's PatchMetaFromOpenAPIV3 does.
    func resolve(_ schema: JSONValue?, _ schemas: OrderedDictionary<String, JSONValue>) -> JSONValue? {
        if let first = schema?["allOf"]?[0] { return resolve(first, schemas) }
        guard let ref = schema?["$ref"]?.stringValue else { return schema }
        return schemas[String(ref.dropFirst("#/components/schemas/".count))]
    }

    /// Every list or object carrying patch directives in the OpenAPI schema, by field path.
    func openAPIDirectives(_ schema: JSONValue?, _ schemas: OrderedDictionary<String, JSONValue>, path: String, into found: inout Set<Found>) {
        guard let schema = resolve(schema, schemas) else { return }
        let key = schema["x-kubernetes-patch-merge-key"]?.stringValue
        let strategy = schema["x-kubernetes-patch-strategy"]?.stringValue
        if key != nil || strategy != nil { found.insert(Found(path: path, key: key, strategy: strategy)) }
        for (name, property) in schema["properties"]?.objectValue ?? [:] {
            openAPIDirectives(property, schemas, path: path.isEmpty ? name : "\(path).\(name)", into: &found)
        }
        if let items = schema["items"] { openAPIDirectives(items, schemas, path: path, into: &found) }
    }

    func serverDirectives(_ meta: PatchMetadata, path: String, into found: inout Set<Found>) {
        if meta.patchMergeKey != nil || meta.patchStrategy != nil {
            found.insert(Found(path: path, key: meta.patchMergeKey, strategy: meta.patchStrategy))
        }
        for (name, field) in meta.fields {
            serverDirectives(field, path: path.isEmpty ? name : "\(path).\(name)", into: &found)
        }
    }

    @Test("Merge keys match for the kinds kubectl apply patches", arguments: [
        ("apps", "Deployment"), ("apps", "ReplicaSet"), ("", "Pod"), ("", "Service"), ("", "ServiceAccount"), ("", "ConfigMap"),
    ])
    func agree(group: String, kind: String) throws {
        let type = try #require(BuiltinResources.type(group: group, kind: kind))
        let path = group.isEmpty ? "api/v1" : "apis/\(group)/v1"
        let doc = try #require(OpenAPIDocuments.document(path: path, BuiltinResources.types, crds: []))
        let schemas = try #require(doc[path: "components", "schemas"]?.objectValue)
        let schema = try #require(schemas[OpenAPIDocuments.schemaName(type)])
        var published = Set<Found>()
        openAPIDirectives(schema, schemas, path: "", into: &published)
        var applied = Set<Found>()
        serverDirectives(try #require(PatchMetadata.forKind(group: group, kind: kind)), path: "", into: &applied)
        // The server may know lists the OpenAPI does not describe (status fields kubectl
        // never patches); every directive the OpenAPI publishes must be one the server applies.
        // Ephemeral volume claim templates embed an ObjectMeta the server's metadata does not
        // descend into; their finalizers and ownerReferences are never patched in practice.
        let unknownToServer = published.subtracting(applied).filter { !$0.path.contains(".ephemeral.volumeClaimTemplate.metadata.") }
        #expect(unknownToServer.isEmpty, "published but not applied: \(unknownToServer.sorted { $0.path < $1.path })")
        let specSide = applied.filter { !$0.path.hasPrefix("status") }.subtracting(published)
        #expect(specSide.isEmpty, "applied but not published: \(specSide.sorted { $0.path < $1.path })")
    }
}
