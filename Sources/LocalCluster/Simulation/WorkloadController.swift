import ClusterCore
import Foundation
import JSON
import Logging
import ServiceLifecycle
import Synchronization

/// What the kube-controller-manager and the kubelets of a real cluster do for workloads,
/// inside the embedded cluster: Deployments get ReplicaSets, ReplicaSets get Pods, Pods get
/// the status a kubelet would report, and each gets the status its real controller writes.
///
/// Driven by changes, as the real controllers are: the watches of Deployments, ReplicaSets and
/// Pods say which objects changed, and a pass syncs those and their controllers (a pod's
/// ReplicaSet, a ReplicaSet's Deployment) towards their desired state, reading each from the
/// store. Objects not yet settled (a pod not ready yet, a rollout in progress) are looked at
/// again every `resyncInterval`, for what changes with time alone (readiness delays, restarts,
/// progress deadlines). A pass costs what changed, not what exists: with thousands of settled
/// Deployments the simulation keeps up with the releases it serves. Our own writes come back
/// as changes and bring their objects into the next pass, which finds nothing left to do once
/// everything has settled (a write that changes nothing sends no watch event).
/// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
final class WorkloadController: Service, Sendable {
    let store: ObjectStore
    let kubelet: SimulatedKubelet
    let resyncInterval: Duration
    let logger: Logger

    let deployments: ResourceType
    let replicaSets: ResourceType
    let pods: ResourceType

    /// Changes the watches saw since the last pass, and whether a resync is due.
    private let inbox = Mutex<(changes: [WorkloadChange], resync: Bool)>(([], false))

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
            for (type, kind) in [(deployments, WorkloadKind.deployment), (replicaSets, .replicaSet), (pods, .pod)] {
                // Every kind is listed before the first pass, so that a pass never takes a
                // Deployment whose ReplicaSets it has not heard of yet for one that has none.
                let initial = listChanges(type, kind)
                self.inbox.withLock { $0.changes.append(contentsOf: initial.changes) }
                group.addTask { [store, resyncInterval] in
                    // Watch on from the list; when a watch ends, resume where it stopped, and
                    // list again when that is too old to resume from.
                    var resourceVersion = initial.resourceVersion
                    while !Task.isCancelled {
                        if let events = try? store.watch(type, namespace: nil, options: .init(resourceVersion: resourceVersion)) {
                            for await event in events where event.type != .bookmark && event.type != .error {
                                if let version = event.object[path: "metadata", "resourceVersion"]?.stringValue { resourceVersion = version }
                                self.inbox.withLock { $0.changes.append(WorkloadChange(kind: kind, type: event.type, object: event.object)) }
                                trigger.yield()
                            }
                        } else {
                            let relisted = self.listChanges(type, kind)
                            resourceVersion = relisted.resourceVersion
                            self.inbox.withLock { $0.changes.append(contentsOf: relisted.changes) }
                            trigger.yield()
                        }
                        try? await Task.sleep(for: resyncInterval)
                    }
                }
            }
            trigger.yield()
            group.addTask { [resyncInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: resyncInterval)
                    self.inbox.withLock { $0.resync = true }
                    trigger.yield()
                }
            }
            for await _ in triggers.cancelOnGracefulShutdown() {
                let (changes, resync) = inbox.withLock { inbox in
                    defer { inbox = ([], false) }
                    return inbox
                }
                reconcile(&state, changes: changes, resync: resync)
            }
            group.cancelAll()
        }
    }

    /// What passes remember: who controls whom, what to look at next, which objects are not
    /// settled yet, and when each pod's containers started (to the millisecond, which
    /// creationTimestamp does not give).
    struct PassState {
        var podStarts: [String: Date] = [:]
        var index = WorkloadIndex()
        /// Objects to sync in the next pass: they, or what they control, changed.
        var dirty = WorkloadSet()
        /// Objects whose last sync left something to wait for; synced again on every resync.
        var unsettled = WorkloadSet()

        /// Takes in a change: the object and its controller are looked at in the next pass;
        /// when an object goes, so are its dependents (which may be orphans now).
        mutating func apply(_ change: WorkloadChange) {
            let ref = WorkloadRef(change.object)
            let owner: String?
            if change.type == .deleted {
                owner = index.forget(ref, change.kind)
                unsettled.remove(ref, change.kind)
                if change.kind == .pod { podStarts[change.object.objectUID] = nil }
                markDependents(of: change.object.objectUID, change.kind)
            } else {
                index.record(change.object, change.kind)
                owner = change.object.controllerUID
                dirty.insert(ref, change.kind)
            }
            if let owner { markController(owner, of: change.kind) }
        }

        /// Marks the controller with `uid` of an object of `kind` for the next sync.
        mutating func markController(_ uid: String, of kind: WorkloadKind) {
            switch kind {
            case .pod: if let ref = index.ref(ofUID: uid, .replicaSet) { dirty.replicaSets.insert(ref) }
            case .replicaSet: if let ref = index.ref(ofUID: uid, .deployment) { dirty.deployments.insert(ref) }
            case .deployment: break
            }
        }

        private mutating func markDependents(of uid: String, _ kind: WorkloadKind) {
            switch kind {
            case .deployment: dirty.replicaSets.formUnion(index.dependents(of: uid))
            case .replicaSet: dirty.pods.formUnion(index.dependents(of: uid))
            case .pod: break
            }
        }
    }

    func reconcile(_ state: inout PassState, changes: [WorkloadChange], resync: Bool) {
        for change in changes { state.apply(change) }
        if resync { state.dirty.formUnion(state.unsettled) }
        let now = Date()
        let podRefs = state.dirty.pods
        state.dirty.pods = []
        for ref in podRefs { syncPod(ref, &state, now: now) }
        let replicaSetRefs = state.dirty.replicaSets
        state.dirty.replicaSets = []
        for ref in replicaSetRefs { syncReplicaSet(ref, &state, now: now) }
        let deploymentRefs = state.dirty.deployments
        state.dirty.deployments = []
        for ref in deploymentRefs { syncDeployment(ref, &state, now: now) }
    }

    /// Every object of `kind` as an ADDED change, and the version to watch on from.
    func listChanges(_ type: ResourceType, _ kind: WorkloadKind) -> (changes: [WorkloadChange], resourceVersion: String) {
        do {
            let result = try store.list(type, namespace: nil)
            return (result.items.map { WorkloadChange(kind: kind, type: .added, object: $0) }, result.resourceVersion)
        } catch {
            logger.debug("simulation could not list", metadata: ["resource": "\(type)", "error": "\(error)"])
            return ([], store.currentResourceVersion)
        }
    }

    /// The object `ref` names, or nil when it is gone.
    func current(_ type: ResourceType, _ ref: WorkloadRef) -> JSONValue? {
        try? store.get(type, namespace: ref.namespace, name: ref.name)
    }

    /// The objects `state` knows `owner` controls, read from the store; those that are gone or
    /// now controlled by another are left out.
    func owned(by owner: JSONValue, _ type: ResourceType, _ state: PassState) -> [JSONValue] {
        let uid = owner.objectUID
        return state.index.dependents(of: uid).compactMap { ref in
            guard let object = current(type, ref), object.controllerUID == uid else { return nil }
            return object
        }
    }

    /// Deletes `dependent` when its controlling owner (of `ownerKind` in apps/v1) is gone, as
    /// the garbage collector does for an owner deleted while a dependent was being created.
    /// Asks the store, not the index, so that an owner created a moment ago is never taken for
    /// a deleted one. Returns whether it deleted.
    /// https://kubernetes.io/docs/concepts/architecture/garbage-collection/
    func collectIfOrphan(_ dependent: JSONValue, ownerKind: String, ownerType: ResourceType, type: ResourceType) -> Bool {
        let references = dependent[path: "metadata", "ownerReferences"]?.arrayValue ?? []
        guard let reference = references.first(where: { $0["controller"]?.boolValue == true }),
              reference["kind"]?.stringValue == ownerKind, reference["apiVersion"]?.stringValue == "apps/v1",
              let uid = reference["uid"]?.stringValue, let name = reference["name"]?.stringValue
        else { return false }
        if let owner = try? store.get(ownerType, namespace: dependent.objectNamespace, name: name), owner.objectUID == uid { return false }
        _ = try? store.delete(type, namespace: dependent.objectNamespace, name: dependent.objectName)
        return true
    }

    /// Writes `status` through the status subresource, as a controller does. Returns whether
    /// it wrote.
    @discardableResult
    func writeStatus(_ type: ResourceType, of object: JSONValue, _ status: JSONValue) -> Bool {
        guard object["status"] != status else { return false }
        do {
            _ = try store.update(type, namespace: object.objectNamespace, name: object.objectName, subresource: .status) { current throws(APIError) in
                guard var current, current.objectUID == object.objectUID else { throw APIError.notFound(type, name: object.objectName) }
                current["status"] = status
                return current
            }
            return true
        } catch {
            logger.debug("simulation could not write status", metadata: ["object": "\(object.objectName)", "error": "\(error)"])
            return false
        }
    }

    // MARK: kubelet

    /// The pod gets the status its images' tags say, as if a kubelet ran it.
    private func syncPod(_ ref: WorkloadRef, _ state: inout PassState, now: Date) {
        guard let pod = current(pods, ref), !pod.isBeingDeleted else {
            state.unsettled.pods.remove(ref)
            return
        }
        if collectIfOrphan(pod, ownerKind: "ReplicaSet", ownerType: replicaSets, type: pods) { return }
        let uid = pod.objectUID
        let start = state.podStarts[uid]
            ?? SimulationTime.date(pod[path: "status", "startTime"]?.stringValue)
            ?? now
        state.podStarts[uid] = start
        let status = kubelet.status(of: pod, startedAt: start, now: now)
        if writeStatus(pods, of: pod, status), let owner = pod.controllerUID { state.markController(owner, of: .pod) }
        // A ready pod stays ready (a crash-looping one never is): unchanged, it needs nothing.
        if status == pod["status"], SimulatedKubelet.isReady(pod) { state.unsettled.pods.remove(ref) } else { state.unsettled.pods.insert(ref) }
    }
}
