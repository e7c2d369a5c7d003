import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import Logging
import NIOCore

/// The Kubernetes REST API over HTTP: authenticates each request, authorizes it with RBAC
/// (`RBACAuthorizer`; the admin identity is in `system:masters` and passes), routes its path, and
/// answers every failure with a `Status` object and the matching HTTP code, the way
/// kube-apiserver does, so that kubectl and client libraries behave as against a real cluster.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/
struct APIServer: HTTPResponder {
    typealias Context = ClusterRequestContext

    /// kube-apiserver refuses request bodies over 3 MiB.
    static let maximumBodySize = 3 * 1024 * 1024

    let store: ObjectStore
    let strategies: StrategyBook
    let reconciler: CRDReconciler
    let authenticator: Authenticator
    let authorizer: RBACAuthorizer
    let identityEndpoints: IdentityEndpoints
    /// Watches without `timeoutSeconds` end after a random time in this range, as the API
    /// server spreads reconnects of its clients.
    let watchTimeout: ClosedRange<Int>
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        logger.debug("request", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)"])
        do {
            let path = request.uri.path
            if Self.isPublic(path) {
                return try await route(request, context: context, user: .admin)
            }
            let user = try await authenticator.authenticate(request, channel: context.channel)
            let attributes = RequestAttributes(method: request.method, path: path, apiPath: APIPath(path: path),
                                               watch: QueryParameters(request.uri.query).flag("watch"))
            guard authorizer.allows(user, attributes) else {
                logger.debug("forbidden", metadata: ["user": "\(user.name)", "verb": "\(attributes.verb)", "path": "\(path)"])
                throw attributes.forbidden(for: user)
            }
            return try await route(request, context: context, user: user)
        } catch let error as APIError {
            logger.debug("request failed", metadata: ["path": "\(request.uri.path)", "code": "\(error.code)", "reason": "\(error.reason)"])
            return Self.errorResponse(error)
        } catch is NIOTooManyBytesError {
            return Self.errorResponse(.requestEntityTooLarge(limit: Self.maximumBodySize))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.debug("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.errorResponse(.internalError("\(error)"))
        }
    }

    /// Health endpoints answer without credentials, as kube-apiserver lets anyone probe them.
    static func isPublic(_ path: String) -> Bool {
        path == "/healthz" || path == "/livez" || path == "/readyz"
            || path.hasPrefix("/healthz/") || path.hasPrefix("/livez/") || path.hasPrefix("/readyz/")
    }

    private func route(_ request: Request, context: Context, user: UserInfo) async throws -> Response {
        guard let path = APIPath(path: request.uri.path) else {
            throw Self.pathNotFound
        }
        if case .resource(let resource) = path {
            if let response = try await identityEndpoints.respond(to: request, path: resource, user: user) {
                return response
            }
            return try await ResourceHandler(server: self, request: request, path: resource).respond()
        }
        guard request.method == .get || request.method == .head else {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        if path == .openAPIV2 {
            return try openAPIV2(request)
        }
        let representation = try MediaTypes.negotiate(accept: request.headers[.accept])
        let types = store.registeredTypes
        switch path {
        case .version:
            return Self.json(Self.versionInfo)
        case .health:
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
        case .coreVersions:
            if representation == .aggregatedDiscovery {
                return Self.json(Discovery.aggregated(legacy: true, types), contentType: MediaTypes.aggregatedDiscovery)
            }
            return Self.json(Discovery.coreVersions())
        case .groupList:
            if representation == .aggregatedDiscovery {
                return Self.json(Discovery.aggregated(legacy: false, types), contentType: MediaTypes.aggregatedDiscovery)
            }
            return Self.json(Discovery.apiGroupList(types))
        case .group(let group):
            guard let document = Discovery.apiGroup(group, types) else { throw Self.pathNotFound }
            return Self.json(document)
        case .resourceList(let group, let version):
            guard let document = Discovery.resourceList(group: group, version: version, types) else { throw Self.pathNotFound }
            return Self.json(document)
        case .openAPIIndex:
            return Self.json(OpenAPIDocuments.index(types))
        case .openAPIDocument(let documentPath):
            let crds = reconciler.crdType.flatMap { try? store.list($0, namespace: nil).items } ?? []
            guard let document = OpenAPIDocuments.document(path: documentPath, types, crds: crds) else { throw Self.pathNotFound }
            return Self.json(document)
        case .openAPIV2, .resource:
            throw Self.pathNotFound
        }
    }

    /// `/openapi/v2` in the representation asked for, with an ETag so that clients that
    /// cache it (`If-None-Match`) get a 304 while nothing changed, as from kube-apiserver.
    private func openAPIV2(_ request: Request) throws -> Response {
        let representation = try MediaTypes.negotiateOpenAPIV2(accept: request.headers[.accept])
        let crds = reconciler.crdType.flatMap { try? store.list($0, namespace: nil).items } ?? []
        let (document, hash) = OpenAPIV2Document.cached(store.registeredTypes, crds: crds)
        let etag = "\"\(hash)\""
        if let ifNoneMatch = request.headers[.ifNoneMatch], ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            let type = representation == .json ? MediaTypes.json : OpenAPIV2Document.protobufContentType
            return Response(status: .notModified, headers: [.contentType: type, .eTag: etag, .vary: "Accept"])
        }
        switch representation {
        case .json:
            return Self.json(document, extraHeaders: [.eTag: etag, .vary: "Accept"])
        case .protobuf:
            var buffer = ByteBuffer()
            buffer.writeBytes(OpenAPIV2Document.protobuf(document))
            return Response(status: .ok, headers: [.contentType: OpenAPIV2Document.protobufContentType, .cacheControl: "no-cache, private", .eTag: etag, .vary: "Accept"],
                            body: .init(byteBuffer: buffer))
        }
    }

    static let pathNotFound = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static let versionInfo: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-slipway", "gitCommit": "", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "swift6", "compiler": "swift", "platform": .string(Self.platform),
    ]

    static var platform: String {
        #if arch(arm64)
        let arch = "arm64"
        #else
        let arch = "amd64"
        #endif
        #if os(macOS)
        return "darwin/\(arch)"
        #else
        return "linux/\(arch)"
        #endif
    }

    // MARK: Responses

    static func json(_ value: JSONValue, status: Int = 200, contentType: String = MediaTypes.json, extraHeaders: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-cache, private"]
        headers.append(contentsOf: extraHeaders)
        var buffer = ByteBuffer()
        buffer.writeBytes(value.jsonBytes())
        buffer.writeString("\n")
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: buffer))
    }

    static func errorResponse(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if error.code == 401 {
            headers[.wwwAuthenticate] = "Bearer realm=\"kubernetes-api\""
        }
        return json(error.statusObject, status: error.code, extraHeaders: headers)
    }
}
