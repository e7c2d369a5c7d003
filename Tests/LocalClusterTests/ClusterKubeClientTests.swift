import Foundation
import Kube
import LocalCluster
import Synchronization
import Testing

/// Slipway's own Kubernetes client against the embedded cluster over TLS: the behaviours the
/// controller's watchers depend on, produced by a real server rather than a script.
@Suite("Cluster with the Slipway client")
struct ClusterKubeClientTests {
    private func client(_ cluster: RunningCluster, context: String = "slipway") throws -> KubeClient {
        let configuration = try KubeConfig.load(paths: [cluster.kubeconfig.path]).clusterConfiguration(context: context)
        return try KubeClient(configuration: configuration)
    }

    private func configMap(_ name: String, _ value: String = "v") -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: ["k": value])
    }

    @Test("1,000 concurrent requests share one client's multi handle and all succeed")
    func thousandConcurrentRequests() async throws {
        try await RunningCluster.with { cluster in
            let client = try client(cluster)
            defer { client.shutdown() }
            let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        do {
                            _ = try await client.create(configMap("parallel-\(index)"), namespace: "default")
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 0 : 1) }
            }
            #expect(failures == 0)
            let listed = try await client.listAll(ConfigMap.self, namespace: "default")
            #expect(Set(listed.items.compactMap(\.metadata.name)).count == 1_000)
        }
    }

    @Test("a watch with bookmarks receives them, with a resourceVersion to resume from")
    func bookmarks() async throws {
        try await RunningCluster.with(bookmarkInterval: .milliseconds(200)) { cluster in
            let client = try client(cluster, context: "slipway-token")
            defer { client.shutdown() }
            let start = try await client.list(ConfigMap.self, namespace: "default")
            let from = try #require(start.metadata.resourceVersion)
            var bookmark: WatchBookmark?
            for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: from, allowWatchBookmarks: true)) {
                if case .bookmark(let mark) = event {
                    bookmark = mark
                    break
                }
            }
            let mark = try #require(bookmark)
            #expect(!mark.resourceVersion.isEmpty)
        }
    }

    @Test("a watch from a version older than the server's history fails as Gone, so the caller re-lists")
    func goneBeyondHistory() async throws {
        try await RunningCluster.with(watchHistoryLimit: 5) { cluster in
            let client = try client(cluster)
            defer { client.shutdown() }
            let first = try await client.create(configMap("first"), namespace: "default")
            let old = try #require(first.metadata.resourceVersion)
            for index in 0..<20 {
                _ = try await client.create(configMap("later-\(index)"), namespace: "default")
            }
            do {
                for try await _ in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: old)) {}
                Issue.record("the watch ended without an error")
            } catch let error as KubeError {
                #expect(error.isGone, "expected 410 Gone, got \(error)")
            }
        }
    }

    @Test("a watch resumed from a resourceVersion sees exactly the changes after it")
    func resumeFromVersion() async throws {
        try await RunningCluster.with { cluster in
            let client = try client(cluster)
            defer { client.shutdown() }
            let before = try await client.create(configMap("before"), namespace: "default")
            let after = try await client.create(configMap("after"), namespace: "default")
            var seen: [String] = []
            for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: before.metadata.resourceVersion, allowWatchBookmarks: false)) {
                if case .added(let object) = event { seen.append(object.metadata.name ?? "") }
                if seen.count == 1 { break }
            }
            #expect(seen == [after.metadata.name ?? "?"])
        }
    }

    @Test("cancelling the task that consumes a watch ends it on the server too")
    func cancelledWatchEndsOnServer() async throws {
        let log = CapturedLog()
        try await RunningCluster.with(log: log) { cluster in
            let client = try client(cluster)
            defer { client.shutdown() }
            let received = Mutex(0)
            let consumer = Task {
                for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(allowWatchBookmarks: false)) {
                    if case .added = event { received.withLock { $0 += 1 } }
                }
            }
            _ = try await client.create(configMap("watched"), namespace: "default")
            try await RunningCluster.eventually("the watch to deliver the new ConfigMap") { received.withLock { $0 } >= 1 }
            #expect(log.count(of: "watch ended") == 0)
            consumer.cancel()
            _ = await consumer.result
            try await RunningCluster.eventually("the server to end the cancelled watch") { log.count(of: "watch ended") == 1 }
        }
    }
}
