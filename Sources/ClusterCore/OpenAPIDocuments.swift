import JSON
import Synchronization

/// OpenAPI v3 documents as kubectl fetches them: /openapi/v3 (each group/version's path with
/// a content hash) and /openapi/v3/apis/GROUP/VERSION.
///
/// kubectl relies on three things here. With `--validate=strict` (the default) it looks for
/// the `fieldValidation` query parameter on the PATCH operation tagged with the kind's
/// `x-kubernetes-group-version-kind`, and if present lets the server validate
/// (k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go). `kubectl apply` computes a
/// strategic merge patch from the kind's schema when the PATCH operation accepts
/// `application/strategic-merge-patch+json` (built-in kinds only), and a JSON merge patch
/// otherwise. `kubectl explain` renders the schemas.
/// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3
public enum OpenAPIDocuments {
    /// `/openapi/v3`: every served group/version. `crds` (optional) feed the hash so that a
    /// changed CRD schema changes the URL clients cache by.
    public static func index(_ types: [ResourceType], crds: [JSONValue] = []) -> JSONValue {
        var paths = OrderedDictionary<String, JSONValue>()
        for path in groupVersionPaths(types) {
            let hash = cachedDocument(path: path, types, crds: crds)?.hash ?? ""
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// `path` is as listed by `index` (`api/v1`, `apis/apps/v1`); nil when nothing is served there.
    /// `crds` are the stored CustomResourceDefinitions, whose schemas describe their kinds.
    public static func document(path: String, _ types: [ResourceType], crds: [JSONValue]) -> JSONValue? {
        cachedDocument(path: path, types, crds: crds)?.document
    }

    /// What a document is built from: the types served at its group/version and the CRDs of its group.
    struct CacheKey: Hashable {
        var served: [ResourceType]
        var crds: [JSONValue]
    }

    /// Documents already built, so that kubectl's repeated index and document fetches cost a
    /// lookup. Bounded: cleared when full (CRD changes make new keys).
    static let cache = Mutex<[CacheKey: (document: JSONValue, hash: String)]>([:])
    static let cacheLimit = 256

    static func cachedDocument(path: String, _ types: [ResourceType], crds: [JSONValue]) -> (document: JSONValue, hash: String)? {
        guard let (group, version) = groupVersion(of: path) else { return nil }
        let served = types.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
        guard !served.isEmpty else { return nil }
        let key = CacheKey(served: served, crds: crds.filter { $0[path: "spec", "group"]?.stringValue == group })
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let document = build(served: served, crds: key.crds)
        let entry = (document: document, hash: contentHash(document.jsonBytes()))
        cache.withLock { cache in
            if cache.count >= cacheLimit { cache.removeAll() }
            cache[key] = entry
        }
        return entry
    }

    static func build(served: [ResourceType], crds: [JSONValue]) -> JSONValue {

        var schemas: [String: JSONValue] = [:]
        var paths = OrderedDictionary<String, JSONValue>()
        for type in served {
            let kindName = schemaName(type)
            schemas[kindName] = kindSchema(type, crds: crds)
            schemas[kindName + "List"] = listSchema(type, itemSchema: kindName)
            for (key, value) in OpenAPIPaths.paths(for: type, kindSchema: kindName) { paths[key] = value }
        }
        // Pull in every schema the kinds refer to, transitively.
        var pending = schemas.values.flatMap(references) + references(in: .object(paths))
        while let name = pending.popLast() {
            guard schemas[name] == nil, let schema = BuiltinSchemas.all[name] else { continue }
            schemas[name] = schema
            pending += references(in: schema)
        }
        for name in [BuiltinSchemas.meta + "Status", BuiltinSchemas.meta + "DeleteOptions", BuiltinSchemas.meta + "Patch"] {
            if schemas[name] == nil, let schema = BuiltinSchemas.all[name] { schemas[name] = schema }
        }
        var sortedSchemas = OrderedDictionary<String, JSONValue>()
        for name in schemas.keys.sorted() { sortedSchemas[name] = schemas[name] }

        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths),
            "components": [
                "schemas": .object(sortedSchemas),
                "securitySchemes": ["BearerToken": [
                    "type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header",
                ]],
            ],
        ]
    }

    /// `api/v1` and `apis/GROUP/VERSION` for each served group/version, core first.
    static func groupVersionPaths(_ types: [ResourceType]) -> [String] {
        var paths: [String] = []
        if types.contains(where: { $0.group.isEmpty && $0.version == "v1" }) { paths.append("api/v1") }
        for group in Discovery.namedGroups(types) {
            for version in group.versions { paths.append("apis/\(group.name)/\(version)") }
        }
        return paths
    }

    static func groupVersion(of path: String) -> (String, String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.count == 2 && parts[0] == "api" { return ("", parts[1]) }
        if parts.count == 3 && parts[0] == "apis" { return (parts[1], parts[2]) }
        return nil
    }

    /// The schema name the API server uses: `io.k8s.api.apps.v1.Deployment` for built-in
    /// kinds, the reversed group for custom ones (`dev.slipway.v1alpha1.DeploymentTarget`).
    public static func schemaName(_ type: ResourceType) -> String {
        if isBuiltin(type) {
            return BuiltinSchemas.name(group: type.group, version: type.version, kind: type.kind)
        }
        let reversed = type.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(type.version).\(type.kind)"
    }

    static func isBuiltin(_ type: ResourceType) -> Bool {
        BuiltinSchemas.all[BuiltinSchemas.name(group: type.group, version: type.version, kind: type.kind)] != nil
            && BuiltinResources.type(group: type.group, kind: type.kind) != nil
    }

    /// Whether `kubectl apply` may send a strategic merge patch for this kind: built-in kinds
    /// other than CustomResourceDefinition (whose patches go as merge patches, as for
    /// custom resources).
    static func acceptsStrategicMergePatch(_ type: ResourceType) -> Bool {
        isBuiltin(type) && type.group != "apiextensions.k8s.io"
    }

    static func kindSchema(_ type: ResourceType, crds: [JSONValue]) -> JSONValue {
        if isBuiltin(type), let schema = BuiltinSchemas.all[schemaName(type)] { return schema }
        let gvk: JSONValue = [["group": .string(type.group), "kind": .string(type.kind), "version": .string(type.version)]]
        let crd = crds.first {
            $0[path: "spec", "group"]?.stringValue == type.group && $0[path: "spec", "names", "plural"]?.stringValue == type.plural
        }
        let version = (crd?[path: "spec", "versions"]?.arrayValue ?? []).first { $0["name"]?.stringValue == type.version }
        var schema = version?[path: "schema", "openAPIV3Schema"] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        if case .object = schema {} else { schema = ["type": "object", "x-kubernetes-preserve-unknown-fields": true] }
        var properties = schema["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."]
        properties["kind"] = ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."]
        properties["metadata"] = BuiltinSchemas.ref(BuiltinSchemas.meta + "ObjectMeta")
        schema["type"] = "object"
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = gvk
        return schema
    }

    static func listSchema(_ type: ResourceType, itemSchema: String) -> JSONValue {
        [
            "description": .string("\(type.listKind) is a list of \(type.kind)"),
            "type": "object",
            "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string"],
                "items": ["type": "array", "items": BuiltinSchemas.ref(itemSchema)],
                "kind": ["type": "string"],
                "metadata": BuiltinSchemas.ref(BuiltinSchemas.meta + "ListMeta"),
            ],
            "x-kubernetes-group-version-kind": [["group": .string(type.group), "kind": .string(type.listKind), "version": .string(type.version)]],
        ]
    }

    /// Names of the component schemas `value` refers to with `$ref`.
    static func references(in value: JSONValue) -> [String] {
        var names: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let members):
                if let ref = members["$ref"]?.stringValue, ref.hasPrefix("#/components/schemas/") {
                    names.append(String(ref.dropFirst("#/components/schemas/".count)))
                }
                for child in members.values { walk(child) }
            case .array(let items):
                for child in items { walk(child) }
            default:
                break
            }
        }
        walk(value)
        return names
    }

    /// A content hash for cache-busting URLs: two FNV-1a 64-bit rounds, upper-case hex.
    static func contentHash(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b &* 0x100_0000_01b3) ^ UInt64(byte)
        }
        func hex(_ v: UInt64) -> String {
            let digits = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(a) + hex(b)
    }
}
