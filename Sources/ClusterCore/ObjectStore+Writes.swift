import Foundation
import JSON

/// Create and update with the API server's rules for system fields, generation, the status
/// subresource, preconditions and namespaces.
/// https://kubernetes.io/docs/reference/using-api/api-concepts/
extension StoreState {
    static let namespaceMismatch = APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")

    static func bodyMustBeObject() -> APIError {
        .badRequest("the request body must be a JSON object (a Kubernetes object with apiVersion, kind and metadata)")
    }

    /// The namespace an object is written to: the request's, which the object may repeat but
    /// not contradict. Cluster-scoped objects have none.
    func resolveNamespace(_ type: ResourceType, requested: String?, object: inout JSONValue) throws(APIError) -> String {
        guard type.namespaced else {
            if object[path: "metadata", "namespace"] != nil { object[path: "metadata", "namespace"] = nil }
            return ""
        }
        let own = object.metadataNamespace
        guard let requested, !requested.isEmpty else { return own }
        if !own.isEmpty && own != requested { throw Self.namespaceMismatch }
        object[path: "metadata", "namespace"] = .string(requested)
        return requested
    }

    /// New objects may only go to an existing namespace that is not being deleted.
    func checkNamespaceAcceptsCreate(_ type: ResourceType, namespace: String, name: String) throws(APIError) {
        guard type.namespaced, namespacesServed, !namespace.isEmpty else { return }
        guard let namespaceObject = namespaceObject(namespace) else {
            throw APIError.notFound(Self.namespaceType, name: namespace)
        }
        if namespaceObject.isBeingDeleted {
            let resource = type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)"
            var error = APIError.forbidden("\(resource) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated")
            error.details = .init(name: name, group: type.group, kind: type.plural,
                                  causes: [StatusCause(reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated", field: "metadata.namespace")])
            throw error
        }
    }

    static let namespaceType = ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false)

    /// Creates an object. `fromUpdate` marks a create through update (PUT or apply of an absent
    /// object), where a resourceVersion is a failed precondition rather than a server error.
    mutating func create(
        _ strategy: ResourceStrategy, namespace requestedNamespace: String?, object input: JSONValue,
        dryRun: Bool, fromUpdate: Bool = false
    ) throws(APIError) -> JSONValue {
        let type = strategy.type
        guard input.objectValue != nil else { throw Self.bodyMustBeObject() }
        var object = input.canonicallyOrdered(as: type)
        if case .object = object["metadata"] {} else { object["metadata"] = .emptyObject }
        let namespace = try resolveNamespace(type, requested: requestedNamespace, object: &object)

        var name = object.metadataName
        if name.isEmpty, let prefix = object[path: "metadata", "generateName"]?.stringValue, !prefix.isEmpty {
            repeat {
                name = ObjectMetadataRules.nameWithRandomSuffix(prefix: prefix)
            } while buckets[type.storageKey]?[ObjectKey(namespace: namespace, name: name)] != nil
            object[path: "metadata", "name"] = .string(name)
        }
        if !object.metadataResourceVersion.isEmpty {
            if fromUpdate { throw APIError.conflict(type, name: name) }
            throw APIError.internalError("resourceVersion should not be set on objects to be created")
        }
        try checkNamespaceAcceptsCreate(type, namespace: namespace, name: name)
        let key = ObjectKey(namespace: namespace, name: name)
        if !name.isEmpty, buckets[type.storageKey]?[key] != nil {
            throw APIError.alreadyExists(type, name: name)
        }

        // System fields are the server's, whatever the client sent.
        object[path: "metadata", "uid"] = .string(ObjectMetadataRules.newUID())
        object[path: "metadata", "creationTimestamp"] = .string(ObjectMetadataRules.timestamp())
        object[path: "metadata", "generation"] = 1
        object[path: "metadata", "deletionTimestamp"] = nil
        object[path: "metadata", "deletionGracePeriodSeconds"] = nil
        object[path: "metadata", "selfLink"] = nil
        if type.hasStatusSubresource { object["status"] = nil }
        if type.storageKey == Self.namespacesKey {
            object[path: "metadata", "labels", "kubernetes.io/metadata.name"] = .string(name)
            if object[path: "spec", "finalizers"] == nil { object[path: "spec", "finalizers"] = ["kubernetes"] }
            object[path: "status", "phase"] = "Active"
        }

        strategy.prepare(&object, nil)
        let causes = ObjectMetadataRules.validate(object, type: type) + strategy.validate(object, nil)
        if !causes.isEmpty { throw APIError.invalid(type, name: name, causes: causes) }

        if dryRun { return object.presented(as: type) }
        let version = nextResourceVersion()
        object[path: "metadata", "resourceVersion"] = .string(String(version))
        try commitPut(StoredRef(storageKey: type.storageKey, key: key), object, version: version, previous: nil)
        return object.presented(as: type)
    }

    /// Whether anything but metadata and status differs: what makes `generation` move.
    static func specDiffers(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let ignored: Set<String> = ["metadata", "status", "apiVersion", "kind"]
        let left = a.objectValue ?? [:]
        let right = b.objectValue ?? [:]
        for (key, value) in left where !ignored.contains(key) && right[key] != value { return true }
        for key in right.keys where !ignored.contains(key) && left[key] == nil { return true }
        return false
    }

    mutating func update(
        _ strategy: ResourceStrategy, namespace requestedNamespace: String?, name: String, subresource: Subresource,
        dryRun: Bool, createIfMissing: Bool, transform: (JSONValue?) throws(APIError) -> JSONValue
    ) throws(APIError) -> (object: JSONValue, created: Bool) {
        let type = strategy.type
        if subresource == .status && !type.hasStatusSubresource { throw Self.resourceNotFound }
        let namespace = type.namespaced ? (requestedNamespace ?? "") : ""
        let ref = StoredRef(storageKey: type.storageKey, key: ObjectKey(namespace: namespace, name: name))

        guard let stored = object(ref) else {
            guard createIfMissing && subresource == .main else { throw APIError.notFound(type, name: name) }
            var fresh = try transform(nil)
            guard fresh.objectValue != nil else { throw Self.bodyMustBeObject() }
            let ownName = fresh.metadataName
            if !ownName.isEmpty && ownName != name {
                throw APIError.badRequest("the name of the object (\(ownName)) does not match the name on the URL (\(name))")
            }
            fresh[path: "metadata", "name"] = .string(name)
            fresh[path: "metadata", "generateName"] = nil
            return (try create(strategy, namespace: requestedNamespace, object: fresh, dryRun: dryRun, fromUpdate: true), true)
        }

        let old = stored.presented(as: type)
        var object = try transform(old)
        guard object.objectValue != nil else { throw Self.bodyMustBeObject() }
        if case .object = object["metadata"] {} else { object["metadata"] = .emptyObject }

        let precondition = object.metadataResourceVersion
        if !precondition.isEmpty && precondition != old.metadataResourceVersion {
            throw APIError.conflict(type, name: name)
        }
        let ownName = object.metadataName
        if !ownName.isEmpty && ownName != name {
            throw APIError.badRequest("the name of the object (\(ownName)) does not match the name on the URL (\(name))")
        }
        if type.namespaced, !object.metadataNamespace.isEmpty, object.metadataNamespace != namespace {
            throw Self.namespaceMismatch
        }

        if subresource == .status {
            // Writes to /status change status only.
            var merged = old
            merged["status"] = object["status"]
            object = merged
        } else {
            object = object.canonicallyOrdered(as: type)
            for field in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"] {
                object[path: "metadata", field] = old[path: "metadata", field]
            }
            object[path: "metadata", "generateName"] = old[path: "metadata", "generateName"]
            if type.hasStatusSubresource { object["status"] = old["status"] }
        }

        var causes: [StatusCause] = []
        if old.isBeingDeleted {
            let added = object.metadataFinalizers.filter { !old.metadataFinalizers.contains($0) }
            if !added.isEmpty {
                causes.append(.forbiddenValue("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers \(added)"))
            }
        }
        strategy.prepare(&object, old)
        causes += ObjectMetadataRules.validate(object, type: type) + strategy.validate(object, old)
        if !causes.isEmpty { throw APIError.invalid(type, name: name, causes: causes) }

        if Self.specDiffers(old, object) {
            object[path: "metadata", "generation"] = .int((old[path: "metadata", "generation"]?.intValue ?? 0) + 1)
        }
        object = object.presented(as: type)
        // A write that changes nothing keeps its resourceVersion and tells no watcher.
        if object == old { return (old, false) }
        if dryRun { return (object, false) }

        let version = nextResourceVersion()
        object[path: "metadata", "resourceVersion"] = .string(String(version))
        try commitPut(ref, object, version: version, previous: stored)
        if let final = try finalizeIfReady(ref) {
            try runCollection()
            return (final.presented(as: type), false)
        }
        return (object, false)
    }
}
