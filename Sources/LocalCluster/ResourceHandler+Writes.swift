import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import NIOCore

/// create, update, patch, delete and deletecollection, answered with the codes kube-apiserver
/// uses (201 on create, 202 while a delete waits on finalizers or dependents).
extension ResourceHandler {
    func create(_ type: ResourceType, namespace: String?) async throws -> Response {
        var object = try await readObject(type)
        try Self.placeInNamespace(&object, type: type, namespace: namespace)
        let warnings = try fieldValidation(object, type: type, old: nil)
        try ServerSideApply.recordUpdate(from: nil, to: &object, group: type.group, kind: type.kind, fieldManager: updateManager, now: Timestamps.now())
        let created = try store.create(type, namespace: namespace, object: object, options: writeOptions)
        afterWrite(type, object: created)
        return APIServer.json(created, status: 201, extraHeaders: warnings)
    }

    func replace(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
        var object = try await readObject(type)
        try Self.placeInNamespace(&object, type: type, namespace: namespace)
        try Self.checkName(object, name: name)
        let warnings = subresource == .main ? try fieldValidation(object, type: type, old: nil) : [:]
        let manager = updateManager
        let now = Timestamps.now()
        let result = try store.update(type, namespace: namespace, name: name, subresource: subresource, options: writeOptions) {
            (current: JSONValue?) throws(APIError) -> JSONValue in
            guard let current else { throw APIError.notFound(type, name: name) }
            guard subresource == .main else { return object }
            var updated = object
            try ServerSideApply.recordUpdate(from: current, to: &updated, group: type.group, kind: type.kind, fieldManager: manager, now: now)
            return updated
        }
        afterWrite(type, object: result.object)
        return APIServer.json(result.object, status: result.created ? 201 : 200, extraHeaders: warnings)
    }

    func patch(_ type: ResourceType, namespace: String?, name: String, subresource: Subresource) async throws -> Response {
        let bodyType = try MediaTypes.bodyType(contentType: request.headers[.contentType])
        let body = try await readBody()
        let patch = try MediaTypes.decodeBody(body, contentType: bodyType == .apply ? "application/yaml" : request.headers[.contentType])
        var options = writeOptions
        let now = Timestamps.now()
        let manager = updateManager
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
                patched = try ServerSideApply.apply(patch, to: current, group: type.group, kind: type.kind, fieldManager: options.fieldManager ?? "",
                                                    force: query.flag("force"), now: now)
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
            if subresource == .main, bodyType != .apply {
                try ServerSideApply.recordUpdate(from: current, to: &patched, group: type.group, kind: type.kind, fieldManager: manager, now: now)
            }
            return patched
        }
        afterWrite(type, object: result.object)
        return APIServer.json(result.object, status: result.created ? 201 : 200, extraHeaders: warnings.headers)
    }

    func delete(_ type: ResourceType, namespace: String?, name: String) async throws -> Response {
        let options = try await deleteOptions()
        let outcome = try store.delete(type, namespace: namespace, name: name, options: options)
        afterWrite(type, object: outcome.object)
        switch outcome {
        case .deleted(let object): return APIServer.json(object, status: 200)
        case .pending(let object): return APIServer.json(object, status: 202)
        }
    }

    func deleteCollection(_ type: ResourceType, namespace: String?) async throws -> Response {
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
    func afterWrite(_ type: ResourceType, object: JSONValue) {
        guard CRDReconciler.isCRD(type), !writeOptions.dryRun, let name = object[path: "metadata", "name"]?.stringValue else { return }
        server.reconciler.reconcile(name: name)
    }
}
