import ClusterCore
import Foundation
import JSON
import Logging

/// The ReplicaSet controller: keeps `spec.replicas` pods of the template, owned by the
/// ReplicaSet, and reports how many exist, are ready and are available.
/// https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/
extension WorkloadController {
    /// At most this many pods are created or deleted for one ReplicaSet in one pass (the real
    /// controller's burst is 500); the next pass continues.
    static let podBurst = 100

    func syncReplicaSet(_ ref: WorkloadRef, _ state: inout PassState, now: Date) {
        guard let replicaSet = current(replicaSets, ref), !replicaSet.isBeingDeleted else {
            state.unsettled.replicaSets.remove(ref)
            return
        }
        if collectIfOrphan(replicaSet, ownerKind: "Deployment", ownerType: deployments, type: replicaSets) { return }
        let owned = owned(by: replicaSet, pods, state).filter { !$0.isBeingDeleted }
        let desired = max(0, replicaSet.specReplicas)
        // Settled: every pod there and available, so nothing changes until something does.
        let minReadySeconds = replicaSet[path: "spec", "minReadySeconds"]?.intValue ?? 0
        let settled = owned.count == desired && minReadySeconds == 0 && owned.allSatisfy(SimulatedKubelet.isReady)
        if settled { state.unsettled.replicaSets.remove(ref) } else { state.unsettled.replicaSets.insert(ref) }
        if owned.count < desired {
            for _ in 0..<min(desired - owned.count, Self.podBurst) {
                // Known at once, so that the next pass counts it before its watch event arrives.
                if let pod = createPod(for: replicaSet) { state.index.record(pod, .pod) }
            }
        } else if owned.count > desired {
            // Pods that are not ready go first, then the newest (as the real controller ranks them).
            let ranked = owned.sorted { left, right in
                let leftReady = SimulatedKubelet.isReady(left), rightReady = SimulatedKubelet.isReady(right)
                if leftReady != rightReady { return !leftReady }
                return (left[path: "metadata", "creationTimestamp"]?.stringValue ?? "") > (right[path: "metadata", "creationTimestamp"]?.stringValue ?? "")
            }
            for pod in ranked.prefix(min(owned.count - desired, Self.podBurst)) {
                _ = try? store.delete(pods, namespace: pod.objectNamespace, name: pod.objectName)
            }
        }
        if writeStatus(replicaSets, of: replicaSet, replicaSetStatus(replicaSet, pods: owned, now: now)), let owner = replicaSet.controllerUID {
            state.markController(owner, of: .replicaSet)
        }
    }

    /// A pod is available once it has been ready for `minReadySeconds`.
    static func isAvailable(_ pod: JSONValue, minReadySeconds: Int, now: Date) -> Bool {
        guard SimulatedKubelet.isReady(pod) else { return false }
        guard minReadySeconds > 0 else { return true }
        let ready = (pod[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        guard let since = SimulationTime.date(ready?["lastTransitionTime"]?.stringValue) else { return false }
        return now.timeIntervalSince(since) >= Double(minReadySeconds)
    }

    /// ReplicaSet status as the controller writes it; zero counts are left out, as the API
    /// omits them (`replicas` is always present).
    private func replicaSetStatus(_ replicaSet: JSONValue, pods owned: [JSONValue], now: Date) -> JSONValue {
        let minReadySeconds = replicaSet[path: "spec", "minReadySeconds"]?.intValue ?? 0
        let templateLabels = replicaSet[path: "spec", "template", "metadata", "labels"]?.objectValue ?? [:]
        let fullyLabeled = owned.filter { pod in
            let labels = pod.objectLabels
            return templateLabels.allSatisfy { labels[$0.key] == $0.value.stringValue }
        }.count
        let ready = owned.filter(SimulatedKubelet.isReady).count
        let available = owned.filter { Self.isAvailable($0, minReadySeconds: minReadySeconds, now: now) }.count
        var status: JSONValue = ["replicas": .int(owned.count)]
        if fullyLabeled > 0 { status["fullyLabeledReplicas"] = .int(fullyLabeled) }
        if ready > 0 { status["readyReplicas"] = .int(ready) }
        if available > 0 { status["availableReplicas"] = .int(available) }
        status["observedGeneration"] = .int(replicaSet.objectGeneration)
        return status
    }

    /// A pod of the ReplicaSet's template, named `<replicaset>-<5 random>` and owned by it,
    /// already bound to the simulated node.
    private func createPod(for replicaSet: JSONValue) -> JSONValue? {
        var metadata: JSONValue = [
            "generateName": .string(replicaSet.objectName + "-"),
            "namespace": .string(replicaSet.objectNamespace),
            "ownerReferences": [replicaSet.controllerReference(kind: "ReplicaSet", apiVersion: "apps/v1")],
        ]
        if let labels = replicaSet[path: "spec", "template", "metadata", "labels"] { metadata["labels"] = labels }
        if let annotations = replicaSet[path: "spec", "template", "metadata", "annotations"] { metadata["annotations"] = annotations }
        var spec = replicaSet[path: "spec", "template", "spec"] ?? .emptyObject
        spec["nodeName"] = .string(SimulatedKubelet.nodeName)
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
        do {
            return try store.create(pods, namespace: replicaSet.objectNamespace, object: pod)
        } catch {
            logger.debug("simulation could not create a pod", metadata: ["replicaset": "\(replicaSet.objectName)", "error": "\(error)"])
            return nil
        }
    }
}
