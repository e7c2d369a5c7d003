import Foundation
import JSON
import Synchronization
import Testing
@testable import ClusterCore

@Suite("Store watch")
struct StoreWatchTests {
    typealias F = StoreFixtures

    static func summary(_ events: [WatchEvent]) -> [String] {
        events.map { "\($0.type.rawValue) \($0.object.metadataName)" }
    }

    @Test("a watch from 0 sends the current objects as ADDED, then every change")
    func fromZero() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("b"))
        let watch = WatchCollector(try store.watch(F.configMaps, namespace: "default", options: .init(resourceVersion: "0")))
        defer { watch.stop() }
        _ = try store.update(F.configMaps, namespace: "default", name: "a") { old in
            var object = old ?? [:]
            object["data"] = ["key": "new"]
            return object
        }
        let beforeDelete = Int(store.currentResourceVersion) ?? 0
        _ = try store.delete(F.configMaps, namespace: "default", name: "b")
        let events = await watch.wait { $0.count >= 4 }
        #expect(Self.summary(events) == ["ADDED a", "ADDED b", "MODIFIED a", "DELETED b"])
        #expect(events.last.map { F.rv($0.object) } == beforeDelete + 1, "DELETED carries the final object with a new resourceVersion")
        #expect(events.allSatisfy { $0.object["kind"] == "ConfigMap" })
    }

    @Test("a watch from a resourceVersion replays exactly the later changes of its resource")
    func fromVersion() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("before"))
        let start = store.currentResourceVersion
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("after-1"))
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("other-kind"))
        _ = try store.create(F.configMaps, namespace: "kube-system", object: F.configMap("elsewhere", namespace: "kube-system"))
        let watch = WatchCollector(try store.watch(F.configMaps, namespace: "default", options: .init(resourceVersion: start)))
        defer { watch.stop() }
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("after-2"))
        let events = await watch.wait { $0.count >= 2 }
        #expect(Self.summary(events) == ["ADDED after-1", "ADDED after-2"])
        let versions = events.map { F.rv($0.object) }
        #expect(versions == versions.sorted() && versions.first.map { $0 > Int(start)! } == true)
    }

    @Test("a resourceVersion older than the history window answers 410 Gone")
    func tooOld() throws {
        let store = try F.makeStore(.init(watchHistoryLimit: 5))
        let early = store.currentResourceVersion
        for index in 0..<10 { _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("c\(index)")) }
        let oldest = (Int(store.currentResourceVersion) ?? 0) - 5
        let error = F.apiError { () throws(APIError) in try store.watch(F.configMaps, namespace: nil, options: .init(resourceVersion: early)) }
        #expect(error?.code == 410)
        #expect(error?.reason == "Expired")
        #expect(error?.message == "too old resource version: \(early) (\(oldest))")
        #expect((try? store.watch(F.configMaps, namespace: nil, options: .init(resourceVersion: String(oldest)))) != nil)
    }

    @Test("bookmarks arrive at the interval with the current resourceVersion")
    func bookmarks() async throws {
        let store = try F.makeStore(.init(bookmarkInterval: .milliseconds(20)))
        let watch = WatchCollector(try store.watch(F.widgets, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion, allowWatchBookmarks: true)))
        defer { watch.stop() }
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        let current = store.currentResourceVersion
        let events = await watch.wait { events in events.contains { $0.type == .bookmark && $0.object.metadataResourceVersion == current } }
        let bookmark = events.first { $0.type == .bookmark && $0.object.metadataResourceVersion == current }
        #expect(bookmark?.object["kind"] == "Widget")
        #expect(bookmark?.object["apiVersion"] == "example.com/v1")
        #expect(bookmark?.object["metadata"] == ["resourceVersion": .string(current)])
        #expect(events.first?.type == .added)

        let plain = WatchCollector(try store.watch(F.widgets, namespace: nil, options: .init(resourceVersion: current)))
        defer { plain.stop() }
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w2"))
        let later = store.currentResourceVersion
        _ = await watch.wait { events in events.contains { $0.type == .bookmark && $0.object.metadataResourceVersion == later } }
        let plainEvents = await plain.wait { $0.count >= 1 }
        #expect(plainEvents.allSatisfy { $0.type != .bookmark }, "no bookmarks unless asked for")
    }

    @Test("objects entering or leaving a selector arrive as ADDED or DELETED")
    func selectorTransitions() async throws {
        let store = try F.makeStore()
        let watch = WatchCollector(try store.watch(F.configMaps, namespace: nil, options: .init(labelSelector: "app=web")))
        defer { watch.stop() }
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("x", labels: ["app": "db"]))
        func relabel(_ value: String) throws {
            _ = try store.update(F.configMaps, namespace: "default", name: "x") { old in
                var object = old ?? [:]
                object[path: "metadata", "labels", "app"] = .string(value)
                return object
            }
        }
        try relabel("web")
        _ = try store.update(F.configMaps, namespace: "default", name: "x") { old in
            var object = old ?? [:]
            object["data"] = ["key": "changed"]
            return object
        }
        try relabel("db")
        try relabel("cache")
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("y", labels: ["app": "web"]))
        let events = await watch.wait { $0.count >= 4 }
        #expect(Self.summary(events) == ["ADDED x", "MODIFIED x", "DELETED x", "ADDED y"])
        #expect(events[2].object.metadataLabels["app"] == "db", "the DELETED event carries the object as it now is")
    }

    @Test("a watch ends when its consumer stops")
    func consumerStops() async throws {
        let store = try F.makeStore()
        let watch = WatchCollector(try store.watch(F.configMaps, namespace: nil))
        #expect(store.activeWatchCount == 1)
        watch.stop()
        #expect(await eventually { store.activeWatchCount == 0 })
        #expect(await watch.waitForEnd())
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("after"))
    }

    /// Cancelling a task that waits on a watch runs the stream's termination handler while the
    /// runtime holds that task's lock; a write holds the store's lock while it wakes the same
    /// task with an event. If the handler waited for the store's lock the two would wait for
    /// each other, and the embedded cluster would stop answering every request. A writer on a
    /// thread of its own and consumers cancelled over and over hit that moment in the first
    /// rounds when the handler does wait.
    @Test("watch consumers cancelled while writes wake them never deadlock the store")
    func cancelledConsumersDoNotDeadlockWriters() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("x"))
        let progress = DeadlockProbe()
        let writer = Thread {
            var count = 0
            while !progress.stop.load(ordering: .relaxed) {
                count += 1
                _ = try? store.update(F.configMaps, namespace: "default", name: "x") { old in
                    var object = old ?? [:]
                    object["data"] = ["count": .string(String(count))]
                    return object
                }
            }
            progress.writerDone.store(true, ordering: .relaxed)
        }
        writer.start()
        let rounds = 1_000
        let consumers = Task.detached {
            for _ in 0..<rounds {
                guard let streams = try? (0..<4).map({ _ in
                    try store.watch(F.configMaps, namespace: "default", options: .init(resourceVersion: store.currentResourceVersion))
                }) else { return }
                await withTaskGroup(of: Void.self) { group in
                    for stream in streams { group.addTask { for await _ in stream {} } }
                    await Task.yield()
                    group.cancelAll()
                }
                progress.rounds.add(1, ordering: .relaxed)
            }
        }
        // Nothing below touches the store until the writer is known to be free: with a
        // deadlock, that would hang the test instead of failing it.
        let finished = await eventually(timeout: .seconds(60)) { progress.rounds.load(ordering: .relaxed) == rounds }
        progress.stop.store(true, ordering: .relaxed)
        let writerStopped = await eventually { progress.writerDone.load(ordering: .relaxed) }
        #expect(finished && writerStopped, """
            the store deadlocked after \(progress.rounds.load(ordering: .relaxed)) of \(rounds) rounds: \
            a write and a cancelled watch wait for each other
            """)
        guard finished, writerStopped else { return }
        await consumers.value
        #expect(await eventually { store.activeWatchCount == 0 }, "every cancelled watch is taken out of the store")
    }

    @Test("a watch that falls far behind is ended without holding writers up")
    func slowConsumer() async throws {
        var configuration = ObjectStore.Configuration()
        configuration.watchBufferLimit = 3
        let store = try F.makeStore(configuration)
        let stream = try store.watch(F.configMaps, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion))
        for index in 0..<20 { _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("c\(index)")) }
        #expect(store.activeWatchCount == 0)
        var received: [WatchEvent] = []
        for await event in stream { received.append(event) }
        #expect(Self.summary(received) == ["ADDED c0", "ADDED c1", "ADDED c2"])
    }

    @Test("unregistering a resource ends its watches and deletes its objects")
    func unregister() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.gadgets, namespace: nil, object: ["metadata": ["name": "g"]])
        let watch = WatchCollector(try store.watch(F.gadgets, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion)))
        store.unregister(group: "example.com", plural: "gadgets")
        #expect(await watch.waitForEnd())
        #expect(Self.summary(watch.events) == ["DELETED g"])
        #expect(store.resourceType(group: "example.com", version: "v1", plural: "gadgets") == nil)
        store.register(ResourceStrategy(type: F.gadgets))
        #expect(try store.list(F.gadgets, namespace: nil).items.isEmpty)
    }

    @Test("removing one version keeps the objects for the others")
    func unregisterOneVersion() async throws {
        let store = try F.makeStore()
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        let watch = WatchCollector(try store.watch(F.widgetsV2, namespace: nil, options: .init(resourceVersion: store.currentResourceVersion)))
        store.unregisterVersion(group: "example.com", version: "v2", plural: "widgets")
        #expect(await watch.waitForEnd())
        #expect(store.resourceType(group: "example.com", version: "v2", plural: "widgets") == nil)
        #expect(try store.get(F.widgets, namespace: "default", name: "w").metadataName == "w")
        store.unregisterVersion(group: "example.com", version: "v1", plural: "widgets")
        #expect(store.resourceType(group: "example.com", version: "v1", plural: "widgets") == nil)
        store.register(F.widgetStrategy)
        #expect(try store.list(F.widgets, namespace: nil).items.isEmpty, "removing the last version deletes the objects")
    }
}
