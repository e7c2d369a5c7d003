import Foundation
import HTTP
import JSON
import Logging
import Synchronization

/// A client of one Kubernetes API server. Every request and watch of the client shares one
/// `HTTPClient` (one libcurl multi handle and its event-loop thread).
///
/// Verbs come in two flavours: typed (`get(Deployment.self, name:)`, the kind knows its
/// resource) and dynamic (`get(.istioVirtualServices, name:)` returning `DynamicObject`). The
/// generic forms with `as:` take any `Decodable` type for any resource.
public final class KubeClient: Sendable {
    /// The version sent in the User-Agent.
    public static let version = "0.1.0"
    public static let defaultUserAgent = "slipway/\(version)"

    public let configuration: ClusterConfiguration
    let logger: Logger
    let userAgent: String
    private let makeTransport: TransportFactory
    private let transport: Mutex<Transport>
    /// Told about every request sent (for metrics); nil tells no one.
    let observer: KubeRequestObserver?

    /// Makes the HTTP transport for a configuration (a fake one in tests).
    typealias TransportFactory = @Sendable (HTTPClientConfiguration) throws(HTTPError) -> any HTTPTransport

    /// The transport in use and the exec-plugin certificate it was made with. A new transport
    /// is made when an exec plugin hands out a new certificate; the old one is kept until
    /// `shutdown()` so that its open watches end on their own terms.
    private struct Transport {
        var client: any HTTPTransport
        var certificate: [UInt8]?
        var retired: [any HTTPTransport] = []
    }

    /// How the client uses its connections.
    public struct ConnectionOptions: Sendable {
        /// HTTP/2 over TLS by default, as client-go: every request and watch shares one
        /// connection. Over HTTP/1.1 each open watch holds a connection of its own.
        public var httpVersion: HTTPVersion
        public var maxConnectionsPerHost: Int
        public var connectTimeout: Duration

        public init(httpVersion: HTTPVersion = .http2OverTLS, maxConnectionsPerHost: Int = 64, connectTimeout: Duration = .seconds(10)) {
            self.httpVersion = httpVersion
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.connectTimeout = connectTimeout
        }
    }

    public convenience init(configuration: ClusterConfiguration, logger: Logger = Logger(label: "slipway.kube"),
                            userAgent: String = KubeClient.defaultUserAgent,
                            connections: ConnectionOptions = ConnectionOptions(),
                            observer: KubeRequestObserver? = nil) throws(KubeError) {
        try self.init(configuration: configuration, logger: logger, userAgent: userAgent, observer: observer) { (settings) throws(HTTPError) in
            var settings = settings
            settings.httpVersion = connections.httpVersion
            settings.maxConnectionsPerHost = connections.maxConnectionsPerHost
            settings.connectTimeout = connections.connectTimeout
            return try HTTPClient(configuration: settings)
        }
    }

    init(configuration: ClusterConfiguration, logger: Logger, userAgent: String, observer: KubeRequestObserver? = nil,
         makeTransport: @escaping TransportFactory) throws(KubeError) {
        self.configuration = configuration
        self.logger = logger
        self.userAgent = userAgent
        self.observer = observer
        self.makeTransport = makeTransport
        let client = try Self.makeHTTPClient(configuration, userAgent: userAgent, certificate: nil, key: nil, factory: makeTransport)
        transport = Mutex(Transport(client: client))
    }

    /// A client from the usual places: KUBECONFIG or ~/.kube/config, else the in-cluster account.
    public convenience init(logger: Logger = Logger(label: "slipway.kube")) throws(KubeError) {
        try self.init(configuration: ClusterConfiguration.infer(), logger: logger)
    }

    /// Ends every transfer and stops the transport's thread. The client is unusable afterwards.
    public func shutdown() {
        let clients = transport.withLock { state in [state.client] + state.retired }
        for client in clients { client.shutdown() }
    }

    /// The namespace used when a call names none.
    public var defaultNamespace: String { configuration.namespace }

    private static func makeHTTPClient(_ configuration: ClusterConfiguration, userAgent: String, certificate: [UInt8]?, key: [UInt8]?,
                                       factory: TransportFactory) throws(KubeError) -> any HTTPTransport {
        let settings = configuration.tls
        let tls = TLSConfiguration(
            certificateAuthorityPEM: settings.certificateAuthorityPEM,
            clientCertificatePEM: certificate ?? settings.clientCertificatePEM,
            clientKeyPEM: key ?? settings.clientKeyPEM,
            insecureSkipVerify: settings.insecureSkipVerify,
            serverName: settings.serverName)
        do {
            return try factory(HTTPClientConfiguration(tls: tls, proxy: configuration.proxy, userAgent: userAgent))
        } catch {
            throw .transport(error)
        }
    }

    // MARK: Credentials

    /// The Authorization header and the HTTP client to send with, running the exec plugin or
    /// re-reading the token file as needed.
    private func prepare() async throws(KubeError) -> (client: any HTTPTransport, authorization: String?) {
        switch configuration.credentials {
        case .none:
            return (currentClient(), nil)
        case .bearerToken(let token):
            return (currentClient(), "Bearer \(token)")
        case .tokenFile(let file):
            return (currentClient(), "Bearer \(try file.token())")
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return (currentClient(), "Basic \(encoded)")
        case .exec(let provider):
            let credential = try await provider.credential()
            var client = currentClient()
            if let certificate = credential.clientCertificateData, let key = credential.clientKeyData {
                client = try clientWith(certificate: Array(certificate.utf8), key: Array(key.utf8))
            }
            return (client, credential.token.map { "Bearer \($0)" })
        }
    }

    private func currentClient() -> any HTTPTransport {
        transport.withLock { $0.client }
    }

    private func clientWith(certificate: [UInt8], key: [UInt8]) throws(KubeError) -> any HTTPTransport {
        if let client = transport.withLock({ $0.certificate == certificate ? $0.client : nil }) { return client }
        let fresh = try Self.makeHTTPClient(configuration, userAgent: userAgent, certificate: certificate, key: key, factory: makeTransport)
        let (chosen, madeInVain) = transport.withLock { state -> (any HTTPTransport, Bool) in
            // Another request may have switched to this certificate meanwhile.
            if state.certificate == certificate { return (state.client, true) }
            state.retired.append(state.client)
            state.client = fresh
            state.certificate = certificate
            return (fresh, false)
        }
        if madeInVain { fresh.shutdown() }
        return chosen
    }

    /// After a 401: forget cached credentials that could be stale. Returns whether retrying
    /// can help (a static token will not change).
    private func invalidateCredentials() async -> Bool {
        switch configuration.credentials {
        case .tokenFile(let file):
            file.invalidate()
            return true
        case .exec(let provider):
            await provider.invalidate()
            return true
        case .none, .bearerToken, .basic:
            return false
        }
    }

    // MARK: Sending

    private func httpRequest(_ request: APIRequest, authorization: String?) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        if let contentType = request.contentType { headers.append(("Content-Type", contentType)) }
        return HTTPRequest(method: request.method, url: configuration.server + request.pathAndQuery, headers: headers,
                           body: request.body, timeout: request.timeout)
    }

    private func metadata(_ request: APIRequest) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["verb": "\(request.verb)", "resource": "\(request.path.resource)"]
        if let namespace = request.path.namespace { metadata["namespace"] = "\(namespace)" }
        if let name = request.path.name { metadata["name"] = "\(name)" }
        if let subresource = request.path.subresource { metadata["subresource"] = "\(subresource)" }
        return metadata
    }

    /// Sends a request and returns the 2xx response; anything else becomes a `KubeError`.
    /// A 401 is retried once with fresh credentials when they can change (token file, exec).
    func send(_ request: APIRequest) async throws(KubeError) -> HTTPResponse {
        var metadata = metadata(request)
        var retried = false
        while true {
            let (client, authorization) = try await prepare()
            logger.trace("sending Kubernetes API request", metadata: metadata)
            let response: HTTPResponse
            let sent = ContinuousClock.now
            do {
                response = try await client.execute(httpRequest(request, authorization: authorization))
            } catch {
                observe(request, status: nil, since: sent)
                logger.debug("Kubernetes API request failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                throw .transport(error)
            }
            observe(request, status: response.status, since: sent)
            metadata["status"] = "\(response.status)"
            if response.status == 401, !retried, await invalidateCredentials() {
                logger.debug("unauthorized; refreshing credentials and retrying", metadata: metadata)
                retried = true
                continue
            }
            guard (200..<300).contains(response.status) else {
                let error = KubeError.fromResponse(status: response.status, body: response.body)
                logger.debug("Kubernetes API request rejected", metadata: metadata.merging(["reason": "\(error.reason ?? "")"]) { $1 })
                throw error
            }
            logger.debug("Kubernetes API request done", metadata: metadata)
            return response
        }
    }

    /// Opens a streaming request (watch) and returns once a 2xx status arrived.
    func openStream(_ request: APIRequest) async throws(KubeError) -> HTTPStreamingResponse {
        var metadata = metadata(request)
        var retried = false
        while true {
            let (client, authorization) = try await prepare()
            let response: HTTPStreamingResponse
            let sent = ContinuousClock.now
            do {
                response = try await client.stream(httpRequest(request, authorization: authorization))
            } catch {
                observe(request, status: nil, since: sent)
                logger.debug("Kubernetes API stream failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                throw .transport(error)
            }
            observe(request, status: response.status, since: sent)
            metadata["status"] = "\(response.status)"
            if (200..<300).contains(response.status) {
                logger.debug("Kubernetes API stream open", metadata: metadata)
                return response
            }
            let body = await Self.collect(response.body, limit: 1 << 20)
            if response.status == 401, !retried, await invalidateCredentials() {
                retried = true
                continue
            }
            let error = KubeError.fromResponse(status: response.status, body: body)
            logger.debug("Kubernetes API stream rejected", metadata: metadata.merging(["reason": "\(error.reason ?? "")"]) { $1 })
            throw error
        }
    }

    private func observe(_ request: APIRequest, status: Int?, since sent: ContinuousClock.Instant) {
        guard let observer else { return }
        var resource = request.path.resource.plural
        if let subresource = request.path.subresource { resource += "/\(subresource)" }
        observer.observe(KubeRequestRecord(verb: request.verb, resource: resource, statusCode: status,
                                           duration: ContinuousClock.now - sent))
    }

    /// Reads a short error body from a stream (bounded: it only has to hold a Status).
    private static func collect(_ body: AsyncThrowingStream<[UInt8], any Error>, limit: Int) async -> [UInt8] {
        var collected: [UInt8] = []
        do {
            for try await chunk in body {
                collected.append(contentsOf: chunk)
                if collected.count >= limit { break }
            }
        } catch {
            // What arrived is enough to describe the failure.
        }
        return collected
    }
}

/// What `KubeClient` needs from an HTTP client; `HTTPClient` is the one used outside tests.
protocol HTTPTransport: Sendable {
    func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
    func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamingResponse
    func shutdown()
}

extension HTTPClient: HTTPTransport {}
