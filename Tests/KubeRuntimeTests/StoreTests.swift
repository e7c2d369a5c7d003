import Kube
import KubeRuntime
import Synchronization
import Testing

@Suite("Runtime store")
struct RuntimeStoreTests {
    @Test("applies additions, changes and deletions, and is synced only after a full list")
    func appliesEvents() async throws {
        let store = Store<ConfigMap>()
        #expect(!store.hasSynced)
        store.apply(.restarted([object("a", rv: "1"), object("b", rv: "2")]))
        #expect(store.hasSynced)
        store.apply(.applied(object("c", rv: "3")))
        store.apply(.applied(object("a", rv: "4", value: "changed")))
        store.apply(.deleted(object("b", rv: "5")))

        #expect(store.list(sorted: true).map(\.metadata.name) == ["a", "c"])
        #expect(store.get(name: "a", namespace: "shop")?.data?["value"] == "changed")
        #expect(store.get(name: "b", namespace: "shop") == nil)
        #expect(store.get(name: "a", namespace: "elsewhere") == nil)
    }

    @Test("waitUntilSynced returns once the first list arrives")
    func waitsForSync() async throws {
        let store = Store<ConfigMap>()
        let synced = Locked(false)
        let waiter = Task {
            await store.waitUntilSynced()
            synced.withLock { $0 = true }
        }
        store.apply(.applied(object("a", rv: "1")))
        #expect(!synced.value)
        store.apply(.restarted([object("a", rv: "1")]))
        await waiter.value
        #expect(synced.value)
    }

    @Test("a concurrent reader never sees half of a re-list")
    func restartIsAtomic() async throws {
        let store = Store<ConfigMap>()
        let generationA = (0..<300).map { object("a-\($0)", rv: "1", value: "A") }
        let generationB = (0..<200).map { object("b-\($0)", rv: "2", value: "B") }
        store.apply(.restarted(generationA))
        let inconsistent = Locked(0)
        let readsDone = Locked(false)

        // A bounded reader that yields between reads, so it never monopolises the shared
        // cooperative thread pool that other tests (and servers) run on.
        let reader = Task.detached {
            for _ in 0..<2_000 {
                let objects = store.list()
                let values = Set(objects.compactMap { $0.data?["value"] })
                let consistent = (values == ["A"] && objects.count == 300) || (values == ["B"] && objects.count == 200)
                if !consistent { inconsistent.withLock { $0 += 1 } }
                await Task.yield()
            }
            readsDone.withLock { $0 = true }
        }
        var round = 0
        while !readsDone.value && round < 2_000 {
            store.apply(.restarted(round.isMultiple(of: 2) ? generationB : generationA))
            round += 1
            await Task.yield()
        }
        await reader.value
        #expect(round > 0)
        #expect(inconsistent.value == 0)
    }
}
