import Foundation
import Kube
import PrometheusProcess
import SlipwayAPI
import Synchronization
import Testing

/// What canary releases need around them, each a process of its own as an operator runs them:
/// a `slipway cluster` sending steady traffic to its routed Services and serving the apps'
/// metrics, with the Slipway, Istio and Gateway API CRDs installed; a real Prometheus scraping
/// those metrics every second; and a `slipway controller` whose Prometheus gates query it.
final class CanaryEnvironment: Sendable {
    static let isAvailable = EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil && PrometheusServer.binary != nil

    let directory: URL
    let kubeconfig: String
    let client: KubeClient
    let prometheus: PrometheusServer
    private let cluster: ChildProcess
    private let controller: ChildProcess

    private init(directory: URL, kubeconfig: String, client: KubeClient, prometheus: PrometheusServer, cluster: ChildProcess,
                 controller: ChildProcess) {
        self.directory = directory
        self.kubeconfig = kubeconfig
        self.client = client
        self.prometheus = prometheus
        self.cluster = cluster
        self.controller = controller
    }

    /// Runs `body` against a fresh environment, then stops every process and removes the
    /// files, whether `body` succeeded or not.
    static func with(_ body: (CanaryEnvironment) async throws -> Void) async throws {
        let environment = try await start()
        do {
            try await body(environment)
        } catch {
            await environment.shutdown()
            throw error
        }
        await environment.shutdown()
    }

    private static func start() async throws -> CanaryEnvironment {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built; run swift build or set SLIPWAY_BINARY") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-e2e-canary-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let cluster = try ChildProcess(binary, ["cluster", "--port", "0", "--kubeconfig-out", kubeconfig, "--readiness-delay", "0.3",
                                                "--traffic-rate", "50", "--metrics-port", "0", "--log-level", "warning"])
        var started: [@Sendable () async -> Void] = [{ cluster.kill() }]
        func fail(_ message: String) async -> EndToEndError {
            for stop in started.reversed() { await stop() }
            try? FileManager.default.removeItem(at: directory)
            return EndToEndError(message)
        }
        guard try await cluster.waitForOutput(containing: "Kubeconfig written", timeout: .seconds(60)) else {
            throw await fail("slipway cluster did not start: \(cluster.stderr)")
        }
        func printed(_ prefix: String) -> String? {
            cluster.stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        guard let proxy = printed("HTTP proxy for in-cluster services on "), let metrics = printed("Application metrics for Prometheus on ") else {
            throw await fail("slipway cluster printed no proxy or metrics endpoint: \(cluster.stdout)")
        }
        let client = try KubeClient(configuration: ClusterConfiguration.kubeconfig(paths: [kubeconfig]))
        started.append { client.shutdown() }
        let prometheus: PrometheusServer
        do {
            let crds = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests/crds")
            for path in [crds.path, crds.appendingPathComponent("third-party").path] {
                let result = try await runProgram(EndToEndCluster.kubectlPath ?? "kubectl", ["apply", "-f", path, "--cache-dir", directory.appendingPathComponent("kube-cache").path],
                                                  environment: ["KUBECONFIG": kubeconfig])
                guard result.status == 0 else { throw EndToEndError("kubectl apply -f \(path) failed: \(result.stderr)") }
            }
            let established = try await waitUntil(timeout: .seconds(90)) {
                guard (try? await client.list(DeploymentTarget.self, namespace: "default")) != nil else { return false }
                return (try? await client.list(DeploymentRequest.self, namespace: "default")) != nil
            }
            guard established else { throw EndToEndError("the Slipway CRDs were not served within 30 s") }
            prometheus = try await PrometheusServer.start(scraping: metrics, job: "slipway-cluster-apps", readinessTimeout: .seconds(40))
        } catch {
            throw await fail("\(error)")
        }
        started.append { await prometheus.stop() }
        let controller = try ChildProcess(binary, ["controller", "--kubeconfig", kubeconfig, "--http-proxy", proxy,
                                                   "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        started.append { controller.kill() }
        guard try await controller.waitForOutput(containing: "slipway controller started", timeout: .seconds(90)) else {
            throw await fail("slipway controller did not start: \(controller.stderr)")
        }
        return CanaryEnvironment(directory: directory, kubeconfig: kubeconfig, client: client, prometheus: prometheus, cluster: cluster,
                                 controller: controller)
    }

    /// Stops the controller and the cluster (SIGTERM, then SIGKILL after 10 s) and Prometheus,
    /// and removes the files.
    func shutdown() async {
        client.shutdown()
        for process in [controller, cluster] {
            process.terminate()
            if (try? await process.waitForExit(timeout: .seconds(10))) != true {
                process.kill()
                _ = try? await process.waitForExit(timeout: .seconds(5))
            }
        }
        await prometheus.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Objects

    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> String {
        guard let kubectl = EndToEndCluster.kubectlPath else { throw EndToEndError("kubectl is not on PATH") }
        let result = try await runProgram(kubectl, arguments + ["--cache-dir", directory.appendingPathComponent("kube-cache").path],
                                          environment: ["KUBECONFIG": kubeconfig], stdin: stdin)
        guard result.status == 0 else { throw EndToEndError("kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    func apply(_ yaml: String) async throws {
        try await kubectl(["apply", "-f", "-"], stdin: yaml)
    }

    /// `kubectl get KIND NAME -n NAMESPACE -o json`, parsed with Foundation.
    func object(_ kind: String, _ name: String, namespace: String) async throws -> [String: Any] {
        let text = try await kubectl(["get", kind, name, "-n", namespace, "-o", "json"])
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    func request(_ name: String, namespace: String) async throws -> DeploymentRequest {
        try await client.get(DeploymentRequest.self, name: name, namespace: namespace)
    }

    func target(namespace: String) async throws -> DeploymentTarget {
        try await client.get(DeploymentTarget.self, name: CanaryFixture.target, namespace: namespace)
    }

    func deployment(_ name: String, namespace: String) async throws -> Deployment {
        try await client.get(Deployment.self, name: name, namespace: namespace)
    }

    /// Waits until the request reaches one of `phases`; records an issue naming the phase it
    /// stayed in when the deadline passes.
    @discardableResult
    func waitForRequest(_ name: String, namespace: String, in phases: Set<Phase>, timeout: Duration = .seconds(120),
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentRequest {
        var last: DeploymentRequest?
        let reached = try await waitUntil(timeout: timeout) {
            last = try? await self.request(name, namespace: namespace)
            return last.map { phases.contains($0.phase) } ?? false
        }
        guard reached, let last else {
            let description = last.map { "\($0.phase.rawValue): \($0.status?.message ?? "")" } ?? "never read"
            Issue.record("request \(namespace)/\(name) did not reach \(phases.map(\.rawValue).sorted()) within \(timeout); it is \(description)",
                         sourceLocation: sourceLocation)
            throw EndToEndError("request \(namespace)/\(name) did not reach \(phases.map(\.rawValue).sorted())")
        }
        return last
    }

    /// Requests the canary Deployment of `namespace` has served so far, as Prometheus saw them.
    func canaryRequests(namespace: String) async throws -> Double {
        try await prometheus.query("sum(http_requests_total{namespace=\"\(namespace)\",deployment=\"app-canary\"})").first?.value ?? 0
    }
}

extension Set where Element == Phase {
    static let finished: Set<Phase> = [.succeeded, .failed, .rolledBack, .rejected, .aborted]
}
