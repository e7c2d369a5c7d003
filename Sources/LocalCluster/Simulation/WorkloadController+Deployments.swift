import ClusterCore
import Foundation
import JSON
import Logging

/// The Deployment controller: one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`),
/// a rolling update (or Recreate) from the old ReplicaSets to the new one within maxSurge and
/// maxUnavailable, and the status and conditions `kubectl rollout status` reads.
/// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
extension WorkloadController {
    static let revisionAnnotation = "deployment.kubernetes.io/revision"
    static let hashLabel = "pod-template-hash"

    func syncDeployment(_ ref: WorkloadRef, _ state: inout PassState, now: Date) {
        guard let deployment = current(deployments, ref), !deployment.isBeingDeleted else {
            state.unsettled.deployments.remove(ref)
            return
        }
        let owned = owned(by: deployment, replicaSets, state)
        if let created = syncDeployment(deployment, owned: owned, now: now) { state.index.record(created, .replicaSet) }
        // Settled: the rollout was complete when read (no progress deadline can pass); a write
        // this sync made comes back as a change and brings it into the next pass.
        if Self.isComplete(deployment, owned: owned) { state.unsettled.deployments.remove(ref) } else { state.unsettled.deployments.insert(ref) }
    }

    /// The rollout is complete: the status describes the latest generation, every desired pod
    /// is updated and available, and no old ReplicaSet has pods.
    static func isComplete(_ deployment: JSONValue, owned: [JSONValue]) -> Bool {
        let desired = max(0, deployment.specReplicas)
        let generation = deployment[path: "metadata", "generation"]?.intValue ?? 0
        guard deployment.statusInt("observedGeneration") >= generation, deployment.statusInt("replicas") == desired,
              deployment.statusInt("updatedReplicas") == desired, deployment.statusInt("availableReplicas") == desired,
              deployment[path: "spec", "paused"]?.boolValue != true else { return false }
        return owned.filter { $0.specReplicas > 0 || $0.statusInt("replicas") > 0 }.count <= 1
    }

    /// One step of the rollout; returns the ReplicaSet it created, if it did.
    private func syncDeployment(_ deployment: JSONValue, owned: [JSONValue], now: Date) -> JSONValue? {
        let desired = max(0, deployment.specReplicas)
        guard let template = deployment[path: "spec", "template"] else { return nil }
        let hash = PodTemplateHash.of(template)
        var newReplicaSet = owned.first { $0.objectLabels[Self.hashLabel] == hash && !$0.isBeingDeleted }
        let old = owned.filter { $0.objectUID != newReplicaSet?.objectUID }
        let paused = deployment[path: "spec", "paused"]?.boolValue == true
        var created = false

        let recreate = deployment[path: "spec", "strategy", "type"]?.stringValue == "Recreate"
        var maxSurge = IntOrPercent.resolve(deployment[path: "spec", "strategy", "rollingUpdate", "maxSurge"], total: desired, roundUp: true, default: 1)
        var maxUnavailable = IntOrPercent.resolve(deployment[path: "spec", "strategy", "rollingUpdate", "maxUnavailable"], total: desired, roundUp: false, default: 0)
        if recreate || desired == 0 { maxSurge = 0; maxUnavailable = 0 }
        // Rolling with neither surge nor unavailability could never move; the API forbids it,
        // and one unavailable pod keeps the rollout going should such a spec get here.
        let rollingUnavailable = maxSurge == 0 && maxUnavailable == 0 ? 1 : maxUnavailable

        // Spec replicas as this pass leaves them, to compute status from.
        var specReplicas: [String: Int] = [:]
        for replicaSet in owned { specReplicas[replicaSet.objectUID] = replicaSet.specReplicas }
        let oldActive = old.filter { $0.specReplicas > 0 || $0.statusInt("replicas") > 0 }

        if !paused {
            if newReplicaSet == nil {
                let oldTotal = old.reduce(0) { $0 + $1.specReplicas }
                let initial: Int
                if oldActive.isEmpty { initial = desired }
                else if recreate { initial = 0 }
                else { initial = min(desired, max(0, desired + maxSurge - oldTotal)) }
                newReplicaSet = createReplicaSet(for: deployment, template: template, hash: hash, replicas: initial, old: old)
                if let newReplicaSet { specReplicas[newReplicaSet.objectUID] = initial; created = true }
            }
            guard var newReplicaSet else { return nil }
            if !created, let revised = reviseIfRolledBack(newReplicaSet, old: old) { newReplicaSet = revised }
            let newUID = newReplicaSet.objectUID
            var newTarget = specReplicas[newUID] ?? 0

            if recreate {
                for replicaSet in old where replicaSet.specReplicas > 0 { specReplicas[replicaSet.objectUID] = 0 }
                newTarget = oldActive.contains { $0.statusInt("replicas") > 0 } ? 0 : desired
            } else if oldActive.isEmpty {
                newTarget = desired
            } else {
                // Scale up the new ReplicaSet within maxSurge.
                let total = specReplicas.values.reduce(0, +)
                if newTarget < desired, total < desired + maxSurge {
                    newTarget = min(desired, newTarget + (desired + maxSurge - total))
                }
                newTarget = min(newTarget, desired)
                specReplicas[newUID] = newTarget
                // Scale down old ReplicaSets within maxUnavailable: unhealthy pods first, then
                // as many available ones as keep desired - maxUnavailable available.
                let minAvailable = desired - rollingUnavailable
                let newUnavailable = max(0, newTarget - newReplicaSet.statusInt("availableReplicas"))
                var budget = specReplicas.values.reduce(0, +) - minAvailable - newUnavailable
                let oldestFirst = old.sorted { ($0[path: "metadata", "creationTimestamp"]?.stringValue ?? "") < ($1[path: "metadata", "creationTimestamp"]?.stringValue ?? "") }
                for replicaSet in oldestFirst where budget > 0 {
                    let current = specReplicas[replicaSet.objectUID] ?? 0
                    let unhealthy = max(0, current - replicaSet.statusInt("availableReplicas"))
                    let cut = min(unhealthy, budget)
                    specReplicas[replicaSet.objectUID] = current - cut
                    budget -= cut
                }
                let available = owned.reduce(0) { $0 + $1.statusInt("availableReplicas") }
                var scaleDown = available - minAvailable
                for replicaSet in oldestFirst where scaleDown > 0 {
                    let current = specReplicas[replicaSet.objectUID] ?? 0
                    let cut = min(current, scaleDown)
                    specReplicas[replicaSet.objectUID] = current - cut
                    scaleDown -= cut
                }
            }
            specReplicas[newUID] = newTarget

            for replicaSet in owned where specReplicas[replicaSet.objectUID] != replicaSet.specReplicas {
                scale(replicaSet, to: specReplicas[replicaSet.objectUID] ?? 0)
            }
            if created, newTarget != newReplicaSet.specReplicas { scale(newReplicaSet, to: newTarget) }
            recordRevision(of: deployment, newReplicaSet)
            cleanUpHistory(deployment, old: old, specReplicas: specReplicas)
        }

        writeStatus(deployments, of: deployment, deploymentStatus(
            deployment, newReplicaSet: newReplicaSet, all: owned, created: created, specReplicas: specReplicas,
            desired: desired, maxUnavailable: maxUnavailable, now: now))
        return created ? newReplicaSet : nil
    }

    private func createReplicaSet(for deployment: JSONValue, template: JSONValue, hash: String, replicas: Int, old: [JSONValue]) -> JSONValue? {
        let revision = (old.compactMap { Int($0[path: "metadata", "annotations", Self.revisionAnnotation]?.stringValue ?? "") }.max() ?? 0) + 1
        var podTemplate = template
        podTemplate[path: "metadata", "labels", Self.hashLabel] = .string(hash)
        var selector = deployment[path: "spec", "selector"] ?? .emptyObject
        selector[path: "matchLabels", Self.hashLabel] = .string(hash)
        var labels = template[path: "metadata", "labels"] ?? .emptyObject
        labels[Self.hashLabel] = .string(hash)
        var spec: JSONValue = ["replicas": .int(replicas), "selector": selector, "template": podTemplate]
        if let minReady = deployment[path: "spec", "minReadySeconds"] { spec["minReadySeconds"] = minReady }
        let replicaSet: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string("\(deployment.objectName)-\(hash)"),
                "namespace": .string(deployment.objectNamespace),
                "labels": labels,
                "annotations": [
                    Self.revisionAnnotation: .string(String(revision)),
                    "deployment.kubernetes.io/desired-replicas": .string(String(deployment.specReplicas)),
                ],
                "ownerReferences": [deployment.controllerReference(kind: "Deployment", apiVersion: "apps/v1")],
            ],
            "spec": spec,
        ]
        do {
            return try store.create(replicaSets, namespace: deployment.objectNamespace, object: replicaSet)
        } catch {
            logger.debug("simulation could not create a replicaset", metadata: ["deployment": "\(deployment.objectName)", "error": "\(error)"])
            return nil
        }
    }

    /// A template the Deployment had before (`kubectl rollout undo`, or an image put back)
    /// reuses its old ReplicaSet, which then becomes the newest revision, as the real
    /// controller numbers it.
    private func reviseIfRolledBack(_ replicaSet: JSONValue, old: [JSONValue]) -> JSONValue? {
        func revision(_ object: JSONValue) -> Int { Int(object[path: "metadata", "annotations", Self.revisionAnnotation]?.stringValue ?? "") ?? 0 }
        let newest = old.map(revision).max() ?? 0
        guard revision(replicaSet) <= newest else { return nil }
        return try? store.update(replicaSets, namespace: replicaSet.objectNamespace, name: replicaSet.objectName) { current throws(APIError) in
            guard var current, current.objectUID == replicaSet.objectUID else { throw APIError.notFound(replicaSets, name: replicaSet.objectName) }
            current[path: "metadata", "annotations", Self.revisionAnnotation] = .string(String(newest + 1))
            return current
        }.object
    }

    private func scale(_ replicaSet: JSONValue, to replicas: Int) {
        _ = try? store.update(replicaSets, namespace: replicaSet.objectNamespace, name: replicaSet.objectName) { current throws(APIError) in
            guard var current, current.objectUID == replicaSet.objectUID else { throw APIError.notFound(replicaSets, name: replicaSet.objectName) }
            current[path: "spec", "replicas"] = .int(replicas)
            return current
        }
    }

    /// The Deployment carries the revision of its newest ReplicaSet, as `kubectl rollout history` shows it.
    private func recordRevision(of deployment: JSONValue, _ newReplicaSet: JSONValue) {
        guard let revision = newReplicaSet[path: "metadata", "annotations", Self.revisionAnnotation],
              deployment[path: "metadata", "annotations", Self.revisionAnnotation] != revision else { return }
        _ = try? store.update(deployments, namespace: deployment.objectNamespace, name: deployment.objectName) { current throws(APIError) in
            guard var current, current.objectUID == deployment.objectUID else { throw APIError.notFound(deployments, name: deployment.objectName) }
            current[path: "metadata", "annotations", Self.revisionAnnotation] = revision
            return current
        }
    }

    /// Old ReplicaSets scaled to zero beyond `revisionHistoryLimit` are deleted, oldest first.
    private func cleanUpHistory(_ deployment: JSONValue, old: [JSONValue], specReplicas: [String: Int]) {
        let limit = max(0, deployment[path: "spec", "revisionHistoryLimit"]?.intValue ?? 10)
        let idle = old.filter { (specReplicas[$0.objectUID] ?? 0) == 0 && $0.statusInt("replicas") == 0 && !$0.isBeingDeleted }
            .sorted { Int($0[path: "metadata", "annotations", Self.revisionAnnotation]?.stringValue ?? "") ?? 0 < Int($1[path: "metadata", "annotations", Self.revisionAnnotation]?.stringValue ?? "") ?? 0 }
        guard idle.count > limit else { return }
        for replicaSet in idle.prefix(idle.count - limit) {
            _ = try? store.delete(replicaSets, namespace: replicaSet.objectNamespace, name: replicaSet.objectName)
        }
    }

    /// Deployment status as the controller computes it, with the Available and Progressing
    /// conditions. Zero counts are left out, as the API omits them.
    /// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status
    private func deploymentStatus(
        _ deployment: JSONValue, newReplicaSet: JSONValue?, all: [JSONValue], created: Bool, specReplicas: [String: Int],
        desired: Int, maxUnavailable: Int, now: Date
    ) -> JSONValue {
        let previous = deployment["status"] ?? .emptyObject
        let replicas = all.reduce(0) { $0 + $1.statusInt("replicas") }
        let updated = newReplicaSet?.statusInt("replicas") ?? 0
        let ready = all.reduce(0) { $0 + $1.statusInt("readyReplicas") }
        let available = all.reduce(0) { $0 + $1.statusInt("availableReplicas") }
        let total = specReplicas.values.reduce(0, +)
        let unavailable = max(0, total - available)

        var status: JSONValue = ["observedGeneration": .int(deployment.objectGeneration)]
        for (field, value) in [("replicas", replicas), ("updatedReplicas", updated), ("readyReplicas", ready),
                               ("availableReplicas", available), ("unavailableReplicas", unavailable)] where value > 0 {
            status[field] = .int(value)
        }

        let stamp = SimulationTime.timestamp(now)
        let oldConditions = previous["conditions"]?.arrayValue ?? []
        func existing(_ type: String) -> JSONValue? { oldConditions.first { $0["type"]?.stringValue == type } }
        func condition(_ type: String, _ value: Bool, _ reason: String, _ message: String, touch: Bool) -> JSONValue {
            let statusText = value ? "True" : "False"
            let before = existing(type)
            let sameStatus = before?["status"]?.stringValue == statusText
            let sameReason = sameStatus && before?["reason"]?.stringValue == reason && before?["message"]?.stringValue == message
            return [
                "type": .string(type), "status": .string(statusText),
                "lastUpdateTime": (sameReason && !touch ? before?["lastUpdateTime"] : nil) ?? .string(stamp),
                "lastTransitionTime": (sameStatus ? before?["lastTransitionTime"] : nil) ?? .string(stamp),
                "reason": .string(reason), "message": .string(message),
            ]
        }

        let availableCondition = available >= desired - maxUnavailable
            ? condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", touch: false)
            : condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", touch: false)

        let name = newReplicaSet?.objectName ?? deployment.objectName
        let complete = updated == desired && replicas == desired && available == desired
            && (newReplicaSet.map { specReplicas[$0.objectUID] == desired } ?? (desired == 0))
        let previousProgress = existing("Progressing")
        let previousReason = previousProgress?["reason"]?.stringValue
        let progressed = updated > (previous["updatedReplicas"]?.intValue ?? 0)
            || ready > (previous["readyReplicas"]?.intValue ?? 0)
            || available > (previous["availableReplicas"]?.intValue ?? 0)
            || (replicas - updated) < ((previous["replicas"]?.intValue ?? 0) - (previous["updatedReplicas"]?.intValue ?? 0))
            || deployment.objectGeneration != (previous["observedGeneration"]?.intValue ?? 0)
        let deadline = deployment[path: "spec", "progressDeadlineSeconds"]?.intValue ?? 600
        let lastProgress = SimulationTime.date(previousProgress?["lastUpdateTime"]?.stringValue) ?? now

        let progressing: JSONValue
        if complete {
            progressing = condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(name)\" has successfully progressed.", touch: previousReason != "NewReplicaSetAvailable")
        } else if created {
            progressing = condition("Progressing", true, "NewReplicaSetCreated", "Created new replica set \"\(name)\"", touch: true)
        } else if progressed || previousProgress == nil {
            progressing = condition("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(name)\" is progressing.", touch: true)
        } else if previousReason == "ProgressDeadlineExceeded" {
            progressing = previousProgress ?? .null
        } else if previousReason != "NewReplicaSetAvailable", now.timeIntervalSince(lastProgress) > Double(deadline) {
            progressing = condition("Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"\(name)\" has timed out progressing.", touch: true)
        } else {
            progressing = previousProgress ?? .null
        }
        status["conditions"] = [availableCondition, progressing]
        return status
    }
}
