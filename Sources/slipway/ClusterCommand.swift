import ArgumentParser
import Foundation
import LocalCluster
import Logging
import ServiceLifecycle
import UnixSignals

/// `slipway cluster`: the embedded Kubernetes API, for tests and the demo.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run the embedded Kubernetes API server until interrupted.",
        discussion: """
            Serves the Kubernetes API over HTTPS with a generated CA, and writes a kubeconfig \
            (client-certificate and token users) for kubectl and client libraries. With \
            --state-dir, objects and credentials survive restarts. Unless --no-simulation is \
            given, Deployments get ReplicaSets and Pods that become ready as a kubelet would make \
            them, every Service has a simulated application (its image tag decides how it \
            behaves: unhealthy, crashloop, slow<N>, errors<P>, latency<MS>), and an HTTP proxy \
            on 127.0.0.1 reaches those apps by their in-cluster names (http://NAME.NAMESPACE.svc). \
            A load generator sends --traffic-rate requests per second to every Ingress host/path, \
            Istio VirtualService route, Gateway API HTTPRoute rule and directly called Service, \
            split as those objects say, and every app's http_requests_total and \
            http_request_duration_seconds (labelled namespace, service, deployment, version) are \
            served at http://127.0.0.1:METRICS-PORT/metrics for Prometheus to scrape. Install \
            manifests/crds/third-party/ for the Istio and Gateway API kinds, as on a real cluster.
            """)

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port: Int = 6443

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("kubeconfig-out"), help: "Where to write the kubeconfig (mode 0600).")
    var kubeconfigOut: String?

    @Option(name: .customLong("state-dir"), help: "Directory where objects and credentials are kept across restarts.")
    var stateDir: String?

    @Flag(name: .customLong("insecure-http"), help: "Serve plain HTTP without authentication (loopback addresses only).")
    var insecureHTTP = false

    @Flag(name: .customLong("no-simulation"), help: "Serve the API alone: no pods, statuses or simulated applications.")
    var noSimulation = false

    @Option(name: .customLong("proxy-port"), help: "Port of the HTTP proxy to the simulated Services on 127.0.0.1; 0 picks a free port.")
    var proxyPort: Int = 0

    @Option(name: .customLong("metrics-port"), help: "Port on 127.0.0.1 serving the simulated apps' metrics at /metrics; 0 picks a free port.")
    var metricsPort: Int = 0

    @Option(name: .customLong("traffic-rate"), help: "Requests per second sent to each routed Service (0 to 1000); 0 sends no traffic.")
    var trafficRate: Double = 20

    @Option(name: .customLong("readiness-delay"), help: "Seconds a simulated container takes to become ready.")
    var readinessDelay: Double = 1

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...65535).contains(proxyPort) else { throw ValidationError("--proxy-port must be between 0 and 65535") }
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be between 0 and 65535") }
        guard trafficRate.isFinite, (0...1000).contains(trafficRate) else {
            throw ValidationError("--traffic-rate must be between 0 and 1000 requests per second")
        }
        guard readinessDelay.isFinite, (0...3600).contains(readinessDelay) else {
            throw ValidationError("--readiness-delay must be between 0 and 3600 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "slipway.cluster")
        let kubeconfigURL = kubeconfigOut.map { URL(fileURLWithPath: $0) }
        let cluster = EmbeddedCluster(configuration: .init(
            host: host, port: port, insecureHTTP: insecureHTTP,
            stateDirectory: stateDir.map { URL(fileURLWithPath: $0, isDirectory: true) },
            kubeconfigPath: kubeconfigURL,
            simulation: noSimulation ? nil : .init(
                readinessDelay: .milliseconds(Int(readinessDelay * 1000)), proxyPort: proxyPort,
                trafficRate: trafficRate, metricsPort: metricsPort),
            logger: logger))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: cluster)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let endpoint = try await cluster.endpoint()
                var lines = "Kubernetes API listening on \(endpoint.url)\n"
                if let proxy = endpoint.proxyURL {
                    lines += "HTTP proxy for in-cluster services on \(proxy)\n"
                }
                if let metrics = endpoint.metricsURL {
                    lines += "Application metrics for Prometheus on \(metrics)\n"
                }
                if let path = endpoint.kubeconfigPath {
                    lines += "Kubeconfig written to \(path.path)\n"
                }
                FileHandle.standardOutput.write(Data(lines.utf8))
            }
            try await tasks.waitForAll()
        }
    }
}
