import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import NIOCore

/// Reading and checking request bodies before they reach the store: size limit, media type,
/// kind and apiVersion, name and namespace against the URL, field validation, DeleteOptions.
extension ResourceHandler {
    func readBody() async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > APIServer.maximumBodySize {
            throw APIError.requestEntityTooLarge(limit: APIServer.maximumBodySize)
        }
        let buffer = try await request.body.collect(upTo: APIServer.maximumBodySize)
        return Array(buffer.readableBytesView)
    }

    /// The body of a create or update: a JSON or YAML object of this resource's kind.
    func readObject(_ type: ResourceType) async throws -> JSONValue {
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

    func fieldValidation(_ object: JSONValue, type: ResourceType, old: JSONValue?) throws -> HTTPFields {
        guard let strategy = server.strategies.strategy(for: type) else { return [:] }
        let unknown = FieldValidation.unknownFields(object, strategy: strategy, old: old)
        return try FieldValidation(query: query).check(unknown).map(FieldValidation.warningHeaders) ?? [:]
    }

    func deleteOptions() async throws -> DeleteOptions {
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
}
