import ClusterCore
import JSON
@testable import LocalCluster
import Testing

/// The simulation finds what to sync from what changed; these pin down that a change reaches
/// exactly the objects whose state it can move.
@Suite("Simulation: what a change brings into the next pass")
struct WorkloadIndexTests {
    private func object(_ name: String, uid: String, owner: String? = nil) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": "shop", "uid": .string(uid)]
        if let owner {
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "x", "uid": .string(owner), "controller": true]]
        }
        return ["metadata": metadata]
    }

    private func ref(_ name: String) -> WorkloadRef { WorkloadRef(namespace: "shop", name: name) }

    @Test("a pod's change marks it and its ReplicaSet, a ReplicaSet's marks its Deployment, and nothing else")
    func changesMarkTheirControllers() {
        var state = WorkloadController.PassState()
        state.apply(WorkloadChange(kind: .deployment, type: .added, object: object("web", uid: "d1")))
        state.apply(WorkloadChange(kind: .deployment, type: .added, object: object("api", uid: "d2")))
        state.apply(WorkloadChange(kind: .replicaSet, type: .added, object: object("web-1", uid: "r1", owner: "d1")))
        state.apply(WorkloadChange(kind: .replicaSet, type: .added, object: object("api-1", uid: "r2", owner: "d2")))
        state.dirty = WorkloadSet()

        state.apply(WorkloadChange(kind: .pod, type: .modified, object: object("web-1-a", uid: "p1", owner: "r1")))
        #expect(state.dirty.pods == [ref("web-1-a")])
        #expect(state.dirty.replicaSets == [ref("web-1")])
        #expect(state.dirty.deployments.isEmpty)
        #expect(state.index.dependents(of: "r1") == [ref("web-1-a")])

        state.dirty = WorkloadSet()
        state.apply(WorkloadChange(kind: .replicaSet, type: .modified, object: object("api-1", uid: "r2", owner: "d2")))
        #expect(state.dirty.deployments == [ref("api")])
        #expect(state.dirty.pods.isEmpty)
    }

    @Test("a deleted owner brings its dependents in (they may be orphans now) and is forgotten")
    func deletionsMarkDependents() {
        var state = WorkloadController.PassState()
        state.apply(WorkloadChange(kind: .replicaSet, type: .added, object: object("web-1", uid: "r1")))
        for name in ["a", "b"] {
            state.apply(WorkloadChange(kind: .pod, type: .added, object: object("web-1-\(name)", uid: "p-\(name)", owner: "r1")))
        }
        state.unsettled.replicaSets.insert(ref("web-1"))
        state.dirty = WorkloadSet()
        state.apply(WorkloadChange(kind: .replicaSet, type: .deleted, object: object("web-1", uid: "r1")))
        #expect(state.dirty.pods == [ref("web-1-a"), ref("web-1-b")])
        #expect(state.unsettled.replicaSets.isEmpty)
        #expect(state.index.ref(ofUID: "r1", .replicaSet) == nil)

        state.apply(WorkloadChange(kind: .pod, type: .deleted, object: object("web-1-a", uid: "p-a", owner: "r1")))
        #expect(state.index.dependents(of: "r1") == [ref("web-1-b")])
    }

    @Test("an object re-created under the same name, or adopted by another owner, moves in the index")
    func recreatedAndAdopted() {
        var index = WorkloadIndex()
        index.record(object("web-1", uid: "r1"), .replicaSet)
        index.record(object("web-1", uid: "r9"), .replicaSet)
        #expect(index.ref(ofUID: "r1", .replicaSet) == nil)
        #expect(index.ref(ofUID: "r9", .replicaSet) == ref("web-1"))

        index.record(object("web-1-a", uid: "p1", owner: "r1"), .pod)
        index.record(object("web-1-a", uid: "p1", owner: "r9"), .pod)
        #expect(index.dependents(of: "r1").isEmpty)
        #expect(index.dependents(of: "r9") == [ref("web-1-a")])
        #expect(index.forget(ref("web-1-a"), .pod) == "r9")
        #expect(index.dependents(of: "r9").isEmpty)
    }
}
