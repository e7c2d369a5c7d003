import JSON

/// The `paths` of an OpenAPI v3 group/version document: for each resource, list/create/
/// deletecollection on the collection, get/replace/patch/delete on the item, get/replace/patch
/// on its subresources, each operation tagged with `x-kubernetes-action` and
/// `x-kubernetes-group-version-kind` and carrying the query parameters the API server accepts.
enum OpenAPIPaths {
    static func query(_ name: String, _ description: String, type: String = "string") -> JSONValue {
        ["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": .string(type), "uniqueItems": true]]
    }

    static let dryRun = query("dryRun", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
    static let fieldManager = query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.")
    static let fieldValidation = query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.")
    static let force = query("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.", type: "boolean")
    static let pretty = query("pretty", "If 'true', then the output is pretty printed.")
    static let gracePeriodSeconds = query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", type: "integer")
    static let propagationPolicy = query("propagationPolicy", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.")

    static let listParameters: [JSONValue] = [
        query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", type: "boolean"),
        query("continue", "The continue option should be set when retrieving more results from the server."),
        query("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        query("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        query("limit", "limit is a maximum number of responses to return for a list call.", type: "integer"),
        query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        query("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", type: "boolean"),
        query("timeoutSeconds", "Timeout for the list/watch call.", type: "integer"),
        query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", type: "boolean"),
    ]

    static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "path", "description": .string(description), "required": true, "schema": ["type": "string", "uniqueItems": true]]
    }

    static let namespaceParameter = pathParameter("namespace", "object name and auth scope, such as for teams and projects")

    static func schemaContent(_ schemaName: String) -> JSONValue {
        let schema = BuiltinSchemas.ref(schemaName)
        return ["application/json": ["schema": schema], "application/yaml": ["schema": schema]]
    }

    static func response(_ description: String, _ schemaName: String) -> JSONValue {
        ["description": .string(description), "content": schemaContent(schemaName)]
    }

    static let unauthorized: JSONValue = ["description": "Unauthorized"]

    /// `Group` + `Version` in operation ids: `AppsV1`, `CoreV1`, `NetworkingV1`, `SlipwayDevV1alpha1`.
    static func operationPrefix(_ type: ResourceType) -> String {
        let group = type.group.isEmpty ? "core" : type.group.replacingSuffix(".k8s.io")
        let words = group.split(whereSeparator: { $0 == "." || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.joined() + type.version.prefix(1).uppercased() + type.version.dropFirst()
    }

    static func tag(_ type: ResourceType) -> String {
        let group = type.group.isEmpty ? "core" : type.group.replacingSuffix(".k8s.io")
        return "\(group.split(separator: ".").joined(separator: "_"))_\(type.version)"
    }

    static func operation(
        _ action: String, _ verb: String, _ description: String, type: ResourceType, gvk: (String, String, String),
        suffix: String, namespaced: Bool, parameters: [JSONValue], requestBody: JSONValue? = nil, responses: JSONValue
    ) -> JSONValue {
        var op: JSONValue = [
            "tags": [.string(tag(type))],
            "description": .string(description),
            "operationId": .string(verb + operationPrefix(type) + (namespaced ? "Namespaced" : "") + suffix),
        ]
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let requestBody { op["requestBody"] = requestBody }
        op["responses"] = responses
        op["x-kubernetes-action"] = .string(action)
        op["x-kubernetes-group-version-kind"] = ["group": .string(gvk.0), "kind": .string(gvk.2), "version": .string(gvk.1)]
        return op
    }

    static func patchBody(strategic: Bool) -> JSONValue {
        let patch = BuiltinSchemas.ref(BuiltinSchemas.meta + "Patch")
        var content: OrderedDictionary<String, JSONValue> = [
            "application/apply-patch+yaml": ["schema": patch],
            "application/json-patch+json": ["schema": patch],
            "application/merge-patch+json": ["schema": patch],
        ]
        if strategic { content["application/strategic-merge-patch+json"] = ["schema": patch] }
        return ["content": .object(content), "required": true]
    }

    /// The path items of one resource, keyed by URL template.
    static func paths(for type: ResourceType, kindSchema: String) -> [(String, JSONValue)] {
        let base = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        let scope = type.namespaced ? "\(base)/namespaces/{namespace}/\(type.plural)" : "\(base)/\(type.plural)"
        let gvk = (type.group, type.version, type.kind)
        let kind = type.kind
        let verbs = Set(type.verbs)
        let strategic = OpenAPIDocuments.acceptsStrategicMergePatch(type)
        let scopeParameters: [JSONValue] = type.namespaced ? [namespaceParameter, pretty] : [pretty]
        let nameParameter = pathParameter("name", "name of the \(kind)")
        let writeParameters = [dryRun, fieldManager, fieldValidation]
        let body: JSONValue = ["content": schemaContent(kindSchema), "required": true]
        let ok = response("OK", kindSchema)
        var result: [(String, JSONValue)] = []

        var collection: JSONValue = ["parameters": .array(scopeParameters)]
        if verbs.contains("list") {
            collection["get"] = operation("list", "list", "list or watch objects of kind \(kind)", type: type, gvk: gvk, suffix: kind,
                                          namespaced: type.namespaced, parameters: listParameters,
                                          responses: ["200": response("OK", kindSchema + "List"), "401": unauthorized])
        }
        if verbs.contains("create") {
            collection["post"] = operation("post", "create", "create \(articled(kind))", type: type, gvk: gvk, suffix: kind,
                                           namespaced: type.namespaced, parameters: writeParameters, requestBody: body,
                                           responses: ["200": ok, "201": response("Created", kindSchema), "202": response("Accepted", kindSchema), "401": unauthorized])
        }
        if verbs.contains("deletecollection") {
            collection["delete"] = operation("deletecollection", "deleteCollection", "delete collection of \(kind)", type: type, gvk: gvk,
                                             suffix: kind, namespaced: type.namespaced,
                                             parameters: [dryRun, gracePeriodSeconds, propagationPolicy] + listParameters,
                                             requestBody: ["content": schemaContent(BuiltinSchemas.meta + "DeleteOptions")],
                                             responses: ["200": response("OK", BuiltinSchemas.meta + "Status"), "401": unauthorized])
        }
        result.append((scope, collection))

        var item: JSONValue = ["parameters": .array([nameParameter] + scopeParameters)]
        if verbs.contains("get") {
            item["get"] = operation("get", "read", "read the specified \(kind)", type: type, gvk: gvk, suffix: kind,
                                    namespaced: type.namespaced, parameters: [], responses: ["200": ok, "401": unauthorized])
        }
        if verbs.contains("update") {
            item["put"] = operation("put", "replace", "replace the specified \(kind)", type: type, gvk: gvk, suffix: kind,
                                    namespaced: type.namespaced, parameters: writeParameters, requestBody: body,
                                    responses: ["200": ok, "201": response("Created", kindSchema), "401": unauthorized])
        }
        if verbs.contains("patch") {
            item["patch"] = operation("patch", "patch", "partially update the specified \(kind)", type: type, gvk: gvk, suffix: kind,
                                      namespaced: type.namespaced, parameters: writeParameters + [force],
                                      requestBody: patchBody(strategic: strategic),
                                      responses: ["200": ok, "201": response("Created", kindSchema), "401": unauthorized])
        }
        if verbs.contains("delete") {
            item["delete"] = operation("delete", "delete", "delete \(articled(kind))", type: type, gvk: gvk, suffix: kind,
                                       namespaced: type.namespaced, parameters: [dryRun, gracePeriodSeconds, propagationPolicy],
                                       requestBody: ["content": schemaContent(BuiltinSchemas.meta + "DeleteOptions")],
                                       responses: ["200": response("OK", BuiltinSchemas.meta + "Status"), "202": response("Accepted", BuiltinSchemas.meta + "Status"), "401": unauthorized])
        }
        result.append(("\(scope)/{name}", item))

        for sub in type.subresources where sub == "status" || sub == "scale" {
            let isScale = sub == "scale"
            let subSchema = isScale ? "io.k8s.api.autoscaling.v1.Scale" : kindSchema
            let subGVK = isScale ? ("autoscaling", "v1", "Scale") : gvk
            let suffix = kind + sub.prefix(1).uppercased() + sub.dropFirst()
            let subBody: JSONValue = ["content": schemaContent(subSchema), "required": true]
            let subOK = response("OK", subSchema)
            var entry: JSONValue = ["parameters": .array([pathParameter("name", "name of the \(isScale ? "Scale" : kind)")] + scopeParameters)]
            entry["get"] = operation("get", "read", "read \(sub) of the specified \(kind)", type: type, gvk: subGVK, suffix: suffix,
                                     namespaced: type.namespaced, parameters: [], responses: ["200": subOK, "401": unauthorized])
            entry["put"] = operation("put", "replace", "replace \(sub) of the specified \(kind)", type: type, gvk: subGVK, suffix: suffix,
                                     namespaced: type.namespaced, parameters: writeParameters, requestBody: subBody,
                                     responses: ["200": subOK, "201": response("Created", subSchema), "401": unauthorized])
            entry["patch"] = operation("patch", "patch", "partially update \(sub) of the specified \(kind)", type: type, gvk: subGVK,
                                       suffix: suffix, namespaced: type.namespaced, parameters: writeParameters + [force],
                                       requestBody: patchBody(strategic: strategic),
                                       responses: ["200": subOK, "201": response("Created", subSchema), "401": unauthorized])
            result.append(("\(scope)/{name}/\(sub)", entry))
        }

        if type.namespaced && verbs.contains("list") {
            let all: JSONValue = [
                "parameters": [pretty],
                "get": operation("list", "list", "list or watch objects of kind \(kind)", type: type, gvk: gvk, suffix: kind + "ForAllNamespaces",
                                 namespaced: false, parameters: listParameters,
                                 responses: ["200": response("OK", kindSchema + "List"), "401": unauthorized]),
            ]
            result.append(("\(base)/\(type.plural)", all))
        }
        return result
    }

    static func articled(_ kind: String) -> String {
        guard let first = kind.first else { return kind }
        return ("AEIOU".contains(first) ? "an " : "a ") + kind
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
