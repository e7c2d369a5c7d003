import Kube
import KubeRuntime
import Testing

@Suite("Runtime controller")
struct RuntimeControllerTests {
    typealias Source = ScriptedWatchSource<ConfigMap>

    /// Records reconciles; `outcome` decides each one's result.
    final class Reconciler: Sendable {
        let calls = Locked<[ObjectKey]>([])
        let outcome: @Sendable (ObjectKey, Int) async throws -> ReconcileAction

        init(_ outcome: @escaping @Sendable (ObjectKey, Int) async throws -> ReconcileAction = { _, _ in .awaitChange }) {
            self.outcome = outcome
        }

        func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
            let attempt = calls.withLock { calls -> Int in
                calls.append(key)
                return calls.filter { $0 == key }.count
            }
            return try await outcome(key, attempt)
        }

        func count(_ key: ObjectKey) -> Int { calls.value.filter { $0 == key }.count }
    }

    struct ReconcileFailed: Error {}

    let request = ObjectKey(namespace: "shop", name: "release-1")

    func owned(_ name: String, rv: String, by owner: String) -> ConfigMap {
        var dependent = object(name, rv: rv)
        dependent.metadata.ownerReferences = [OwnerReference(apiVersion: "slipway.dev/v1alpha1", kind: "DeploymentRequest",
                                                             name: owner, uid: "uid-\(owner)")]
        return dependent
    }

    @Test("a change to a secondary object wakes the primary that owns it")
    func secondaryWakesPrimary() async throws {
        let primaries = Source(lists: [.success(page([object("release-1", rv: "1"), object("release-2", rv: "2")], rv: "5"))])
        let secondaries = Source(lists: [.success(page([owned("web-green", rv: "3", by: "release-1")], rv: "6"))])
        let clock = ManualClock()
        let controller = Controller(primary: primaries, clock: clock)
        let secondaryStore = controller.watches(secondaries, mapping: ObjectMapping.owners(ofKind: "DeploymentRequest"))
        let reconciler = Reconciler()
        let run = Task { await controller.run(reconciler.reconcile) }
        defer { run.cancel() }

        try await waitUntil("both primaries are reconciled once") {
            reconciler.count(request) == 1 && reconciler.count(ObjectKey(namespace: "shop", name: "release-2")) == 1
                && secondaries.hasLiveStream
        }
        #expect(controller.store.count == 2)
        #expect(secondaryStore.get(name: "web-green", namespace: "shop") != nil)

        secondaries.emit(.modified(owned("web-green", rv: "7", by: "release-1")))
        try await waitUntil("the owner is reconciled again") { reconciler.count(request) == 2 }
        #expect(reconciler.count(ObjectKey(namespace: "shop", name: "release-2")) == 1)
        #expect(secondaryStore.get(name: "web-green", namespace: "shop")?.metadata.resourceVersion == "7")
    }

    @Test("mappings find the owning primary by owner reference, label or annotation")
    func mappings() {
        var dependent = owned("web-green", rv: "1", by: "release-1")
        dependent.metadata.ownerReferences?.append(OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "u2"))
        let byOwner: @Sendable (ConfigMap) -> [ObjectKey] = ObjectMapping.owners(ofKind: "DeploymentRequest")
        #expect(byOwner(dependent) == [request])

        let byName: @Sendable (ConfigMap) -> [ObjectKey] = ObjectMapping.named(byLabelOrAnnotation: "slipway.dev/request")
        dependent.metadata.annotations = ["slipway.dev/request": "release-9"]
        #expect(byName(dependent) == [ObjectKey(namespace: "shop", name: "release-9")])
        dependent.metadata.annotations = ["slipway.dev/request": "other/release-9"]
        #expect(byName(dependent) == [ObjectKey(namespace: "other", name: "release-9")])
        dependent.metadata.annotations = ["slipway.dev/request": "/"]
        #expect(byName(dependent).isEmpty)
        dependent.metadata.annotations = nil
        dependent.metadata.labels = ["slipway.dev/request": "release-2"]
        #expect(byName(dependent) == [ObjectKey(namespace: "shop", name: "release-2")])
    }

    @Test("a failing reconcile is retried with growing backoff; success forgets the failures")
    func failuresBackOff() async throws {
        let primaries = Source(lists: [.success(page([object("release-1", rv: "1")], rv: "5"))])
        let clock = ManualClock()
        let controller = Controller(primary: primaries, clock: clock)
        let reconciler = Reconciler { _, attempt in
            if attempt <= 3 { throw ReconcileFailed() }
            return .awaitChange
        }
        let run = Task { await controller.run(reconciler.reconcile) }
        defer { run.cancel() }

        for (failures, delay) in [(1, 5), (2, 10), (3, 20)] {
            try await waitUntil("failure \(failures) is waiting to retry") {
                reconciler.count(request) == failures && controller.queue.waitingCount == 1 && clock.sleeperCount >= 1
            }
            #expect(controller.queue.failures(request) == failures)
            clock.advance(by: .milliseconds(delay - 1))
            #expect(reconciler.count(request) == failures)
            clock.advance(by: .milliseconds(1))
        }
        try await waitUntil("the fourth attempt succeeds") {
            reconciler.count(request) == 4 && controller.queue.processingCount == 0
        }
        #expect(controller.queue.failures(request) == 0)
    }

    @Test("requeue-after reconciles the object again after the delay even without a change")
    func requeueAfter() async throws {
        let primaries = Source(lists: [.success(page([object("release-1", rv: "1")], rv: "5"))])
        let clock = ManualClock()
        let controller = Controller(primary: primaries, clock: clock)
        let reconciler = Reconciler { _, attempt in attempt == 1 ? .requeueAfter(.seconds(30)) : .awaitChange }
        let run = Task { await controller.run(reconciler.reconcile) }
        defer { run.cancel() }

        try await waitUntil("the requeue is scheduled") { controller.queue.waitingCount == 1 }
        clock.advance(by: .seconds(29))
        #expect(reconciler.count(request) == 1)
        clock.advance(by: .seconds(1))
        try await waitUntil("the object is reconciled again") { reconciler.count(request) == 2 }
    }

    @Test("shutdown lets the reconcile in flight finish and starts no new one")
    func shutdownDrains() async throws {
        let primaries = Source(lists: [.success(page([object("release-1", rv: "1")], rv: "5"))])
        let clock = ManualClock()
        let controller = Controller(primary: primaries, configuration: ControllerConfiguration(workers: 1), clock: clock)
        let gate = Locked(false)
        let finished = Locked(0)
        let reconciler = Reconciler { _, _ in
            while !gate.value { try await Task.sleep(for: .milliseconds(1)) }
            finished.withLock { $0 += 1 }
            return .awaitChange
        }
        let run = Task { await controller.run(reconciler.reconcile) }

        try await waitUntil("a reconcile is in flight") { reconciler.count(request) == 1 && primaries.hasLiveStream }
        primaries.emit(.modified(object("release-1", rv: "9")))
        controller.shutdown()
        gate.withLock { $0 = true }
        await run.value
        #expect(finished.value == 1)
        #expect(reconciler.count(request) == 1)
    }

    @Test("shutdown cancels a reconcile that outlives the grace period")
    func shutdownDeadline() async throws {
        let primaries = Source(lists: [.success(page([object("release-1", rv: "1")], rv: "5"))])
        let clock = ManualClock()
        let controller = Controller(primary: primaries, configuration: ControllerConfiguration(workers: 1, shutdownGracePeriod: .seconds(5)),
                                    clock: clock)
        let cancelled = Locked(false)
        let reconciler = Reconciler { _, _ in
            do {
                try await Task.sleep(for: .seconds(86_400))
            } catch {
                cancelled.withLock { $0 = true }
            }
            return .awaitChange
        }
        let run = Task { await controller.run(reconciler.reconcile) }

        try await waitUntil("a reconcile is in flight") { reconciler.count(request) == 1 }
        controller.shutdown()
        try await waitUntil("the grace period is running") { clock.sleeperCount == 1 }
        #expect(!cancelled.value)
        clock.advance(by: .seconds(5))
        await run.value
        #expect(cancelled.value)
    }
}
