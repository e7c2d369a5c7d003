import ClusterCore
import JSON

/// A namespaced object the simulation keeps track of.
struct WorkloadRef: Hashable, Sendable {
    var namespace: String
    var name: String

    init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    init(_ object: JSONValue) {
        self.init(namespace: object.objectNamespace, name: object.objectName)
    }
}

/// The three kinds the workload simulation drives.
enum WorkloadKind: Sendable {
    case deployment, replicaSet, pod
}

/// One change a watch of the simulation saw.
struct WorkloadChange: Sendable {
    var kind: WorkloadKind
    var type: WatchEvent.EventType
    var object: JSONValue
}

/// Objects of each kind, as sets of references.
struct WorkloadSet {
    var deployments: Set<WorkloadRef> = []
    var replicaSets: Set<WorkloadRef> = []
    var pods: Set<WorkloadRef> = []

    mutating func insert(_ ref: WorkloadRef, _ kind: WorkloadKind) {
        switch kind {
        case .deployment: deployments.insert(ref)
        case .replicaSet: replicaSets.insert(ref)
        case .pod: pods.insert(ref)
        }
    }

    mutating func remove(_ ref: WorkloadRef, _ kind: WorkloadKind) {
        switch kind {
        case .deployment: deployments.remove(ref)
        case .replicaSet: replicaSets.remove(ref)
        case .pod: pods.remove(ref)
        }
    }

    mutating func formUnion(_ other: WorkloadSet) {
        deployments.formUnion(other.deployments)
        replicaSets.formUnion(other.replicaSets)
        pods.formUnion(other.pods)
    }
}

/// Who controls whom, kept from the watches and from the simulation's own writes: the pods of
/// each ReplicaSet and the ReplicaSets of each Deployment by the owner's uid, and the owners by
/// uid. It lets a pass find what to look at from what changed, in O(changes), where listing
/// every object per pass cost a sweep of the whole cluster per change.
///
/// The index only says where to look; every object a sync uses is read from the store, so an
/// entry the index still holds for a deleted object costs a lookup, never a wrong decision.
struct WorkloadIndex {
    private var dependents: [String: Set<WorkloadRef>] = [:]
    private var ownerUIDs: [WorkloadKind: [WorkloadRef: String]] = [:]
    private var refsByUID: [String: (kind: WorkloadKind, ref: WorkloadRef)] = [:]
    private var uidsByRef: [WorkloadKind: [WorkloadRef: String]] = [:]

    /// Records `object` of `kind` as it is now.
    mutating func record(_ object: JSONValue, _ kind: WorkloadKind) {
        let ref = WorkloadRef(object)
        let uid = object.objectUID
        if let previous = uidsByRef[kind]?[ref], previous != uid { refsByUID[previous] = nil }
        uidsByRef[kind, default: [:]][ref] = uid
        refsByUID[uid] = (kind, ref)
        let owner = object.controllerUID
        let previousOwner = ownerUIDs[kind]?[ref]
        guard previousOwner != owner else { return }
        if let previousOwner { removeDependent(ref, of: previousOwner) }
        ownerUIDs[kind]?[ref] = nil
        if let owner {
            dependents[owner, default: []].insert(ref)
            ownerUIDs[kind, default: [:]][ref] = owner
        }
    }

    /// Forgets a deleted object, returning the uid of its controller, if it had one.
    @discardableResult
    mutating func forget(_ ref: WorkloadRef, _ kind: WorkloadKind) -> String? {
        if let uid = uidsByRef[kind]?.removeValue(forKey: ref), refsByUID[uid]?.ref == ref { refsByUID[uid] = nil }
        guard let owner = ownerUIDs[kind]?.removeValue(forKey: ref) else { return nil }
        removeDependent(ref, of: owner)
        return owner
    }

    private mutating func removeDependent(_ ref: WorkloadRef, of owner: String) {
        guard dependents[owner] != nil else { return }
        dependents[owner]!.remove(ref)
        if dependents[owner]!.isEmpty { dependents[owner] = nil }
    }

    /// The dependents controlled by the object with `uid` (pods of a ReplicaSet, ReplicaSets
    /// of a Deployment).
    func dependents(of uid: String) -> Set<WorkloadRef> { dependents[uid] ?? [] }

    /// The object with `uid`, when it is one of `kind`.
    func ref(ofUID uid: String, _ kind: WorkloadKind) -> WorkloadRef? {
        guard let entry = refsByUID[uid], entry.kind == kind else { return nil }
        return entry.ref
    }
}
