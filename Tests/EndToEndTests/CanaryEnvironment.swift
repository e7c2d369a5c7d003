import Foundation
import Kube
import PrometheusProcess
import SlipwayAPI
import Synchronization
import Testing

/// What canary releases need around them, each a process of its own as an operator runs them:
/// an `EndToEndCluster` whose `slipway cluster` sends steady traffic to its routed Services and
/// serves the apps' metrics, with the Istio and Gateway API CRDs installed besides Slipway's; a
/// real Prometheus scraping those metrics every second, which the Prometheus gates query.
final class CanaryEnvironment: Sendable {
    static let isAvailable = EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil && PrometheusServer.binary != nil

    let cluster: EndToEndCluster
    let prometheus: PrometheusServer

    private init(cluster: EndToEndCluster, prometheus: PrometheusServer) {
        self.cluster = cluster
        self.prometheus = prometheus
    }

    /// Runs `body` against a fresh environment (taking one of the end-to-end slots), then stops
    /// every process and removes the files, whether `body` succeeded or not.
    static func with(_ body: (CanaryEnvironment) async throws -> Void) async throws {
        try await EndToEndCluster.with(clusterArguments: ["--traffic-rate", "50", "--metrics-port", "0"],
                                       extraCRDs: ["manifests/crds/third-party"]) { cluster in
            guard let metrics = cluster.clusterAnnouncement("Application metrics for Prometheus on ") else {
                throw EndToEndError("slipway cluster printed no metrics endpoint")
            }
            let prometheus = try await PrometheusServer.start(scraping: metrics, job: "slipway-cluster-apps", readinessTimeout: .seconds(40))
            do {
                try await body(CanaryEnvironment(cluster: cluster, prometheus: prometheus))
            } catch {
                await prometheus.stop()
                throw error
            }
            await prometheus.stop()
        }
    }

    // MARK: Objects

    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> String {
        try await cluster.kubectl(arguments, stdin: stdin)
    }

    func apply(_ yaml: String) async throws {
        try await cluster.apply(yaml)
    }

    /// `kubectl get KIND NAME -n NAMESPACE -o json`, parsed with Foundation.
    func object(_ kind: String, _ name: String, namespace: String) async throws -> [String: Any] {
        let text = try await kubectl(["get", kind, name, "-n", namespace, "-o", "json"])
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    func request(_ name: String, namespace: String) async throws -> DeploymentRequest {
        try await cluster.request(name, namespace: namespace)
    }

    func target(namespace: String) async throws -> DeploymentTarget {
        try await cluster.target(CanaryFixture.target, namespace: namespace)
    }

    func deployment(_ name: String, namespace: String) async throws -> Deployment {
        try await cluster.deployment(name, namespace: namespace)
    }

    /// Waits until the request reaches one of `phases`; a canary walks its steps, so the
    /// deadline is longer than a blue/green release's.
    @discardableResult
    func waitForRequest(_ name: String, namespace: String, in phases: Set<Phase>, timeout: Duration = .seconds(120),
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentRequest {
        try await cluster.waitForRequest(name, namespace: namespace, in: phases, timeout: timeout, sourceLocation: sourceLocation)
    }

    /// Requests the canary Deployment of `namespace` has served so far, as Prometheus saw them.
    func canaryRequests(namespace: String) async throws -> Double {
        try await prometheus.query("sum(http_requests_total{namespace=\"\(namespace)\",deployment=\"app-canary\"})").first?.value ?? 0
    }
}

extension Set where Element == Phase {
    static let finished: Set<Phase> = [.succeeded, .failed, .rolledBack, .rejected, .aborted]
}
