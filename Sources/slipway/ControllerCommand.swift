import ArgumentParser
import Foundation
import Kube
import KubeRuntime
import Logging
import Metrics
import Observability
import Rollout
import ServiceLifecycle
import UnixSignals

/// `slipway controller`: watches DeploymentRequests and carries them out.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the deploy controller until interrupted.",
        discussion: """
            Watches DeploymentRequests, their DeploymentTargets, Deployments and Services, and \
            drives each request through its release. Uses --kubeconfig/--context when given, else \
            KUBECONFIG or ~/.kube/config, else the in-cluster service account \
            (KUBERNETES_SERVICE_HOST and the token in --service-account-dir). With --leader-elect \
            only the holder of the Lease reconciles (client-go's 15/10/2 s timings unless \
            --lease-duration, --renew-deadline and --retry-period say otherwise). SIGTERM or SIGINT stops taking work, lets \
            reconciles in flight finish (bounded), and releases the Lease. /healthz answers while \
            the process lives; /readyz once the watch caches are synced (or while standing by for \
            the Lease). /metrics on --metrics-addr serves release metrics (deployments_total, \
            deployment_duration_seconds, health_check_up, slipway_requests by phase, canary \
            weights, gate results, when each target was last deployed), the controller's \
            readiness and leadership gauges, Kubernetes API requests and build info.
            """)

    @Option(help: "Kubeconfig file to use instead of KUBECONFIG, ~/.kube/config or the in-cluster account.")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context to use instead of the current one.")
    var context: String?

    @Option(help: "Only watch this namespace (default: every namespace).")
    var namespace: String?

    @Flag(name: .customLong("leader-elect"), help: "Reconcile only while holding the Lease, so that replicas can stand by.")
    var leaderElect = false

    @Option(name: .customLong("lease-name"), help: "Name of the coordination.k8s.io Lease used for leader election.")
    var leaseName = "slipway-controller"

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the Lease (default: --namespace, else the configuration's namespace).")
    var leaseNamespace: String?

    @Option(name: .customLong("lease-duration"), help: "Seconds a standby waits after the Lease last changed before taking it over.")
    var leaseDuration: Double = 15

    @Option(name: .customLong("renew-deadline"), help: "Seconds the leader keeps acting without a successful renewal; shorter than --lease-duration.")
    var renewDeadline: Double = 10

    @Option(name: .customLong("retry-period"), help: "Seconds between attempts to acquire or renew the Lease.")
    var retryPeriod: Double = 2

    @Option(name: .customLong("service-account-dir"),
            help: "Where the in-cluster service account (token, ca.crt, namespace) is mounted, used when no kubeconfig is found.")
    var serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    @Option(name: .customLong("metrics-addr"), help: "Address of the /metrics endpoint, HOST:PORT or :PORT; empty disables it.")
    var metricsAddress = ":8080"

    @Option(name: .customLong("health-addr"), help: "Address of /healthz and /readyz, HOST:PORT or :PORT; empty disables it.")
    var healthAddress = ":8081"

    @Option(name: .customLong("http-proxy"), help: "HTTP proxy for health gate requests (e.g. the one `slipway cluster` prints).")
    var httpProxy: String?

    @Option(help: "Reconciles run at once (never two for the same request).")
    var workers = 4

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "auto (JSON in a pod, text elsewhere), json or text.")
    var logFormat = "auto"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be one of auto, json, text")
        }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        for (flag, value) in [("--metrics-addr", metricsAddress), ("--health-addr", healthAddress)] where !value.isEmpty {
            guard ListenAddress(value) != nil else {
                throw ValidationError("\(flag) must be HOST:PORT or :PORT with a port between 0 and 65535, not \"\(value)\"")
            }
        }
        if let namespace, namespace.isEmpty { throw ValidationError("--namespace must not be empty") }
        if leaseName.isEmpty { throw ValidationError("--lease-name must not be empty") }
        if serviceAccountDirectory.isEmpty { throw ValidationError("--service-account-dir must not be empty") }
        do {
            _ = try electionTimings(identity: "validation")
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error); adjust --lease-duration, --renew-deadline or --retry-period")
        }
    }

    /// The Lease timings from the flags; the library refuses settings where a leader could
    /// outlive its lease (renew deadline not shorter than the lease, and so on).
    private func electionTimings(identity: String) throws -> LeaderElectionConfiguration {
        for (flag, value) in [("--lease-duration", leaseDuration), ("--renew-deadline", renewDeadline), ("--retry-period", retryPeriod)] {
            guard value.isFinite, value > 0, value <= 3600 else {
                throw ValidationError("\(flag) must be more than 0 and at most 3600 seconds, not \(value)")
            }
        }
        return try LeaderElectionConfiguration(
            identity: identity, leaseDuration: .milliseconds(Int(leaseDuration * 1000)),
            renewDeadline: .milliseconds(Int(renewDeadline * 1000)), retryPeriod: .milliseconds(Int(retryPeriod * 1000)))
    }

    /// --kubeconfig/--context when given; else KUBECONFIG or ~/.kube/config when one exists;
    /// else the in-cluster service account (the order client-go and kube-rs use).
    private func clusterConfiguration() throws -> ClusterConfiguration {
        if kubeconfig != nil || context != nil {
            return try ClusterConfiguration.kubeconfig(paths: kubeconfig.map { [$0] }, context: context)
        }
        let environment = ProcessInfo.processInfo.environment
        if KubeConfig.defaultPaths(environment: environment).contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            return try ClusterConfiguration.infer(environment: environment)
        }
        return try ClusterConfiguration.inCluster(environment: environment, paths: ServiceAccountPaths(directory: serviceAccountDirectory))
    }

    func run() async throws {
        LoggingSetup.bootstrap(format: LogFormat(rawValue: logFormat) ?? .auto, level: Logger.Level(rawValue: logLevel) ?? .info)
        let registry = MetricsRegistry()
        MetricsSystem.bootstrap(registry.factory)
        BuildInfo.register(in: registry, version: SlipwayVersion.string, component: "controller")
        let logger = Logger(label: "slipway.controller")
        let cluster: ClusterConfiguration
        do {
            cluster = try clusterConfiguration()
        } catch {
            throw ValidationError("cannot configure the Kubernetes client: \(error)")
        }
        let client = try KubeClient(configuration: cluster, logger: Logger(label: "slipway.kube"),
                                    observer: KubeAPIMetrics.observer(registry: registry))
        let prober: HTTPGateProber
        do {
            prober = try HTTPGateProber(proxy: httpProxy)
        } catch {
            throw ValidationError("cannot set up health gate requests through --http-proxy: \(error)")
        }
        logger.info("connecting", metadata: ["server": "\(cluster.server)", "source": "\(cluster.source)",
                                             "namespace": "\(namespace ?? "(all)")"])

        let status = ControllerStatus(metrics: ControllerMetrics(registry: registry))
        var election: LeaderElectionSettings?
        if leaderElect {
            // The pod name (set from the downward API) is the clearest identity; else host and a random suffix.
            let identity = ProcessInfo.processInfo.environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? LeaderElectionConfiguration.defaultIdentity()
            election = LeaderElectionSettings(leaseName: leaseName, namespace: leaseNamespace ?? namespace ?? cluster.namespace,
                                              configuration: try electionTimings(identity: identity))
        }
        let controller = ControllerService(client: client, prober: prober, namespace: namespace, workers: workers,
                                           election: election, status: status, releases: ReleaseMetrics(registry: registry),
                                           logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = ListenAddress(healthAddress), !healthAddress.isEmpty {
            services.append(.init(service: StatusServer.health(address: address, isReady: { status.isReady }, logger: logger)))
        }
        if let address = ListenAddress(metricsAddress), !metricsAddress.isEmpty {
            services.append(.init(service: StatusServer.metrics(address: address, registry: registry, logger: logger)))
        }
        // Last in the list, so it is the first to hear of a shutdown: the servers keep answering
        // while reconciles drain.
        services.append(.init(service: controller, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        client.shutdown()
    }
}
