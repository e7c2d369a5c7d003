import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import NIOCore

/// One request on a collection, an object or its status: resolves the resource type, picks
/// the verb from the method and path, and answers as kube-apiserver does (201 on create,
/// 202 on a pending delete, lists and Tables, watch streams).
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#api-verbs
struct ResourceHandler {
    let server: APIServer
    let request: Request
    let path: APIPath.ResourcePath
    let query: QueryParameters

    init(server: APIServer, request: Request, path: APIPath.ResourcePath) {
        self.server = server
        self.request = request
        self.path = path
        self.query = QueryParameters(request.uri.query)
    }

    var store: ObjectStore { server.store }

    func respond() async throws -> Response {
        guard let type = store.resourceType(group: path.group, version: path.version, plural: path.plural) else {
            throw APIServer.pathNotFound
        }
        if path.namespace != nil && !type.namespaced { throw APIServer.pathNotFound }
        let namespace = type.namespaced ? path.namespace : nil
        var subresource = Subresource.main
        if path.subresource == "scale", ScaleSubresource.serves(type), let name = path.name, !(type.namespaced && namespace == nil) {
            return try await scale(type, namespace: namespace, name: name)
        }
        if let sub = path.subresource {
            guard sub == "status", type.hasStatusSubresource else { throw APIServer.pathNotFound }
            subresource = .status
        }
        if let name = path.name {
            if type.namespaced && namespace == nil { throw APIServer.pathNotFound }
            return try await item(type, namespace: namespace, name: name, subresource: subresource)
        }
        return try await collection(type, namespace: namespace)
    }

    // MARK: Verbs

    func collection(_ type: ResourceType, namespace: String?) async throws -> Response {
        switch request.method {
        case .get:
            let representation = try MediaTypes.negotiate(accept: request.headers[.accept])
            if query.flag("watch") {
                try requireVerb("watch", type)
                return try watch(type, namespace: namespace, representation: representation, fieldSelector: query.nonEmpty("fieldSelector"))
            }
            try requireVerb("list", type)
            return try list(type, namespace: namespace, representation: representation)
        case .post:
            try requireVerb("create", type)
            if type.namespaced && namespace == nil {
                throw APIError.methodNotAllowed("\(type.plural) are namespaced: create them under /namespaces/NAMESPACE/\(type.plural)")
            }
            return try await create(type, namespace: namespace)
        case .delete:
            try requireVerb("deletecollection", type)
            return try await deleteCollection(type, namespace: namespace)
        default:
            throw APIError.methodNotAllowed("\(request.method.rawValue) is not allowed on a collection of \(type.plural); use GET, POST or DELETE")
        }
    }

    func item(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
        switch request.method {
        case .get:
            let representation = try MediaTypes.negotiate(accept: request.headers[.accept])
            if query.flag("watch") {
                try requireVerb("watch", type)
                let selector = ["metadata.name=\(name)", query.nonEmpty("fieldSelector")].compactMap { $0 }.joined(separator: ",")
                return try watch(type, namespace: namespace, representation: representation, fieldSelector: selector)
            }
            try requireVerb("get", type)
            let object = try store.get(type, namespace: namespace, name: name)
            if representation == .table {
                let metadata: JSONValue = ["resourceVersion": object[path: "metadata", "resourceVersion"] ?? ""]
                return APIServer.json(TableConverter.table(
                    for: type, items: [object], listMetadata: metadata, includeObject: includeObject, now: Timestamps.now()))
            }
            return APIServer.json(object)
        case .put:
            try requireVerb("update", type)
            return try await replace(type, namespace: namespace, name: name, subresource: subresource)
        case .patch:
            try requireVerb("patch", type)
            return try await patch(type, namespace: namespace, name: name, subresource: subresource)
        case .delete where subresource == .main:
            try requireVerb("delete", type)
            return try await delete(type, namespace: namespace, name: name)
        default:
            throw APIError.methodNotAllowed("\(request.method.rawValue) is not allowed on \(type.plural) \"\(name)\"; use GET, PUT, PATCH or DELETE")
        }
    }

    func requireVerb(_ verb: String, _ type: ResourceType) throws {
        guard type.verbs.contains(verb) else {
            throw APIError.methodNotAllowed("\(verb) is not supported on \(type.plural)")
        }
    }

    var includeObject: String { query.nonEmpty("includeObject") ?? "Metadata" }

    var writeOptions: WriteOptions {
        WriteOptions(dryRun: query.all("dryRun").contains("All"), fieldManager: query.nonEmpty("fieldManager"))
    }

    /// Who a write that is not an apply is recorded as in managedFields: the `fieldManager`
    /// parameter, else the User-Agent's product (`kubectl`, `OpenAPI-Generator`), as
    /// kube-apiserver names such writers.
    var updateManager: String {
        if let manager = query.nonEmpty("fieldManager") { return manager }
        let agent = request.headers[.userAgent] ?? ""
        let product = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return product.isEmpty ? "unknown" : String(product.prefix(128))
    }

    var listOptions: ListOptions {
        ListOptions(
            labelSelector: query.nonEmpty("labelSelector"), fieldSelector: query.nonEmpty("fieldSelector"),
            limit: query.nonEmpty("limit").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil },
            continueToken: query.nonEmpty("continue"), resourceVersion: query.nonEmpty("resourceVersion"),
            resourceVersionMatch: query.nonEmpty("resourceVersionMatch"))
    }

    func list(_ type: ResourceType, namespace: String?, representation: MediaTypes.Representation) throws -> Response {
        let result = try store.list(type, namespace: namespace, options: listOptions)
        var metadata: JSONValue = ["resourceVersion": .string(result.resourceVersion)]
        if let token = result.continueToken, !token.isEmpty { metadata["continue"] = .string(token) }
        if let remaining = result.remainingItemCount { metadata["remainingItemCount"] = .int(remaining) }
        if representation == .table {
            return APIServer.json(TableConverter.table(
                for: type, items: result.items, listMetadata: metadata, includeObject: includeObject, now: Timestamps.now()))
        }
        let list: JSONValue = [
            "kind": .string(type.listKind), "apiVersion": .string(type.apiVersion), "metadata": metadata, "items": .array(result.items),
        ]
        return APIServer.json(list)
    }

}
