import Foundation
import JSON
import Testing
@testable import ClusterCore

@Suite("Store deletion, finalizers, garbage collection and namespaces")
struct StoreDeletionTests {
    typealias F = StoreFixtures

    static func exists(_ store: ObjectStore, _ type: ResourceType, _ name: String, namespace: String = "default") -> Bool {
        (try? store.get(type, namespace: namespace, name: name)) != nil
    }

    @Test("delete removes the object and answers with it")
    func plainDelete() throws {
        let store = try F.makeStore()
        let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        let outcome = try store.delete(F.configMaps, namespace: "default", name: "a")
        guard case .deleted(let final) = outcome else {
            Issue.record("expected deleted, got \(outcome)")
            return
        }
        #expect(final.metadataUID == created.metadataUID)
        #expect(!Self.exists(store, F.configMaps, "a"))
        let again = F.apiError { () throws(APIError) in try store.delete(F.configMaps, namespace: "default", name: "a") }
        #expect(again?.code == 404)
    }

    @Test("uid and resourceVersion preconditions answer 409 with the API server's message")
    func preconditions() throws {
        let store = try F.makeStore()
        let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        let uid = F.apiError { () throws(APIError) in
            try store.delete(F.configMaps, namespace: "default", name: "a", options: .init(preconditionUID: "other"))
        }
        #expect(uid?.code == 409)
        #expect(uid?.message == "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in precondition: other, UID in object meta: \(created.metadataUID)")
        let version = F.apiError { () throws(APIError) in
            try store.delete(F.configMaps, namespace: "default", name: "a", options: .init(preconditionResourceVersion: "1"))
        }
        #expect(version?.message == "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \(created.metadataResourceVersion)")
        _ = try store.delete(F.configMaps, namespace: "default", name: "a",
                             options: .init(preconditionUID: created.metadataUID, preconditionResourceVersion: created.metadataResourceVersion))
        #expect(!Self.exists(store, F.configMaps, "a"))
    }

    @Test("finalizers hold a deleted object until the last one is removed")
    func finalizers() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w", finalizers: ["example.com/cleanup", "example.com/audit"]))
        let outcome = try store.delete(F.widgets, namespace: "default", name: "w")
        guard case .pending(let marked) = outcome else {
            Issue.record("expected pending, got \(outcome)")
            return
        }
        #expect(marked.isBeingDeleted)
        #expect(marked[path: "metadata", "deletionGracePeriodSeconds"] == 0)
        #expect(marked[path: "metadata", "generation"] == 2)
        #expect(try store.get(F.widgets, namespace: "default", name: "w").isBeingDeleted)

        let addFinalizer = F.apiError { () throws(APIError) in
            try store.update(F.widgets, namespace: "default", name: "w") { old in
                var object = old ?? [:]
                object[path: "metadata", "finalizers"] = ["example.com/cleanup", "example.com/audit", "example.com/new"]
                return object
            }
        }
        #expect(addFinalizer?.code == 422)

        let first = try store.update(F.widgets, namespace: "default", name: "w") { old in
            var object = old ?? [:]
            object[path: "metadata", "finalizers"] = ["example.com/audit"]
            return object
        }
        #expect(first.object.isBeingDeleted)
        #expect(Self.exists(store, F.widgets, "w"))
        let watch = WatchCollector(try store.watch(F.widgets, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion)))
        defer { watch.stop() }
        _ = try store.update(F.widgets, namespace: "default", name: "w") { old in
            var object = old ?? [:]
            object[path: "metadata", "finalizers"] = []
            return object
        }
        #expect(!Self.exists(store, F.widgets, "w"))
        let events = await watch.wait { $0.contains { $0.type == .deleted } }
        #expect(events.map(\.type) == [.modified, .deleted])
    }

    @Test("background deletion removes dependents and their dependents")
    func backgroundCascade() throws {
        let store = try F.makeStore()
        let owner = try store.create(F.configMaps, namespace: "default", object: F.configMap("owner"))
        let child = try store.create(F.widgets, namespace: "default", object: F.widget("child", owners: [F.ownerReference(owner)]))
        _ = try store.create(F.configMaps, namespace: "default", object: {
            var object = F.configMap("grandchild")
            object[path: "metadata", "ownerReferences"] = [F.ownerReference(child)]
            return object
        }())
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("unrelated"))
        _ = try store.delete(F.configMaps, namespace: "default", name: "owner")
        #expect(!Self.exists(store, F.widgets, "child"))
        #expect(!Self.exists(store, F.configMaps, "grandchild"))
        #expect(Self.exists(store, F.configMaps, "unrelated"))
    }

    @Test("a dependent with another live owner stays and loses the reference to the deleted one")
    func sharedDependent() throws {
        let store = try F.makeStore()
        let first = try store.create(F.configMaps, namespace: "default", object: F.configMap("first"))
        let second = try store.create(F.configMaps, namespace: "default", object: F.configMap("second"))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("shared", owners: [F.ownerReference(first), F.ownerReference(second)]))
        _ = try store.delete(F.configMaps, namespace: "default", name: "first")
        let survivor = try store.get(F.widgets, namespace: "default", name: "shared")
        #expect(survivor.ownerUIDs == [second.metadataUID])
        _ = try store.delete(F.configMaps, namespace: "default", name: "second")
        #expect(!Self.exists(store, F.widgets, "shared"))
    }

    @Test("foreground deletion keeps the owner until its dependents are gone")
    func foreground() throws {
        let store = try F.makeStore()
        let owner = try store.create(F.configMaps, namespace: "default", object: F.configMap("owner"))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("held", owners: [F.ownerReference(owner)], finalizers: ["example.com/hold"]))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("free", owners: [F.ownerReference(owner)]))
        let outcome = try store.delete(F.configMaps, namespace: "default", name: "owner", options: .init(propagationPolicy: .foreground))
        guard case .pending(let marked) = outcome else {
            Issue.record("expected pending, got \(outcome)")
            return
        }
        #expect(marked.metadataFinalizers == ["foregroundDeletion"])
        #expect(!Self.exists(store, F.widgets, "free"))
        #expect(try store.get(F.widgets, namespace: "default", name: "held").isBeingDeleted)
        #expect(Self.exists(store, F.configMaps, "owner"))

        _ = try store.update(F.widgets, namespace: "default", name: "held") { old in
            var object = old ?? [:]
            object[path: "metadata", "finalizers"] = nil
            return object
        }
        #expect(!Self.exists(store, F.widgets, "held"))
        #expect(!Self.exists(store, F.configMaps, "owner"))
    }

    @Test("foreground deletion without holds completes at once")
    func foregroundImmediate() throws {
        let store = try F.makeStore()
        let owner = try store.create(F.configMaps, namespace: "default", object: F.configMap("owner"))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("dep", owners: [F.ownerReference(owner)]))
        let outcome = try store.delete(F.configMaps, namespace: "default", name: "owner", options: .init(propagationPolicy: .foreground))
        if case .pending = outcome { Issue.record("nothing holds the owner, so it is deleted") }
        #expect(outcome.object.metadataName == "owner")
        #expect(!Self.exists(store, F.widgets, "dep"))
    }

    @Test("orphan deletion leaves dependents without the owner reference")
    func orphan() throws {
        let store = try F.makeStore()
        let owner = try store.create(F.configMaps, namespace: "default", object: F.configMap("owner"))
        let other = try store.create(F.configMaps, namespace: "default", object: F.configMap("other"))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("only", owners: [F.ownerReference(owner)]))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("both", owners: [F.ownerReference(owner), F.ownerReference(other)]))
        _ = try store.delete(F.configMaps, namespace: "default", name: "owner", options: .init(propagationPolicy: .orphan))
        let only = try store.get(F.widgets, namespace: "default", name: "only")
        #expect(only[path: "metadata", "ownerReferences"] == nil)
        #expect(try store.get(F.widgets, namespace: "default", name: "both").ownerUIDs == [other.metadataUID])
    }

    @Test("deleting a namespace deletes its content, refuses new content while it terminates, then goes")
    func namespaceDeletion() throws {
        let store = try F.makeStore()
        _ = try store.create(F.namespaces, namespace: nil, object: ["metadata": ["name": "team"]])
        _ = try store.create(F.configMaps, namespace: "team", object: F.configMap("a", namespace: "team"))
        _ = try store.create(F.widgets, namespace: "team", object: F.widget("held", namespace: "team", finalizers: ["example.com/hold"]))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))

        let outcome = try store.delete(F.namespaces, namespace: nil, name: "team")
        guard case .pending(let terminating) = outcome else {
            Issue.record("a finalizer in the namespace holds it, got \(outcome)")
            return
        }
        #expect(terminating[path: "status", "phase"] == "Terminating")
        #expect(!Self.exists(store, F.configMaps, "a", namespace: "team"))
        #expect(Self.exists(store, F.configMaps, "a"))

        let refused = F.apiError { () throws(APIError) in
            try store.create(F.configMaps, namespace: "team", object: F.configMap("late", namespace: "team"))
        }
        #expect(refused?.code == 403 && refused?.reason == "Forbidden")
        #expect(refused?.message == "configmaps \"late\" is forbidden: unable to create new content in namespace team because it is being terminated")

        _ = try store.update(F.widgets, namespace: "team", name: "held") { old in
            var object = old ?? [:]
            object[path: "metadata", "finalizers"] = []
            return object
        }
        #expect(!Self.exists(store, F.namespaces, "team", namespace: ""))
        let empty = try store.create(F.namespaces, namespace: nil, object: ["metadata": ["name": "empty"]])
        let immediate = try store.delete(F.namespaces, namespace: nil, name: empty.metadataName)
        if case .pending = immediate { Issue.record("an empty namespace goes at once") }
    }

    @Test("deleteCollection deletes what the selectors match")
    func deleteCollection() throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("web-1", labels: ["app": "web"]))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("web-2", labels: ["app": "web"]))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("db", labels: ["app": "db"]))
        _ = try store.create(F.configMaps, namespace: "kube-system", object: F.configMap("web-3", namespace: "kube-system", labels: ["app": "web"]))
        let deleted = try store.deleteCollection(F.configMaps, namespace: "default", listOptions: .init(labelSelector: "app=web"))
        #expect(deleted.map(\.metadataName) == ["web-1", "web-2"])
        #expect(try store.list(F.configMaps, namespace: nil).items.map(\.metadataName) == ["db", "web-3"])
    }

    @Test("a long chain of owners is collected completely, in the background and in the foreground")
    func longOwnerChain() throws {
        let store = try F.makeStore()
        for policy in [DeleteOptions.Propagation.background, .foreground] {
            var previous = try store.create(F.configMaps, namespace: "default", object: F.configMap("link-0"))
            for index in 1..<2_000 {
                var object = F.configMap("link-\(index)")
                object[path: "metadata", "ownerReferences"] = [F.ownerReference(previous)]
                previous = try store.create(F.configMaps, namespace: "default", object: object)
            }
            let outcome = try store.delete(F.configMaps, namespace: "default", name: "link-0", options: .init(propagationPolicy: policy))
            if case .pending = outcome { Issue.record("nothing holds the chain, so \(policy) deletion completes") }
            #expect(try store.list(F.configMaps, namespace: "default").items.isEmpty)
        }
    }
}
