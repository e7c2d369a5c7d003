import Foundation
import HTTP
import JSON

/// What a tag (or digest) resolved to in its registry at one moment.
public struct ResolvedImage: Sendable, Equatable {
    /// The reference as asked for (tag and/or digest).
    public var reference: ImageReference
    /// The digest of the manifest or index the registry serves for it: what a pinned workload runs.
    public var digest: ImageDigest
    public var mediaType: String
    /// For a multi-arch index, its platforms (`linux/amd64`, `linux/arm64`); empty for one image.
    public var platforms: [String]

    /// `REPO@sha256:…`: the reference a kubelet pulls that a re-pushed tag cannot change.
    public var pinned: ImageReference { reference.pinned(to: digest) }
}

/// A client of the OCI distribution API over the project's libcurl client: manifests (OCI and
/// Docker v2 types, image manifests and multi-arch indexes), blobs (following redirects to blob
/// storage), and pushes. Authentication follows what the registry asks for in its 401 answer:
/// HTTP Basic, or the token flow (`WWW-Authenticate: Bearer realm,service,scope`: a token is
/// fetched from the realm, with the credentials when there are any, and kept until it expires).
///
/// TLS is always verified; `caBundlePEM` replaces the system's authorities for a registry with
/// a private CA. https://github.com/opencontainers/distribution-spec/blob/main/spec.md
public actor RegistryClient {
    private let http: HTTPClient
    private let timeout: Duration
    private var tokens: [TokenKey: CachedToken] = [:]
    /// How each registry last asked to be authenticated, so the next request sends it at once.
    private var challenges: [String: AuthenticationChallenge] = [:]

    public init(caBundlePEM: String? = nil, timeout: Duration = .seconds(10)) throws(RegistryError) {
        var configuration = HTTPClientConfiguration(connectTimeout: min(timeout, .seconds(5)), maxConnectionsPerHost: 8, userAgent: "slipway-registry")
        if let caBundlePEM, !caBundlePEM.isEmpty { configuration.tls.certificateAuthorityPEM = Array(caBundlePEM.utf8) }
        do { http = try HTTPClient(configuration: configuration) } catch {
            throw .unreachable(registry: "(none)", reason: "the HTTP client could not start: \(error)")
        }
        self.timeout = timeout
    }

    deinit { http.shutdown() }

    /// Ends every transfer; later requests fail as unreachable.
    public nonisolated func shutdown() { http.shutdown() }

    // MARK: Reading

    /// The digest `image` has now: a HEAD of its manifest (which Docker Hub does not count
    /// against pull limits), or a GET when the registry's HEAD answer lacks the digest or is an error,
    /// so that an error names what the registry said.
    public func resolve(_ image: ImageReference, credentials: RegistryCredentials? = nil) async throws(RegistryError) -> ResolvedImage {
        let url = manifestURL(image, reference: image.manifestReference)
        let accept = [("Accept", MediaType.manifests.joined(separator: ", "))]
        let head = try await send("HEAD", url: url, image: image, actions: "pull", credentials: credentials, headers: accept)
        if (200..<300).contains(head.status), let digestText = head.header("Docker-Content-Digest"), let digest = ImageDigest(digestText),
           let type = head.header("Content-Type").map({ String($0.split(separator: ";")[0]).trimmingSpaces }), MediaType.manifests.contains(type),
           !MediaType.isIndex(type) {
            if let wanted = image.digest, wanted != digest {
                throw .invalidResponse(image: image.description, registry: image.registry, reason: "it served digest \(digest) for \(wanted)")
            }
            return ResolvedImage(reference: image, digest: digest, mediaType: type, platforms: [])
        }
        // An index needs its body for the platforms; errors need it for the registry's words.
        let manifest = try await manifest(image, credentials: credentials)
        return ResolvedImage(reference: image, digest: manifest.digest, mediaType: manifest.mediaType, platforms: manifest.manifests.compactMap(\.platform))
    }

    /// The manifest (or index) of `image`, its digest checked against the bytes when the
    /// reference or the registry names one.
    public func manifest(_ image: ImageReference, credentials: RegistryCredentials? = nil) async throws(RegistryError) -> Manifest {
        let url = manifestURL(image, reference: image.manifestReference)
        let response = try await send("GET", url: url, image: image, actions: "pull", credentials: credentials,
                                      headers: [("Accept", MediaType.manifests.joined(separator: ", "))])
        try Self.check(response, image: image, hadCredentials: credentials != nil)
        let manifest: Manifest
        do { manifest = try Manifest(bytes: response.body, contentType: response.header("Content-Type")) } catch {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: error.description)
        }
        if let wanted = image.digest, wanted != manifest.digest {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "its bytes have digest \(manifest.digest), not the one asked for")
        }
        if let stated = response.header("Docker-Content-Digest").flatMap(ImageDigest.init), stated != manifest.digest {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "it states digest \(stated) but its bytes have \(manifest.digest)")
        }
        return manifest
    }

    /// The blob `digest` of `image`'s repository, its content checked against the digest.
    /// Registries may redirect blob requests to storage elsewhere; the redirect is followed
    /// (without the registry's credentials, which libcurl keeps to the original host).
    public func blob(_ digest: ImageDigest, of image: ImageReference, credentials: RegistryCredentials? = nil,
                     maxBytes: Int = 4 << 20) async throws(RegistryError) -> [UInt8] {
        let response = try await send("GET", url: baseURL(image) + "/blobs/" + digest.rawValue, image: image, actions: "pull", credentials: credentials)
        try Self.check(response, image: image, hadCredentials: credentials != nil)
        guard response.body.count <= maxBytes else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "blob \(digest.short) is larger than \(maxBytes) bytes")
        }
        guard ImageDigest(of: response.body) == digest else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "blob \(digest.short) does not match its digest")
        }
        return response.body
    }

    // MARK: Pushing

    /// Uploads `bytes` as a blob of `image`'s repository (one monolithic upload, skipped when the
    /// blob is there already) and returns its descriptor.
    /// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
    @discardableResult
    public func pushBlob(_ bytes: [UInt8], mediaType: String, to image: ImageReference,
                         credentials: RegistryCredentials? = nil) async throws(RegistryError) -> Descriptor {
        let digest = ImageDigest(of: bytes)
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: bytes.count)
        let existing = try await send("HEAD", url: baseURL(image) + "/blobs/" + digest.rawValue, image: image, actions: "pull,push", credentials: credentials)
        if existing.status == 200 { return descriptor }
        let started = try await send("POST", url: baseURL(image) + "/blobs/uploads/", image: image, actions: "pull,push", credentials: credentials, body: [])
        try Self.check(started, image: image, hadCredentials: credentials != nil)
        guard let location = started.header("Location") else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "the upload answer has no Location")
        }
        var url = location.hasPrefix("/") ? "https://" + image.apiHost + location : location
        url += (url.contains("?") ? "&" : "?") + "digest=" + digest.rawValue.replacingOccurrences(of: ":", with: "%3A")
        let finished = try await send("PUT", url: url, image: image, actions: "pull,push", credentials: credentials,
                                      headers: [("Content-Type", "application/octet-stream")], body: bytes)
        try Self.check(finished, image: image, hadCredentials: credentials != nil)
        return descriptor
    }

    /// Stores `bytes` as the manifest `reference` (a tag, or the digest) of `image`'s repository.
    @discardableResult
    public func pushManifest(_ bytes: [UInt8], mediaType: String, to image: ImageReference, reference: String,
                             credentials: RegistryCredentials? = nil) async throws(RegistryError) -> ImageDigest {
        let response = try await send("PUT", url: manifestURL(image, reference: reference), image: image, actions: "pull,push",
                                      credentials: credentials, headers: [("Content-Type", mediaType)], body: bytes)
        try Self.check(response, image: image, hadCredentials: credentials != nil)
        return ImageDigest(of: bytes)
    }

    // MARK: Transport and authentication

    private func baseURL(_ image: ImageReference) -> String { "https://" + image.apiHost + "/v2/" + image.repository }

    private func manifestURL(_ image: ImageReference, reference: String) -> String { baseURL(image) + "/manifests/" + reference }

    /// Sends the request with what the registry asked for last time; on a 401 that asks for
    /// something else (or for a token that has expired), authenticates as asked and sends it once more.
    private func send(_ method: String, url: String, image: ImageReference, actions: String, credentials: RegistryCredentials?,
                      headers: [(String, String)] = [], body: [UInt8]? = nil) async throws(RegistryError) -> HTTPResponse {
        let scope = "repository:\(image.repository):\(actions)"
        var authorization = try await authorization(for: challenges[image.apiHost], scope: scope, image: image, credentials: credentials, fetch: false)
        for attempt in 0..<2 {
            var request = HTTPRequest(method: method, url: url, headers: headers.map { (name: $0.0, value: $0.1) }, body: body, timeout: timeout)
            if let authorization { request.headers.append((name: "Authorization", value: authorization)) }
            let response: HTTPResponse
            do { response = try await http.execute(request) } catch {
                throw .unreachable(registry: image.registry, reason: error.description)
            }
            guard response.status == 401, attempt == 0,
                  let challenge = response.header("WWW-Authenticate").flatMap({ AuthenticationChallenge.parse($0).first { $0.isBearer || $0.isBasic } })
            else { return response }
            challenges[image.apiHost] = challenge
            let fresh = try await self.authorization(for: challenge, scope: scope, image: image, credentials: credentials, fetch: true)
            guard let fresh, fresh != authorization else { return response }
            authorization = fresh
        }
        throw .unreachable(registry: image.registry, reason: "no answer")
    }

    /// The `Authorization` value for `challenge`: Basic with the credentials, or a Bearer token
    /// for `scope` from the cache or (when `fetch`) from the realm.
    private func authorization(for challenge: AuthenticationChallenge?, scope: String, image: ImageReference,
                               credentials: RegistryCredentials?, fetch: Bool) async throws(RegistryError) -> String? {
        guard let challenge else { return nil }
        if challenge.isBasic { return credentials?.basicAuthorization }
        guard let realm = challenge.parameters["realm"], !realm.isEmpty else { return nil }
        let service = challenge.parameters["service"]
        let key = TokenKey(realm: realm, service: service, scope: scope, credentials: credentials.map { ImageDigest(of: Array($0.basicAuthorization.utf8)) })
        if let cached = tokens[key], cached.expires > ContinuousClock.now { return "Bearer " + cached.token }
        guard fetch else { return nil }
        let token = try await fetchToken(realm: realm, service: service, scope: scope, image: image, credentials: credentials)
        // Expired tokens go when a new one comes, so the cache holds at most the live ones.
        let now = ContinuousClock.now
        tokens = tokens.filter { $0.value.expires > now }
        tokens[key] = token
        return "Bearer " + token.token
    }

    /// GET realm?service=…&scope=… as the token specification says, with Basic credentials when
    /// there are any. Credentials go only to an https realm (or one on loopback, for a local registry).
    /// https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token
    private func fetchToken(realm: String, service: String?, scope: String, image: ImageReference,
                            credentials: RegistryCredentials?) async throws(RegistryError) -> CachedToken {
        guard var components = URLComponents(string: realm), let scheme = components.scheme?.lowercased(), let host = components.host else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "its token realm \(realm) is not a URL")
        }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "its token realm \(realm) is not https; credentials are not sent there")
        }
        var query = components.queryItems ?? []
        if let service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: scope))
        components.queryItems = query
        guard let url = components.string else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "its token realm \(realm) is not a URL")
        }
        var request = HTTPRequest(url: url, timeout: timeout)
        if let credentials { request.headers.append((name: "Authorization", value: credentials.basicAuthorization)) }
        let response: HTTPResponse
        do { response = try await http.execute(request) } catch {
            throw .unreachable(registry: image.registry, reason: "its token service \(host): \(error.description)")
        }
        switch response.status {
        case 200..<300: break
        case 401: throw .unauthorized(image: image.description, registry: image.registry, answer: "token service: " + Self.answer(response), hadCredentials: credentials != nil)
        case 403: throw .forbidden(image: image.description, registry: image.registry, answer: "token service: " + Self.answer(response))
        case 429: throw .rateLimited(image: image.description, registry: image.registry, retryAfterSeconds: response.header("Retry-After").flatMap { Int($0) })
        default: throw .serverError(image: image.description, registry: image.registry, status: response.status, answer: "token service: " + Self.answer(response))
        }
        let json = try? JSONValue(parsing: response.body)
        guard let token = json?["token"]?.stringValue ?? json?["access_token"]?.stringValue, !token.isEmpty else {
            throw .invalidResponse(image: image.description, registry: image.registry, reason: "its token service answered without a token")
        }
        // The specification's default lifetime is 60 s; keep a margin for the clock and the request.
        let lifetime = max((json?["expires_in"]?.intValue ?? 60) - 10, 5)
        return CachedToken(token: token, expires: ContinuousClock.now + .seconds(lifetime))
    }

    /// Maps an answer that is not a success to the error a user can act on.
    static func check(_ response: HTTPResponse, image: ImageReference, hadCredentials: Bool) throws(RegistryError) {
        let answer = Self.answer(response)
        switch response.status {
        case 200..<300: return
        case 404: throw .notFound(image: image.description, registry: image.registry, answer: answer)
        case 401:
                        throw .unauthorized(image: image.description, registry: image.registry, answer: answer, hadCredentials: hadCredentials)
        case 403: throw .forbidden(image: image.description, registry: image.registry, answer: answer)
        case 429: throw .rateLimited(image: image.description, registry: image.registry, retryAfterSeconds: response.header("Retry-After").flatMap { Int($0) })
        case 500...: throw .serverError(image: image.description, registry: image.registry, status: response.status, answer: answer)
        default: throw .invalidResponse(image: image.description, registry: image.registry, reason: "HTTP \(response.status): \(answer)")
        }
    }

    /// The registry's own words: the first entry of its `errors` list (`MANIFEST_UNKNOWN: manifest unknown`),
    /// else the status. Bounded, and never more than the registry chose to say.
    /// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
    static func answer(_ response: HTTPResponse) -> String {
        if let json = try? JSONValue(parsing: response.body), let first = json["errors"]?[0] {
            let code = first["code"]?.stringValue ?? ""
            let message = first["message"]?.stringValue ?? ""
            let text = [code, message].filter { !$0.isEmpty }.joined(separator: ": ")
            if !text.isEmpty { return "HTTP \(response.status) " + String(text.prefix(200)) }
        }
        return "HTTP \(response.status)"
    }
}

/// A token is reused only for the same realm, service, scope and credentials (by hash, so
/// that a renewed password fetches a new token and no password is kept as a key).
struct TokenKey: Hashable {
    var realm: String
    var service: String?
    var scope: String
    var credentials: ImageDigest?
}

struct CachedToken {
    var token: String
    var expires: ContinuousClock.Instant
}
