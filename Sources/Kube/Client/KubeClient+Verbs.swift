import Foundation
import HTTP
import JSON

/// The verbs for any resource and any `Decodable` type. The typed and dynamic forms call these.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/
extension KubeClient {
    /// The namespace for a call on one object: the given one, else the object's, else the default.
    func namespaceFor(_ resource: ResourceDescriptor, _ namespace: String?, object: String? = nil) -> String? {
        guard resource.namespaced else { return nil }
        return namespace ?? object ?? defaultNamespace
    }

    private func requireName(_ name: String, _ resource: ResourceDescriptor) throws(KubeError) {
        if name.isEmpty {
            throw .configuration(.init("an object name is required to address one \(resource.kind)"))
        }
    }

    // MARK: Read

    public func get<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, name: String,
                                             namespace: String? = nil, subresource: String? = nil) async throws(KubeError) -> T {
        try requireName(name, resource)
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace), name: name, subresource: subresource)
        let response = try await send(APIRequest(verb: "get", method: "GET", path: path))
        return try ResponseDecoding.decode(T.self, from: response.body, what: "\(resource.kind) \(name)")
    }

    /// How long a list may take. kube-apiserver ends a request that is not a watch after 60 s
    /// (its `--request-timeout`); waiting longer than that only delays noticing a lost answer,
    /// and a watcher waiting for its first list does nothing meanwhile.
    public static var listTimeout: Duration { .seconds(65) }

    /// One page of objects. `namespace` nil lists every namespace.
    public func list<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, namespace: String? = nil,
                                              options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<T> {
        let path = ResourcePath(resource: resource, namespace: resource.namespaced ? namespace : nil)
        let response = try await send(APIRequest(verb: "list", method: "GET", path: path, query: options.queryItems, timeout: Self.listTimeout))
        return try ResponseDecoding.decode(ObjectList<T>.self, from: response.body, what: "list of \(resource.kind)")
    }

    /// Every object, following `continue` tokens page by page (`options.limit` sets the page
    /// size, 500 when unset). The result's metadata is the last page's, whose resourceVersion
    /// a watch can start from. A 410 while paging (the token expired) is thrown: list again.
    public func listAll<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, namespace: String? = nil,
                                                 options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<T> {
        var options = options
        if options.limit == nil { options.limit = 500 }
        var page = try await list(resource, as: T.self, namespace: namespace, options: options)
        var items = page.items
        while let token = page.metadata.continue, !token.isEmpty {
            options.continueToken = token
            // A continued list must not repeat the resourceVersion constraints of the first page.
            options.resourceVersion = nil
            options.resourceVersionMatch = nil
            page = try await list(resource, as: T.self, namespace: namespace, options: options)
            items.append(contentsOf: page.items)
        }
        var metadata = page.metadata
        metadata.continue = nil
        metadata.remainingItemCount = nil
        return ObjectList(apiVersion: page.apiVersion, kind: page.kind, metadata: metadata, items: items)
    }

    // MARK: Write

    public func create<T: KubernetesObject>(_ resource: ResourceDescriptor, _ object: T, namespace: String? = nil,
                                            options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace, object: object.metadata.namespace))
        let body = try ResponseDecoding.encode(object, what: resource.kind)
        let response = try await send(APIRequest(verb: "create", method: "POST", path: path, query: options.queryItems,
                                                 body: body, contentType: "application/json"))
        return try ResponseDecoding.decode(T.self, from: response.body, what: "created \(resource.kind)")
    }

    /// Replaces the object (PUT). Its `metadata.resourceVersion` makes this a compare-and-swap:
    /// when someone wrote in between, the server answers 409 (`KubeError.isConflict`).
    /// Typed objects drop fields they do not model; prefer `patch` for changes.
    public func update<T: KubernetesObject>(_ resource: ResourceDescriptor, _ object: T, namespace: String? = nil,
                                            subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw .configuration(.init("update needs metadata.name on the \(resource.kind)"))
        }
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace, object: object.metadata.namespace),
                                name: name, subresource: subresource)
        let body = try ResponseDecoding.encode(object, what: resource.kind)
        let response = try await send(APIRequest(verb: "update", method: "PUT", path: path, query: options.queryItems,
                                                 body: body, contentType: "application/json"))
        return try ResponseDecoding.decode(T.self, from: response.body, what: "updated \(resource.kind) \(name)")
    }

    public func patch<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, name: String, namespace: String? = nil,
                                               patch: Patch, subresource: String? = nil,
                                               options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try requireName(name, resource)
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace), name: name, subresource: subresource)
        let response = try await send(APIRequest(verb: "patch", method: "PATCH", path: path, query: patch.queryItems(options),
                                                 body: patch.body, contentType: patch.contentType))
        return try ResponseDecoding.decode(T.self, from: response.body, what: "patched \(resource.kind) \(name)")
    }

    // MARK: Delete

    public func delete<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, name: String, namespace: String? = nil,
                                                options: DeleteOptions = DeleteOptions()) async throws(KubeError) -> DeleteResult<T> {
        try requireName(name, resource)
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace), name: name)
        let response = try await send(APIRequest(verb: "delete", method: "DELETE", path: path, body: options.body.jsonBytes(),
                                                 contentType: "application/json"))
        let kind = try? ResponseDecoding.decode(KindProbe.self, from: response.body, what: "delete response").kind
        if kind == "Status" || response.body.isEmpty {
            let status = (try? ResponseDecoding.decode(Status.self, from: response.body, what: "delete status"))
                ?? Status(status: "Success", code: response.status)
            return .deleted(status)
        }
        return .pending(try ResponseDecoding.decode(T.self, from: response.body, what: "deleted \(resource.kind) \(name)"))
    }

    /// Deletes every object matching `listOptions` in `namespace` (the default namespace when nil).
    public func deleteCollection(_ resource: ResourceDescriptor, namespace: String? = nil, listOptions: ListOptions = ListOptions(),
                                 options: DeleteOptions = DeleteOptions()) async throws(KubeError) {
        let path = ResourcePath(resource: resource, namespace: namespaceFor(resource, namespace))
        _ = try await send(APIRequest(verb: "deletecollection", method: "DELETE", path: path, query: listOptions.queryItems,
                                      body: options.body.jsonBytes(), contentType: "application/json", timeout: .seconds(120)))
    }
}

/// Reads only `kind`, to tell a Status from an object.
private struct KindProbe: Decodable {
    var kind: String?
}

extension KubeClient {
    /// Server-side apply of `object`: creates it or merges the fields it sets, owned by
    /// `fieldManager`. Only the fields present in the object are sent, so a typed object that
    /// does not model a field cannot remove it.
    /// See https://kubernetes.io/docs/reference/using-api/server-side-apply/
    public func apply<T: KubernetesObject>(_ resource: ResourceDescriptor, _ object: T, fieldManager: String, force: Bool = false,
                                           namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw .configuration(.init("apply needs metadata.name on the \(resource.kind)"))
        }
        var body: JSONValue
        if let dynamic = object as? DynamicObject {
            body = dynamic.value
        } else {
            do {
                body = try JSONValue(encoding: object)
            } catch {
                throw .decoding(.init(what: resource.kind, reason: "cannot be encoded: \(error)"))
            }
        }
        // Apply needs apiVersion and kind in the body.
        if body["apiVersion"] == nil { body["apiVersion"] = .string(resource.apiVersion) }
        if body["kind"] == nil { body["kind"] = .string(resource.kind) }
        return try await patch(resource, as: T.self, name: name,
                               namespace: namespaceFor(resource, namespace, object: object.metadata.namespace),
                               patch: .apply(body, fieldManager: fieldManager, force: force), options: options)
    }

    /// Server-side apply of a typed object.
    public func apply<T: KubernetesResource>(_ object: T, fieldManager: String, force: Bool = false, namespace: String? = nil,
                                             options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await apply(T.resource, object, fieldManager: fieldManager, force: force, namespace: namespace, options: options)
    }
}
