import ClusterCore
import Foundation
import JSON
import Logging
import ServiceLifecycle

/// What the kube-controller-manager and the kubelets of a real cluster do for workloads,
/// inside the embedded cluster: Deployments get ReplicaSets, ReplicaSets get Pods, Pods get
/// the status a kubelet would report, and each gets the status its real controller writes.
///
/// Level-triggered: any change to a Deployment, ReplicaSet or Pod (and a periodic resync, for
/// readiness delays, restarts and progress deadlines) starts a pass that reads the current
/// objects and moves each one step towards its desired state. Our own writes start another
/// pass, which finds nothing left to do once everything has settled (a write that changes
/// nothing sends no watch event).
/// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
final class WorkloadController: Service, Sendable {
    let store: ObjectStore
    let kubelet: SimulatedKubelet
    let resyncInterval: Duration
    let logger: Logger

    let deployments: ResourceType
    let replicaSets: ResourceType
    let pods: ResourceType

    init?(store: ObjectStore, configuration: SimulationConfiguration, logger: Logger) {
        guard let deployments = store.resourceType(group: "apps", version: "v1", plural: "deployments"),
              let replicaSets = store.resourceType(group: "apps", version: "v1", plural: "replicasets"),
              let pods = store.resourceType(group: "", version: "v1", plural: "pods")
        else { return nil }
        self.store = store
        self.deployments = deployments
        self.replicaSets = replicaSets
        self.pods = pods
        self.kubelet = SimulatedKubelet(readinessDelay: configuration.readinessDelay, crashLoopRestartInterval: configuration.crashLoopRestartInterval)
        self.resyncInterval = configuration.resyncInterval
        self.logger = logger
    }

    func run() async throws {
        let (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var state = PassState()
        await withTaskGroup(of: Void.self) { group in
            for type in [deployments, replicaSets, pods] {
                group.addTask { [store, resyncInterval] in
                    // Watch from now on (the first pass looks at what already exists), and
                    // watch again whenever a watch ends, as long as the cluster runs.
                    while !Task.isCancelled {
                        if let events = try? store.watch(type, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion)) {
                            for await _ in events { trigger.yield() }
                        }
                        trigger.yield()
                        try? await Task.sleep(for: resyncInterval)
                    }
                }
            }
            group.addTask { [resyncInterval] in
                while !Task.isCancelled {
                    trigger.yield()
                    try? await Task.sleep(for: resyncInterval)
                }
            }
            for await _ in triggers.cancelOnGracefulShutdown() {
                reconcile(&state)
            }
            group.cancelAll()
        }
    }

    /// What a pass remembers between passes: when each pod's containers started (to the
    /// millisecond, which creationTimestamp does not give), and which objects were settled.
    struct PassState {
        var podStarts: [String: Date] = [:]
        /// Objects found settled (nothing left to do and nothing that changes with time), by
        /// uid, with the resourceVersions of what their sync reads. A pass skips an object whose
        /// inputs are exactly as they were then: with thousands of settled Deployments a pass
        /// costs a comparison each, not a sync each, so the simulation keeps up with the
        /// releases it serves. Any change to the object or its dependents changes a version.
        var settled: [String: String] = [:]
    }

    func reconcile(_ state: inout PassState) {
        let now = Date()
        syncPods(&state, now: now)
        syncReplicaSets(&state, now: now)
        syncDeployments(&state, now: now)
    }

    /// The resourceVersions a sync of `object` reads: its own and those of its dependents.
    static func fingerprint(_ object: JSONValue, dependents: [JSONValue]) -> String {
        var parts = [object[path: "metadata", "resourceVersion"]?.stringValue ?? ""]
        for dependent in dependents.sorted(by: { $0.objectUID < $1.objectUID }) {
            parts.append(dependent.objectUID + "@" + (dependent[path: "metadata", "resourceVersion"]?.stringValue ?? ""))
        }
        return parts.joined(separator: ",")
    }

    func list(_ type: ResourceType) -> [JSONValue] {
        do {
            return try store.list(type, namespace: nil).items
        } catch {
            logger.debug("simulation could not list", metadata: ["resource": "\(type)", "error": "\(error)"])
            return []
        }
    }

    /// Writes `status` through the status subresource, as a controller does.
    func writeStatus(_ type: ResourceType, of object: JSONValue, _ status: JSONValue) {
        guard object["status"] != status else { return }
        do {
            _ = try store.update(type, namespace: object.objectNamespace, name: object.objectName, subresource: .status) { current throws(APIError) in
                guard var current, current.objectUID == object.objectUID else { throw APIError.notFound(type, name: object.objectName) }
                current["status"] = status
                return current
            }
        } catch {
            logger.debug("simulation could not write status", metadata: ["object": "\(object.objectName)", "error": "\(error)"])
        }
    }

    // MARK: kubelet

    /// Every pod gets the status its images' tags say, as if a kubelet ran it.
    private func syncPods(_ state: inout PassState, now: Date) {
        var seen = Set<String>()
        for pod in list(pods) where !pod.isBeingDeleted {
            let uid = pod.objectUID
            seen.insert(uid)
            // A ready pod stays ready (a crash-looping one never is): unchanged, it needs nothing.
            let fingerprint = Self.fingerprint(pod, dependents: [])
            if state.settled[uid] == fingerprint { continue }
            let start = state.podStarts[uid]
                ?? SimulationTime.date(pod[path: "status", "startTime"]?.stringValue)
                ?? now
            state.podStarts[uid] = start
            let status = kubelet.status(of: pod, startedAt: start, now: now)
            writeStatus(pods, of: pod, status)
            if status == pod["status"], SimulatedKubelet.isReady(pod) { state.settled[uid] = fingerprint } else { state.settled[uid] = nil }
        }
        state.podStarts = state.podStarts.filter { seen.contains($0.key) }
    }
}
