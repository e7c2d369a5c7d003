import Foundation
import JSON

/// Deletion with finalizers, owner-reference garbage collection and namespace termination.
/// The garbage collector's work happens within the same store operation instead of later in a
/// controller, so a client that sees its delete answered also sees its dependents gone. The
/// cascade runs from a work queue (`collectionQueue`) rather than by recursion, so a long chain
/// of owners cannot exhaust the stack.
/// https://kubernetes.io/docs/concepts/architecture/garbage-collection/
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/
extension StoreState {
    /// Deletes `ref` and carries out all the garbage collection that follows; the outcome
    /// reflects the state once that is done.
    mutating func deleteAndCollect(_ ref: StoredRef, policy: DeleteOptions.Propagation?) throws(APIError) -> DeleteOutcome {
        let outcome = try delete(ref, policy: policy)
        try runCollection()
        if let still = object(ref) { return .pending(still) }
        return .deleted(removedDuringOperation[ref] ?? outcome.object)
    }

    /// Runs queued garbage-collection work until none is left.
    mutating func runCollection() throws(APIError) {
        var done = 0
        defer { collectionQueue.removeFirst(done) }
        while done < collectionQueue.count {
            let step = collectionQueue[done]
            done += 1
            switch step {
            case .delete(let ref, let policy):
                guard let current = object(ref), !current.isBeingDeleted else { continue }
                _ = try delete(ref, policy: policy)
            case .finalize(let ref):
                _ = try finalizeIfReady(ref)
            }
        }
    }

    private mutating func enqueue(_ step: CollectionStep) {
        if collectionQueue.last != step { collectionQueue.append(step) }
    }

    /// Marks `ref` for deletion or removes it, applying `policy` to its dependents (queued).
    private mutating func delete(_ ref: StoredRef, policy: DeleteOptions.Propagation?) throws(APIError) -> DeleteOutcome {
        guard let current = object(ref) else { throw Self.resourceNotFound }
        if current.isBeingDeleted { return .pending(current) }
        if ref.storageKey == Self.namespacesKey && namespacesServed { return try deleteNamespace(ref) }

        let uid = current.metadataUID
        var finalizers = current.metadataFinalizers
        let dependentsNow = dependentRefs(of: uid)
        switch policy ?? .background {
        case .orphan:
            try orphanDependents(of: uid)
        case .foreground:
            if !dependentsNow.isEmpty && !finalizers.contains(Self.foregroundFinalizer) { finalizers.append(Self.foregroundFinalizer) }
        case .background:
            break
        }
        if finalizers.isEmpty { return .deleted(try remove(ref)) }

        try markDeleting(ref, finalizers: finalizers)
        if policy == .foreground {
            for dependent in dependentsNow { enqueue(.delete(dependent, .foreground)) }
        }
        if let still = object(ref) { return .pending(still) }
        return .deleted(removedDuringOperation[ref] ?? current)
    }

    /// What a delete would do, without doing it (`dryRun=All`).
    func deletePreview(_ ref: StoredRef, policy: DeleteOptions.Propagation?) -> DeleteOutcome? {
        guard var current = object(ref) else { return nil }
        if current.isBeingDeleted { return .pending(current) }
        let holds = !current.metadataFinalizers.isEmpty
            || (policy == .foreground && !dependentRefs(of: current.metadataUID).isEmpty)
            || ref.storageKey == Self.namespacesKey
        guard holds else { return .deleted(current) }
        current[path: "metadata", "deletionTimestamp"] = .string(ObjectMetadataRules.timestamp())
        current[path: "metadata", "deletionGracePeriodSeconds"] = 0
        return .pending(current)
    }

    private mutating func markDeleting(_ ref: StoredRef, finalizers: [String]) throws(APIError) {
        try systemUpdate(ref, bumpGeneration: true) { object in
            object[path: "metadata", "deletionTimestamp"] = .string(ObjectMetadataRules.timestamp())
            object[path: "metadata", "deletionGracePeriodSeconds"] = 0
            object[path: "metadata", "finalizers"] = .array(finalizers.map(JSONValue.string))
        }
    }

    /// Removes the object for good (DELETED with a new resourceVersion), then lets the
    /// garbage collector and the namespace finalizer react.
    @discardableResult
    mutating func remove(_ ref: StoredRef) throws(APIError) -> JSONValue {
        guard var final = object(ref) else { return removedDuringOperation[ref] ?? .null }
        let version = nextResourceVersion()
        final[path: "metadata", "resourceVersion"] = .string(String(version))
        if ref.storageKey == Self.namespacesKey, final[path: "spec", "finalizers"] != nil {
            final[path: "spec", "finalizers"] = []
        }
        try commitRemove(ref, final: final, version: version)
        try afterRemoval(ref, final)
        return final
    }

    /// Removes an object being deleted once nothing holds it: no finalizers left and, for a
    /// namespace, no content left. Returns the final object if it was removed.
    mutating func finalizeIfReady(_ ref: StoredRef) throws(APIError) -> JSONValue? {
        guard let current = object(ref), current.isBeingDeleted, current.metadataFinalizers.isEmpty else { return nil }
        if ref.storageKey == Self.namespacesKey && !namespaceIsEmpty(ref.key.name) { return nil }
        return try remove(ref)
    }

    private mutating func afterRemoval(_ ref: StoredRef, _ removed: JSONValue) throws(APIError) {
        let uid = removed.metadataUID
        // Dependents: deleted once every owner is gone; otherwise they just lose the reference.
        for dependent in dependentRefs(of: uid) {
            guard let dependentObject = object(dependent) else { continue }
            let liveOwners = Set(dependentObject.ownerUIDs.filter { uidIndex[$0] != nil })
            if liveOwners.isEmpty {
                if !dependentObject.isBeingDeleted { enqueue(.delete(dependent, .background)) }
            } else {
                try systemUpdate(dependent) { object in
                    Self.keepOwnerReferences(&object) { liveOwners.contains($0) }
                }
            }
        }
        dependents[uid] = nil
        // Owners deleting in the foreground wait for their last dependent.
        for owner in Set(removed.ownerUIDs).sorted() {
            guard let ownerRef = uidIndex[owner], let ownerObject = object(ownerRef), ownerObject.isBeingDeleted,
                  ownerObject.metadataFinalizers.contains(Self.foregroundFinalizer), dependentRefs(of: owner).isEmpty
            else { continue }
            try systemUpdate(ownerRef) { object in
                let remaining = object.metadataFinalizers.filter { $0 != Self.foregroundFinalizer }
                object[path: "metadata", "finalizers"] = remaining.isEmpty ? nil : .array(remaining.map(JSONValue.string))
            }
            enqueue(.finalize(ownerRef))
        }
        // A terminating namespace goes once its last object has.
        if !ref.key.namespace.isEmpty {
            enqueue(.finalize(StoredRef(storageKey: Self.namespacesKey, key: ObjectKey(namespace: "", name: ref.key.namespace))))
        }
    }

    private static func keepOwnerReferences(_ object: inout JSONValue, where keep: (String) -> Bool) {
        let references = object[path: "metadata", "ownerReferences"]?.arrayValue ?? []
        let kept = references.filter { keep($0["uid"]?.stringValue ?? "") }
        object[path: "metadata", "ownerReferences"] = kept.isEmpty ? nil : .array(kept)
    }

    /// `propagationPolicy=Orphan`: dependents stay, without their reference to the owner.
    private mutating func orphanDependents(of uid: String) throws(APIError) {
        for dependent in dependentRefs(of: uid) {
            try systemUpdate(dependent) { object in
                Self.keepOwnerReferences(&object) { $0 != uid }
            }
        }
    }

    /// A namespace turns Terminating, its objects are deleted, and it goes when they have.
    private mutating func deleteNamespace(_ ref: StoredRef) throws(APIError) -> DeleteOutcome {
        let name = ref.key.name
        try systemUpdate(ref, bumpGeneration: true) { object in
            object[path: "metadata", "deletionTimestamp"] = .string(ObjectMetadataRules.timestamp())
            object[path: "metadata", "deletionGracePeriodSeconds"] = 0
            object[path: "status", "phase"] = "Terminating"
        }
        for storageKey in buckets.keys.sorted() where storageKey != Self.namespacesKey {
            guard let bucket = buckets[storageKey] else { continue }
            // From the end of the namespace's range, so that each removal moves fewer keys.
            let keys = bucket.sortedKeys[bucket.range(namespace: name)]
            for key in keys.reversed() {
                let member = StoredRef(storageKey: storageKey, key: key)
                guard let memberObject = object(member), !memberObject.isBeingDeleted else { continue }
                _ = try delete(member, policy: .background)
            }
        }
        _ = try finalizeIfReady(ref)
        if let still = object(ref) { return .pending(still) }
        return .deleted(removedDuringOperation[ref] ?? .null)
    }

    /// Deletes every object of a resource, stops serving it and ends its watches.
    mutating func dropResource(_ storageKey: String) {
        if let bucket = buckets[storageKey] {
            // From the end, so that each removal moves no other key.
            for key in bucket.sortedKeys.reversed() {
                _ = try? remove(StoredRef(storageKey: storageKey, key: key))
            }
            try? runCollection()
        }
        // Watchers see the deletions before their watch ends.
        try? flush()
        types[storageKey] = nil
        for id in watchers[storageKey]?.keys.sorted() ?? [] {
            endWatcher(id, storageKey: storageKey)
        }
    }
}
