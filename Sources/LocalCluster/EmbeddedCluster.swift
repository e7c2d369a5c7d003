import ClusterCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import JSON
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The embedded Kubernetes API server: an ObjectStore behind the Kubernetes REST API over
/// HTTPS (or plain HTTP on loopback when asked), with the kubeconfig to reach it.
///
/// Run it as a `Service` in a ServiceGroup (`slipway cluster`) or from a test task, then
/// `await endpoint()` for the bound address:
/// ```swift
/// let cluster = EmbeddedCluster(configuration: .init(port: 0))
/// async let running: Void = cluster.run()
/// let endpoint = try await cluster.endpoint()
/// ```
public final class EmbeddedCluster: Service, Sendable {
    public struct Configuration: Sendable {
        /// Address to listen on; loopback unless the caller asks for more.
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        /// Serve plain HTTP (only accepted on a loopback host).
        public var insecureHTTP: Bool
        /// Where objects and the PKI survive a restart; nil keeps everything in memory.
        public var stateDirectory: URL?
        /// Where to write the kubeconfig once listening (mode 0600).
        public var kubeconfigPath: URL?
        /// Watches without timeoutSeconds end after a random number of seconds in this range
        /// (kube-apiserver: 30 to 60 minutes).
        public var watchTimeout: ClosedRange<Int>
        public var watchHistoryLimit: Int
        public var bookmarkInterval: Duration
        /// Workloads, kubelets and applications simulated next to the API; nil serves the API alone.
        public var simulation: SimulationConfiguration?
        public var logger: Logger

        public init(
            host: String = "127.0.0.1", port: Int = 0, insecureHTTP: Bool = false, stateDirectory: URL? = nil,
            kubeconfigPath: URL? = nil, watchTimeout: ClosedRange<Int> = 1800...3600, watchHistoryLimit: Int = 10_000,
            bookmarkInterval: Duration = .seconds(60), simulation: SimulationConfiguration? = nil,
            logger: Logger = Logger(label: "slipway.cluster")
        ) {
            self.host = host
            self.port = port
            self.insecureHTTP = insecureHTTP
            self.stateDirectory = stateDirectory
            self.kubeconfigPath = kubeconfigPath
            self.watchTimeout = watchTimeout
            self.watchHistoryLimit = watchHistoryLimit
            self.bookmarkInterval = bookmarkInterval
            self.simulation = simulation
            self.logger = logger
        }
    }

    /// Where the running cluster can be reached, and with what.
    public struct Endpoint: Sendable {
        public var url: String
        public var port: Int
        /// nil over plain HTTP.
        public var credentials: ClusterCredentials?
        public var kubeconfig: JSONValue
        public var kubeconfigPath: URL?
        /// The HTTP proxy that reaches the simulated apps of Services (`http://127.0.0.1:PORT`),
        /// when the simulation serves one.
        public var proxyURL: String?
        /// Where every simulated app's metrics are served for Prometheus
        /// (`http://127.0.0.1:PORT/metrics`), when the simulation serves them.
        public var metricsURL: String?
    }

    public let configuration: Configuration
    private let ready = ReadySignal<Endpoint>()

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Waits until the server listens (or failed to start) and returns where it is.
    public func endpoint() async throws -> Endpoint {
        try await ready.wait()
    }

    /// Runs until cancelled or, in a ServiceGroup, until graceful shutdown (which ends open watches).
    public func run() async throws {
        do {
            try await serve()
        } catch {
            ready.fail(error)
            throw error
        }
    }

    private func serve() async throws {
        let configuration = self.configuration
        let logger = configuration.logger
        if configuration.insecureHTTP && !Self.isLoopback(configuration.host) {
            throw ClusterStartError("--insecure-http serves only on a loopback address (127.0.0.1, ::1 or localhost), not \(configuration.host)")
        }
        if let directory = configuration.stateDirectory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store = try ObjectStore(configuration: .init(
            stateDirectory: configuration.stateDirectory?.appendingPathComponent("store", isDirectory: true),
            watchHistoryLimit: configuration.watchHistoryLimit, bookmarkInterval: configuration.bookmarkInterval))
        let strategies = StrategyBook()
        for strategy in BuiltinResources.all {
            strategies.register(strategy, in: store)
        }
        let reconciler = CRDReconciler(store: store, strategies: strategies, logger: logger)
        reconciler.reconcileAll()
        Self.ensureSystemNamespaces(store)

        let credentials = configuration.insecureHTTP
            ? nil
            : try ClusterCredentials.load(directory: configuration.stateDirectory, serverNames: Self.serverNames(host: configuration.host))
        // Without credentials (plain HTTP) tokens are signed with a key that lives as long as the process.
        let tokens = ServiceAccountTokens(secret: credentials?.adminToken ?? ClusterCredentials.randomToken(), store: store)
        let authorizer = RBACAuthorizer(store: store)
        let responder = APIServer(
            store: store, strategies: strategies, reconciler: reconciler,
            authenticator: Authenticator(mode: credentials.map { .credentials($0, clientCertificates: true) } ?? .open,
                                         serviceAccountTokens: tokens),
            authorizer: authorizer,
            identityEndpoints: IdentityEndpoints(store: store, tokens: tokens, authorizer: authorizer),
            watchTimeout: configuration.watchTimeout, logger: logger)

        var simulationServices: [any Service] = []
        let applications = configuration.simulation == nil ? nil : SimulatedApplications(store: store)
        let proxy = configuration.simulation?.proxyPort.flatMap { port in
            applications.map { LoopbackServer(responder: SimulationProxyResponder(applications: $0, logger: logger), port: port, logger: logger) }
        }
        let metricsEndpoint = configuration.simulation?.metricsPort.flatMap { port in
            applications.map { LoopbackServer(responder: MetricsEndpointResponder(metrics: $0.metrics), port: port, path: "/metrics", logger: logger) }
        }
        if let simulation = configuration.simulation,
           let workloads = WorkloadController(store: store, configuration: simulation, logger: logger) {
            simulationServices.append(workloads)
        }
        if let proxy { simulationServices.append(proxy) }
        if let metricsEndpoint { simulationServices.append(metricsEndpoint) }
        if let simulation = configuration.simulation, simulation.trafficRate > 0, let applications {
            simulationServices.append(LoadGenerator(store: store, applications: applications, rate: simulation.trafficRate, logger: logger))
        }

        let server: HTTPServerBuilder
        if let credentials {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(credentials.serverCertificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(credentials.serverKeyPEM.utf8), format: .pem)))
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(credentials.caCertificatePEM.utf8)))
            tls.certificateVerification = .optionalVerification
            tls.applicationProtocols = ["http/1.1"]
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }

        let ready = self.ready
        let app = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: simulationServices,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let scheme = credentials == nil ? "http" : "https"
                let url = "\(scheme)://\(Self.urlHost(configuration.host)):\(port)"
                let kubeconfig = Kubeconfig.make(server: url, credentials: credentials)
                do {
                    if let path = configuration.kubeconfigPath {
                        try Kubeconfig.write(kubeconfig, to: path)
                    }
                    let proxyURL = try await proxy?.url()
                    let metricsURL = try await metricsEndpoint?.url()
                    ready.succeed(Endpoint(
                        url: url, port: port, credentials: credentials, kubeconfig: kubeconfig,
                        kubeconfigPath: configuration.kubeconfigPath, proxyURL: proxyURL, metricsURL: metricsURL))
                } catch {
                    ready.fail(error)
                }
                logger.debug("listening", metadata: ["url": "\(url)"])
            },
            logger: logger)
        try await app.run()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func urlHost(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }

    static func serverNames(host: String) -> [String] {
        var names = ["localhost", "127.0.0.1", "::1"]
        let hostname = ProcessInfo.processInfo.hostName
        if !hostname.isEmpty { names.append(hostname) }
        if host != "0.0.0.0", host != "::", !names.contains(host) { names.append(host) }
        return names
    }

    /// The namespaces every cluster has; kubectl's default context points at `default`.
    static func ensureSystemNamespaces(_ store: ObjectStore) {
        guard let namespaces = store.resourceType(group: "", version: "v1", plural: "namespaces") else { return }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            if (try? store.get(namespaces, namespace: nil, name: name)) != nil { continue }
            _ = try? store.create(namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        }
    }
}

/// Why the cluster could not start, worded for the person who started it.
public struct ClusterStartError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A one-shot value many tasks can wait for.
final class ReadySignal<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case ready(Value)
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    func wait() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var list):
                    list.append(continuation)
                    state = .waiting(list)
                    return nil
                case .ready(let value): return .success(value)
                case .failed(let error): return .failure(error)
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    func succeed(_ value: Value) { settle(.success(value)) }
    func fail(_ error: any Error) { settle(.failure(error)) }

    private func settle(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let list) = state else { return [] }
            switch result {
            case .success(let value): state = .ready(value)
            case .failure(let error): state = .failed(error)
            }
            return list
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
