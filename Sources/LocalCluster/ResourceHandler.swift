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

    private var store: ObjectStore { server.store }

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

    private func collection(_ type: ResourceType, namespace: String?) async throws -> Response {
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

    private func item(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
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

    /// GET, PUT and PATCH of the Scale view; writes change only spec.replicas.
    private func scale(_ type: ResourceType, namespace: String?, name: String) async throws -> Response {
        switch request.method {
        case .get:
            return APIServer.json(ScaleSubresource.scale(of: try store.get(type, namespace: namespace, name: name)))
        case .put, .patch:
            let isPatch = request.method == .patch
            let bodyType: MediaTypes.BodyType = isPatch ? try MediaTypes.bodyType(contentType: request.headers[.contentType]) : .object
            if isPatch && bodyType == .object { throw APIError.unsupportedMediaType(request.headers[.contentType] ?? "") }
            let body = try MediaTypes.decodeBody(try await readBody(), contentType: bodyType == .apply ? "application/yaml" : request.headers[.contentType])
            let result = try store.update(type, namespace: namespace, name: name, options: writeOptions) {
                (current: JSONValue?) throws(APIError) -> JSONValue in
                guard let current else { throw APIError.notFound(type, name: name) }
                let view = ScaleSubresource.scale(of: current)
                let wanted: JSONValue
                switch bodyType {
                case .object: wanted = body
                case .jsonPatch: wanted = try JSONPatch.apply(body, to: view)
                case .mergePatch, .strategicMerge, .apply: wanted = MergePatch.apply(body, to: view)
                }
                return try ScaleSubresource.apply(wanted, to: current)
            }
            return APIServer.json(ScaleSubresource.scale(of: result.object))
        default:
            throw APIError.methodNotAllowed("\(request.method.rawValue) is not allowed on the scale of \(type.plural) \"\(name)\"; use GET, PUT or PATCH")
        }
    }

    private func requireVerb(_ verb: String, _ type: ResourceType) throws {
        guard type.verbs.contains(verb) else {
            throw APIError.methodNotAllowed("\(verb) is not supported on \(type.plural)")
        }
    }

    private var includeObject: String { query.nonEmpty("includeObject") ?? "Metadata" }

    private var writeOptions: WriteOptions {
        WriteOptions(dryRun: query.all("dryRun").contains("All"), fieldManager: query.nonEmpty("fieldManager"))
    }

    private var listOptions: ListOptions {
        ListOptions(
            labelSelector: query.nonEmpty("labelSelector"), fieldSelector: query.nonEmpty("fieldSelector"),
            limit: query.nonEmpty("limit").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil },
            continueToken: query.nonEmpty("continue"), resourceVersion: query.nonEmpty("resourceVersion"),
            resourceVersionMatch: query.nonEmpty("resourceVersionMatch"))
    }

    private func list(_ type: ResourceType, namespace: String?, representation: MediaTypes.Representation) throws -> Response {
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

    private func create(_ type: ResourceType, namespace: String?) async throws -> Response {
        var object = try await readObject(type)
        try Self.placeInNamespace(&object, type: type, namespace: namespace)
        let warnings = try fieldValidation(object, type: type, old: nil)
        let created = try store.create(type, namespace: namespace, object: object, options: writeOptions)
        afterWrite(type, object: created)
        return APIServer.json(created, status: 201, extraHeaders: warnings)
    }

    private func replace(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
        var object = try await readObject(type)
        try Self.placeInNamespace(&object, type: type, namespace: namespace)
        try Self.checkName(object, name: name)
        let warnings = subresource == .main ? try fieldValidation(object, type: type, old: nil) : [:]
        let result = try store.update(type, namespace: namespace, name: name, subresource: subresource, options: writeOptions) {
            (current: JSONValue?) throws(APIError) -> JSONValue in
            guard current != nil else { throw APIError.notFound(type, name: name) }
            return object
        }
        afterWrite(type, object: result.object)
        return APIServer.json(result.object, status: result.created ? 201 : 200, extraHeaders: warnings)
    }

    private func patch(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
        let bodyType = try MediaTypes.bodyType(contentType: request.headers[.contentType])
        let body = try await readBody()
        let patch = try MediaTypes.decodeBody(body, contentType: bodyType == .apply ? "application/yaml" : request.headers[.contentType])
        var options = writeOptions
        let now = Timestamps.now()
        switch bodyType {
        case .object:
            throw APIError.unsupportedMediaType(request.headers[.contentType] ?? "")
        case .apply:
            guard let manager = options.fieldManager else {
                throw APIError.badRequest("PATCH requests with apply-patch+yaml require the fieldManager query parameter")
            }
            options.fieldManager = manager
            try Self.checkKind(patch, type: type)
            try Self.checkName(patch, name: name)
        case .jsonPatch:
            guard case .array = patch else { throw APIError.badRequest("a JSON patch must be an array of operations") }
        case .mergePatch, .strategicMerge:
            guard case .object = patch else { throw APIError.badRequest("a \(bodyType == .mergePatch ? "merge" : "strategic merge") patch must be a JSON object") }
        }
        let strategy = server.strategies.strategy(for: type)
        let validation = FieldValidation(query: query)
        let warnings = WarningCollector()
        let result = try store.update(
            type, namespace: namespace, name: name, subresource: subresource, options: options,
            createIfMissing: bodyType == .apply && subresource == .main
        ) { (current: JSONValue?) throws(APIError) -> JSONValue in
            var patched: JSONValue
            switch bodyType {
            case .apply:
                patched = try ServerSideApply.apply(patch, to: current, group: type.group, kind: type.kind, fieldManager: options.fieldManager ?? "", now: now)
            case .jsonPatch:
                guard let current else { throw APIError.notFound(type, name: name) }
                patched = try JSONPatch.apply(patch, to: current)
            case .mergePatch:
                guard let current else { throw APIError.notFound(type, name: name) }
                patched = MergePatch.apply(patch, to: current)
            case .strategicMerge:
                guard let current else { throw APIError.notFound(type, name: name) }
                patched = try StrategicMergePatch.apply(patch, to: current, group: type.group, kind: type.kind)
            case .object:
                throw APIError.unsupportedMediaType(request.headers[.contentType] ?? "")
            }
            guard case .object = patched else { throw APIError.badRequest("the patch did not produce an object") }
            if let patchedName = patched[path: "metadata", "name"]?.stringValue, patchedName != name {
                throw APIError.badRequest("the name of the object (\(patchedName)) does not match the name on the URL (\(name))")
            }
            patched[path: "metadata", "name"] = .string(name)
            if let namespace { patched[path: "metadata", "namespace"] = .string(namespace) }
            if subresource == .main, let strategy {
                let unknown = FieldValidation.unknownFields(patched, strategy: strategy, old: current)
                warnings.record(try validation.check(unknown))
            }
            return patched
        }
        afterWrite(type, object: result.object)
        return APIServer.json(result.object, status: result.created ? 201 : 200, extraHeaders: warnings.headers)
    }

    private func delete(_ type: ResourceType, namespace: String?, name: String) async throws -> Response {
        let options = try await deleteOptions()
        let outcome = try store.delete(type, namespace: namespace, name: name, options: options)
        afterWrite(type, object: outcome.object)
        switch outcome {
        case .deleted(let object): return APIServer.json(object, status: 200)
        case .pending(let object): return APIServer.json(object, status: 202)
        }
    }

    private func deleteCollection(_ type: ResourceType, namespace: String?) async throws -> Response {
        let options = try await deleteOptions()
        var selection = listOptions
        selection.limit = nil
        selection.continueToken = nil
        let deleted = try store.deleteCollection(type, namespace: namespace, listOptions: selection, options: options)
        for object in deleted { afterWrite(type, object: object) }
        let list: JSONValue = [
            "kind": .string(type.listKind), "apiVersion": .string(type.apiVersion),
            "metadata": ["resourceVersion": .string(store.currentResourceVersion)], "items": .array(deleted),
        ]
        return APIServer.json(list)
    }

    /// CRD writes change what is served: reconcile the CRD at once, so that a custom resource
    /// applied right after its definition is accepted.
    private func afterWrite(_ type: ResourceType, object: JSONValue) {
        guard CRDReconciler.isCRD(type), !writeOptions.dryRun, let name = object[path: "metadata", "name"]?.stringValue else { return }
        server.reconciler.reconcile(name: name)
    }

    // MARK: Bodies

    private func readBody() async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > APIServer.maximumBodySize {
            throw APIError.requestEntityTooLarge(limit: APIServer.maximumBodySize)
        }
        let buffer = try await request.body.collect(upTo: APIServer.maximumBodySize)
        return Array(buffer.readableBytesView)
    }

    /// The body of a create or update: a JSON or YAML object of this resource's kind.
    private func readObject(_ type: ResourceType) async throws -> JSONValue {
        var object: JSONValue
        if ProtobufBodies.isProtobuf(request.headers[.contentType]) {
            object = try ProtobufBodies.decodeObject(try await readBody())
        } else {
            let bodyType = try MediaTypes.bodyType(contentType: request.headers[.contentType])
            guard bodyType == .object else { throw APIError.unsupportedMediaType(request.headers[.contentType] ?? "") }
            object = try MediaTypes.decodeBody(try await readBody(), contentType: request.headers[.contentType])
        }
        guard case .object = object else {
            throw APIError.badRequest("the request body must be a \(type.kind) object, not a JSON \(object.typeName)")
        }
        try Self.checkKind(object, type: type)
        if object["apiVersion"] == nil { object["apiVersion"] = .string(type.apiVersion) }
        if object["kind"] == nil { object["kind"] = .string(type.kind) }
        return object
    }

    static func checkKind(_ object: JSONValue, type: ResourceType) throws {
        if let kind = object["kind"], kind != .string(type.kind) {
            throw APIError.badRequest("the body is of kind \(kind.stringValue ?? kind.jsonString()) but the URL addresses \(type.kind) (\(type.plural)); send a \(type.kind) to this URL")
        }
        if let apiVersion = object["apiVersion"] {
            guard let text = apiVersion.stringValue else {
                throw APIError.badRequest("apiVersion must be a string such as \"\(type.apiVersion)\"")
            }
            let group = text.contains("/") ? String(text.split(separator: "/", maxSplits: 1)[0]) : ""
            if group != type.group {
                throw APIError.badRequest("the body has apiVersion \(text) but the URL addresses \(type.apiVersion); send apiVersion \(type.apiVersion)")
            }
        }
    }

    static func checkName(_ object: JSONValue, name: String) throws {
        if let bodyName = object[path: "metadata", "name"]?.stringValue, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
    }

    static func placeInNamespace(_ object: inout JSONValue, type: ResourceType, namespace: String?) throws {
        if let given = object[path: "metadata", "namespace"], !given.isNull, given != .string("") {
            if type.namespaced, let namespace, given != .string(namespace) {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
        }
        if let metadata = object["metadata"], !metadata.isNull {
            guard case .object = metadata else { throw APIError.badRequest("metadata must be an object") }
        }
        if type.namespaced, let namespace {
            object[path: "metadata", "namespace"] = .string(namespace)
        } else if object[path: "metadata", "namespace"] != nil {
            object["metadata"]?["namespace"] = nil
        }
    }

    private func fieldValidation(_ object: JSONValue, type: ResourceType, old: JSONValue?) throws -> HTTPFields {
        guard let strategy = server.strategies.strategy(for: type) else { return [:] }
        let unknown = FieldValidation.unknownFields(object, strategy: strategy, old: old)
        return try FieldValidation(query: query).check(unknown).map(FieldValidation.warningHeaders) ?? [:]
    }

    private func deleteOptions() async throws -> DeleteOptions {
        var options = DeleteOptions(dryRun: query.all("dryRun").contains("All"))
        let body = try await readBody()
        if !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            let document = ProtobufBodies.isProtobuf(request.headers[.contentType])
                ? try ProtobufBodies.decodeDeleteOptions(body)
                : try MediaTypes.decodeBody(body, contentType: request.headers[.contentType])
            if let policy = document["propagationPolicy"]?.stringValue {
                guard let parsed = DeleteOptions.Propagation(rawValue: policy) else {
                    throw APIError.badRequest("propagationPolicy must be Orphan, Background or Foreground, not \(policy)")
                }
                options.propagationPolicy = parsed
            }
            if document["orphanDependents"]?.boolValue == true, options.propagationPolicy == nil {
                options.propagationPolicy = .orphan
            }
            options.preconditionUID = document[path: "preconditions", "uid"]?.stringValue
            options.preconditionResourceVersion = document[path: "preconditions", "resourceVersion"]?.stringValue
            if document["dryRun"]?.arrayValue?.contains(.string("All")) == true { options.dryRun = true }
        }
        if let policy = query.nonEmpty("propagationPolicy") {
            guard let parsed = DeleteOptions.Propagation(rawValue: policy) else {
                throw APIError.badRequest("propagationPolicy must be Orphan, Background or Foreground, not \(policy)")
            }
            options.propagationPolicy = parsed
        }
        if query.flag("orphanDependents"), options.propagationPolicy == nil { options.propagationPolicy = .orphan }
        return options
    }

    // MARK: Watch

    private func watch(_ type: ResourceType, namespace: String?, representation: MediaTypes.Representation, fieldSelector: String?) throws -> Response {
        let options = WatchOptions(
            labelSelector: query.nonEmpty("labelSelector"), fieldSelector: fieldSelector,
            resourceVersion: query.nonEmpty("resourceVersion"), allowWatchBookmarks: query.flag("allowWatchBookmarks"))
        let timeout = query.nonEmpty("timeoutSeconds").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            ?? Int.random(in: server.watchTimeout)
        let events: AsyncStream<WatchEvent>
        do {
            events = try store.watch(type, namespace: namespace, options: options)
        } catch {
            guard error.code == 410 else { throw error }
            // The API server reports an expired resourceVersion inside the stream.
            return WatchStream.expired(error)
        }
        var transform: (@Sendable (JSONValue) -> JSONValue)? = nil
        if representation == .table {
            let include = includeObject
            transform = { (object: JSONValue) -> JSONValue in
                let version: JSONValue = object[path: "metadata", "resourceVersion"] ?? .string("")
                let metadata: JSONValue = ["resourceVersion": version]
                return TableConverter.table(for: type, items: [object], listMetadata: metadata, includeObject: include, now: Timestamps.now())
            }
        }
        return WatchStream(events: events, request: request, timeout: .seconds(timeout), logger: server.logger, transform: transform).response()
    }
}
