import ChatOps
import Foundation
import JSON
import Kube
import LocalCluster
import Logging
import ServiceLifecycle
import SlipwayAPI
import Testing
import YAML

/// The embedded cluster started in this process, with the Slipway CRDs installed and a client.
/// No controller runs: tests play its part by writing request status.
struct ChatCluster: Sendable {
    let kube: KubeClient
    let directory: URL

    static let namespace = "default"

    static func with<T: Sendable>(_ body: (ChatCluster) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-chatops-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "slipway.cluster.test")
        logger.logLevel = .warning
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let cluster = EmbeddedCluster(configuration: .init(port: 0, kubeconfigPath: kubeconfig, watchTimeout: 300...300, logger: logger))
        let services = ServiceGroup(services: [cluster], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            do {
                _ = try await cluster.endpoint()
                let configuration = try KubeConfig.load(paths: [kubeconfig.path]).clusterConfiguration()
                let kube = try KubeClient(configuration: configuration)
                defer { kube.shutdown() }
                try await installCRDs(kube)
                let result = try await body(ChatCluster(kube: kube, directory: directory))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private static func installCRDs(_ kube: KubeClient) async throws {
        for file in ["deploymenttargets.slipway.dev.yaml", "deploymentrequests.slipway.dev.yaml"] {
            let url = repositoryRoot.appendingPathComponent("manifests/crds").appendingPathComponent(file)
            let document = try YAML.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
            _ = try await kube.create(.customResourceDefinitions, DynamicObject(document))
        }
        try await eventually("the CRDs are served") {
            let targets = try? await kube.list(DeploymentTarget.self, namespace: namespace)
            let requests = try? await kube.list(DeploymentRequest.self, namespace: namespace)
            return targets != nil && requests != nil
        }
    }

    // MARK: Objects

    @discardableResult
    func createTarget(_ name: String, environment: String, github: Bool = true, approval: ApprovalPolicy? = nil,
                      access: AccessPolicy? = nil, windows: DeploymentWindows? = nil, canarySteps: [CanaryStep]? = nil,
                      status: DeploymentTargetStatus? = nil) async throws -> DeploymentTarget {
        let strategy: ReleaseStrategy
        if let canarySteps {
            strategy = ReleaseStrategy(canary: CanaryStrategy(
                stableDeployment: "\(name)-stable", canaryDeployment: "\(name)-canary", service: name,
                trafficRouting: TrafficRouting(replicaRatio: ReplicaRatioRouting()), steps: canarySteps))
        } else {
            strategy = ReleaseStrategy(blueGreen: BlueGreenStrategy(
                activeService: name, previewService: "\(name)-preview", blueDeployment: "\(name)-blue", greenDeployment: "\(name)-green"))
        }
        let spec = DeploymentTargetSpec(
            environment: environment,
            source: ReleaseSource(imageRepository: "registry.example.com/shop/web", branch: "main",
                                  github: github ? GitHubRepository(owner: "shop", repo: "web") : nil),
            container: "web", strategy: strategy, approval: approval, access: access, windows: windows)
        let created = try await kube.create(DeploymentTarget(metadata: ObjectMeta(name: name, namespace: Self.namespace), spec: spec),
                                            namespace: Self.namespace)
        guard let status else { return created }
        var withStatus = created
        withStatus.status = status
        return try await kube.updateStatus(withStatus, namespace: Self.namespace)
    }

    func requests() async throws -> [DeploymentRequest] {
        try await kube.list(DeploymentRequest.self, namespace: Self.namespace).items
    }

    func request(_ name: String) async throws -> DeploymentRequest {
        try await kube.get(DeploymentRequest.self, name: name, namespace: Self.namespace)
    }

    /// Plays the controller: writes the request's status.
    @discardableResult
    func setStatus(_ name: String, _ status: DeploymentRequestStatus) async throws -> DeploymentRequest {
        var request = try await self.request(name)
        request.status = status
        return try await kube.updateStatus(request, namespace: Self.namespace)
    }

    func events(about name: String) async throws -> [Event] {
        try await kube.list(Event.self, namespace: Self.namespace).items.filter { $0.involvedObject.name == name }
    }
}

/// Polls `condition` until it holds or `timeout` passes; records an issue on timeout.
func eventually(timeout: Duration = .seconds(20), _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}
