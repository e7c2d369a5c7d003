import Foundation
import JSON
import Kube
import KubeRuntime
import Logging
import Rollout
import SlipwayAPI
import SlipwayCLI
import YAML

/// Putting the demo's objects into the cluster and waiting until they are usable.
struct DemoSetup {
    let client: KubeClient
    let fieldManager: String

    /// The kinds the demo's manifests hold.
    static let resources: [String: ResourceDescriptor] = [
        "CustomResourceDefinition": .customResourceDefinitions,
        "Namespace": .namespaces,
        "Deployment": .deployments,
        "Service": .services,
        "DeploymentTarget": DeploymentTarget.resource,
        "DeploymentRequest": DeploymentRequest.resource,
    ]

    /// Server-side applies every document of `yaml`, as `kubectl apply --server-side` would.
    func apply(_ yaml: String) async throws {
        let documents: [JSONValue]
        do {
            documents = try YAML.parseAll(yaml)
        } catch {
            throw CommandFailure("the demo's manifests do not parse: \(error)")
        }
        for document in documents where document != .null {
            let kind = document["kind"]?.stringValue ?? ""
            guard let resource = Self.resources[kind] else {
                throw CommandFailure("the demo does not know how to apply a \(kind.isEmpty ? "document without kind" : kind)")
            }
            let object = DynamicObject(document)
            do {
                _ = try await client.apply(resource, object, fieldManager: fieldManager, force: true, namespace: object.namespace)
            } catch {
                throw CommandFailure("cannot apply \(kind) \(object.name ?? "?"): \(error)")
            }
        }
    }

    /// Waits until the API serves both Slipway resources.
    func waitForCRDs() async throws {
        let served = await Self.poll(timeout: .seconds(30)) {
            guard (try? await client.list(DeploymentTarget.self, namespace: "default")) != nil else { return false }
            return (try? await client.list(DeploymentRequest.self, namespace: "default")) != nil
        }
        if !served { throw CommandFailure("the embedded cluster did not serve the Slipway CRDs within 30 s") }
    }

    /// Waits until each Deployment has all its replicas available.
    func waitForAvailable(_ names: [String], namespace: String) async throws {
        for name in names {
            let available = await Self.poll(timeout: .seconds(60)) {
                guard let deployment = try? await client.get(Deployment.self, name: name, namespace: namespace) else { return false }
                let wanted = deployment.spec?.replicas ?? 1
                return (deployment.status?.availableReplicas ?? 0) >= wanted
            }
            if !available { throw CommandFailure("Deployment \(namespace)/\(name) did not become available within 60 s") }
        }
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static func poll(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }
}

/// The controller inside the demo's process: the same assembly `slipway controller` runs,
/// with the demo's short polling interval, its gates reaching the simulated apps through the
/// embedded cluster's proxy.
final class DemoController: Sendable {
    private let assembly: ControllerAssembly
    private let task: Task<Void, Never>

    init(client: KubeClient, proxy: String?, pace: DemoPace) throws {
        let prober: HTTPGateProber
        do {
            prober = try HTTPGateProber(proxy: proxy)
        } catch {
            throw CommandFailure("cannot set up the gates' HTTP client through \(proxy ?? "no proxy"): \(error)")
        }
        let events = EventRecorder(sink: KubeEventSink(client: client), component: "slipway-controller",
                                   host: ProcessInfo.processInfo.hostName)
        let assembly = ControllerAssembly(
            client: client, events: events, prober: prober, namespace: nil,
            configuration: ControllerConfiguration(workers: 4, shutdownGracePeriod: .seconds(5)),
            rollout: RolloutConfiguration(waitingRecheck: .seconds(2), availabilityPoll: .milliseconds(pace.availabilityPollMilliseconds)),
            logger: Logger(label: "slipway.controller"))
        self.assembly = assembly
        self.task = Task { await assembly.run() }
    }

    /// Returns once the watch caches hold their first lists; throws after 30 s.
    func waitUntilReady() async throws {
        let assembly = self.assembly
        let synced = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await assembly.waitUntilSynced()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !synced { throw CommandFailure("the controller's caches did not sync within 30 s") }
    }

    func stop() {
        assembly.controller.shutdown()
    }

    func waitUntilStopped() async {
        await task.value
    }
}
