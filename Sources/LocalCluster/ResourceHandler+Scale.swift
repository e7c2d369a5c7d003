import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import NIOCore

/// The scale subresource: GET, PUT and PATCH of the Scale view; writes change only spec.replicas.
extension ResourceHandler {
    func scale(_ type: ResourceType, namespace: String?, name: String) async throws -> Response {
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
}
