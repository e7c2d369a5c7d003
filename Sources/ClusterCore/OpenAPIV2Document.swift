import JSON
import Synchronization

/// The OpenAPI v2 (Swagger 2.0) document of `/openapi/v2`: every served kind, built-in and
/// custom, in one document, as kube-apiserver aggregates it.
///
/// kubectl still reads this document where OpenAPI v3 gives it no answer: it validates a
/// `kind: List` file client-side against the v2 definitions (the fieldValidation verifier
/// refuses `v1/List`, k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go), and so a
/// kind its RESTMapper then fails to find — a CRD not installed — is reported as "no matches
/// for kind" only once this document has been read. It looks kinds up by each definition's
/// `x-kubernetes-group-version-kind` and skips kinds it does not find
/// (k8s.io/kubectl/pkg/util/openapi/validation).
///
/// The document is derived from the per-group/version v3 documents, so the two never disagree:
/// paths and parameters take their Swagger 2.0 form, `#/components/schemas/` references become
/// `#/definitions/`, and schemas are reduced as kube-apiserver reduces CRD schemas for v2
/// (`OpenAPIV2Schema`).
/// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v2
public enum OpenAPIV2Document {
    /// The whole document as JSON. `crds` are the stored CustomResourceDefinitions.
    public static func document(_ types: [ResourceType], crds: [JSONValue]) -> JSONValue {
        cached(types, crds: crds).document
    }

    /// The document and its content hash, which serves as its ETag.
    public static func cached(_ types: [ResourceType], crds: [JSONValue]) -> (document: JSONValue, hash: String) {
        let key = OpenAPIDocuments.CacheKey(served: types.sorted { ($0.group, $0.version, $0.plural) < ($1.group, $1.version, $1.plural) }, crds: crds)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let document = build(types, crds: crds)
        let entry = (document: document, hash: OpenAPIDocuments.contentHash(document.jsonBytes()))
        cache.withLock { cache in
            if cache.count >= OpenAPIDocuments.cacheLimit { cache.removeAll() }
            cache[key] = entry
        }
        return entry
    }

    static let cache = Mutex<[OpenAPIDocuments.CacheKey: (document: JSONValue, hash: String)]>([:])

    static func build(_ types: [ResourceType], crds: [JSONValue]) -> JSONValue {
        var paths = OrderedDictionary<String, JSONValue>()
        var definitions: [String: JSONValue] = [:]
        for path in OpenAPIDocuments.groupVersionPaths(types) {
            guard let v3 = OpenAPIDocuments.document(path: path, types, crds: crds) else { continue }
            for (template, item) in v3["paths"]?.objectValue ?? [:] {
                paths[template] = pathItem(item)
            }
            for (name, schema) in v3[path: "components", "schemas"]?.objectValue ?? [:] where definitions[name] == nil {
                definitions[name] = OpenAPIV2Schema.convert(schema)
            }
        }
        var sortedDefinitions = OrderedDictionary<String, JSONValue>()
        for name in definitions.keys.sorted() { sortedDefinitions[name] = definitions[name] }
        return [
            "swagger": "2.0",
            "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths),
            "definitions": .object(sortedDefinitions),
            "securityDefinitions": ["BearerToken": [
                "description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header",
            ]],
            "security": [["BearerToken": []]],
        ]
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch"]

    /// A v3 path item in its v2 form: operations, and path-level parameters without `schema`.
    static func pathItem(_ item: JSONValue) -> JSONValue {
        var result: OrderedDictionary<String, JSONValue> = [:]
        for method in methods {
            if let operation = item[method] { result[method] = self.operation(operation, method: method) }
        }
        if let parameters = item["parameters"]?.arrayValue {
            result["parameters"] = .array(parameters.map(parameter))
        }
        return .object(result)
    }

    /// An operation: `consumes` from the request body's media types (`*/*` for whole objects,
    /// the patch types for PATCH, as kube-apiserver lists them), `produces` from the responses',
    /// the request body as an `in: body` parameter, responses with a `schema`.
    static func operation(_ operation: JSONValue, method: String) -> JSONValue {
        var result: OrderedDictionary<String, JSONValue> = [:]
        if let description = operation["description"] { result["description"] = description }
        if let requestBody = operation["requestBody"] {
            let types = requestBody["content"]?.objectValue?.keys.map { JSONValue.string($0) } ?? []
            result["consumes"] = method == "patch" ? .array(types) : ["*/*"]
        }
        var produces: [String] = []
        for (_, response) in operation["responses"]?.objectValue ?? [:] {
            for type in response["content"]?.objectValue?.keys ?? [] where !produces.contains(type) { produces.append(type) }
        }
        if !produces.isEmpty { result["produces"] = .array(produces.map { .string($0) }) }
        result["schemes"] = ["https"]
        if let tags = operation["tags"] { result["tags"] = tags }
        if let operationId = operation["operationId"] { result["operationId"] = operationId }
        var parameters = (operation["parameters"]?.arrayValue ?? []).map(parameter)
        if let requestBody = operation["requestBody"], let schema = bodySchema(requestBody) {
            parameters.insert(["name": "body", "in": "body", "required": .bool(requestBody["required"]?.boolValue ?? false),
                               "schema": OpenAPIV2Schema.convert(schema)], at: 0)
        }
        if !parameters.isEmpty { result["parameters"] = .array(parameters) }
        var responses: OrderedDictionary<String, JSONValue> = [:]
        for (code, response) in operation["responses"]?.objectValue ?? [:] {
            var converted: OrderedDictionary<String, JSONValue> = ["description": response["description"] ?? .string("")]
            if let schema = bodySchema(response) { converted["schema"] = OpenAPIV2Schema.convert(schema) }
            responses[code] = .object(converted)
        }
        result["responses"] = .object(responses)
        for (key, value) in operation.objectValue ?? [:] where key.hasPrefix("x-") { result[key] = value }
        return .object(result)
    }

    /// The schema of a request body or response: its JSON content's, else the first.
    static func bodySchema(_ value: JSONValue) -> JSONValue? {
        guard let content = value["content"]?.objectValue else { return nil }
        return (content["application/json"] ?? content.values.first)?["schema"]
    }

    /// A v3 parameter (`schema: {type: ...}`) in its v2 form (`type` inline).
    static func parameter(_ parameter: JSONValue) -> JSONValue {
        guard case .object(var members) = parameter else { return parameter }
        let schema = members.removeValue(forKey: "schema")
        for (key, value) in schema?.objectValue ?? [:] { members[key] = value }
        return .object(members)
    }
}
