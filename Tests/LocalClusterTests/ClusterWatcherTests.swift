import Foundation
import Kube
import KubeRuntime
import LocalCluster
import Synchronization
import Testing

/// The runtime's watcher and store against the embedded API server, through what breaks
/// watches in real clusters: the API server restarting, the connection dropping, and the
/// server no longer holding the history a watch resumes from (410 Gone). Whatever happens,
/// the store ends holding exactly what the server holds.
@Suite("Cluster watcher resilience")
struct ClusterWatcherTests {
    static let namespace = "default"

    /// A `WatchSource` that counts full lists (first pages), so that a test can tell a resumed
    /// watch from a re-list.
    final class CountingSource: WatchSource {
        typealias Object = ConfigMap
        let base: KubeWatchSource<ConfigMap>
        private let lists = Atomic<Int>(0)

        init(_ base: KubeWatchSource<ConfigMap>) { self.base = base }

        var listCount: Int { lists.load(ordering: .relaxed) }

        func listPage(limit: Int, continueToken: String?) async throws -> ObjectList<ConfigMap> {
            if continueToken == nil { lists.add(1, ordering: .relaxed) }
            return try await base.listPage(limit: limit, continueToken: continueToken)
        }

        func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<ConfigMap>, any Error> {
            try await base.watch(from: resourceVersion)
        }
    }

    /// A watcher feeding a store, running until stopped.
    final class RunningWatcher: Sendable {
        let store = Store<ConfigMap>()
        let source: CountingSource
        private let task = Mutex<Task<Void, Never>?>(nil)

        init(client: KubeClient) {
            source = CountingSource(KubeWatchSource(client: client, ConfigMap.self, namespace: ClusterWatcherTests.namespace))
            // Short retries: these tests are about what the watcher does once the server is
            // back, not about how long it waits (the backoff has tests of its own).
            let backoff = ExponentialBackoff(initial: .milliseconds(100), maximum: .seconds(1))
            let watcher = Watcher(source: source, configuration: WatcherConfiguration(backoff: backoff))
            let store = self.store
            task.withLock { $0 = Task { await watcher.run { store.apply($0) } } }
        }

        func stop() {
            task.withLock { $0?.cancel() }
        }
    }

    /// Name and resourceVersion of every ConfigMap, sorted: what "the same view" means.
    static func snapshot(_ objects: [ConfigMap]) -> [String] {
        objects.map { "\($0.metadata.name ?? "")@\($0.metadata.resourceVersion ?? "")" }.sorted()
    }

    static func serverView(_ client: KubeClient) async throws -> [String] {
        snapshot(try await client.list(ConfigMap.self, namespace: namespace).items)
    }

    /// Waits until the store holds what the server holds; records an issue showing both if it never does.
    static func expectConsistent(_ watcher: RunningWatcher, _ client: KubeClient, _ what: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var server: [String] = []
        try await RunningCluster.eventually(timeout: .seconds(60), "the store to match the server \(what)", sourceLocation: sourceLocation) {
            server = try await serverView(client)
            return watcher.store.hasSynced && snapshot(watcher.store.list()) == server
        }
        #expect(snapshot(watcher.store.list()) == server, "\(what)", sourceLocation: sourceLocation)
    }

    static func client(for cluster: RunningCluster, server: String? = nil) throws -> KubeClient {
        var configuration = try ClusterConfiguration.kubeconfig(paths: [cluster.kubeconfig.path])
        if let server { configuration.server = server }
        return try KubeClient(configuration: configuration)
    }

    /// Some creates, updates and deletes, named by `round` so that rounds do not collide.
    static func churn(_ client: KubeClient, round: String, creates: Int, updating: [String] = [], deleting: [String] = []) async throws {
        for index in 0..<creates {
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "\(round)-\(index)"), data: ["round": round]),
                                        namespace: namespace)
        }
        for name in updating {
            var object = try await client.get(ConfigMap.self, name: name, namespace: namespace)
            object.data = ["round": round, "updated": "yes"]
            _ = try await client.update(object, namespace: namespace)
        }
        for name in deleting {
            _ = try await client.delete(ConfigMap.self, name: name, namespace: namespace)
        }
    }

    @Test("a dropped connection: the watch resumes where it was without re-listing, and changes made meanwhile arrive")
    func droppedConnection() async throws {
        try await RunningCluster.with { cluster in
            let direct = try Self.client(for: cluster)
            defer { direct.shutdown() }
            let relay = try TCPRelay(upstreamPort: cluster.endpoint.port)
            defer { relay.stop() }
            let relayed = try Self.client(for: cluster, server: "https://127.0.0.1:\(relay.port)")
            defer { relayed.shutdown() }

            try await Self.churn(direct, round: "before", creates: 5)
            let watcher = RunningWatcher(client: relayed)
            defer { watcher.stop() }
            try await Self.expectConsistent(watcher, direct, "after the first list")

            // Cut every connection and keep the door shut while things change.
            let connectionsBefore = relay.acceptedCount
            relay.setRefusing(true)
            relay.dropAll()
            try await Self.churn(direct, round: "during", creates: 2, updating: ["before-1"], deleting: ["before-2"])
            relay.setRefusing(false)
            try await Self.expectConsistent(watcher, direct, "after the connection came back")
            #expect(relay.acceptedCount > connectionsBefore, "the watcher never opened a new connection")
            #expect(watcher.source.listCount == 1, "the watcher listed again instead of resuming its watch")
            #expect(watcher.store.get(name: "before-2", namespace: Self.namespace) == nil)
            #expect(watcher.store.get(name: "before-1", namespace: Self.namespace)?.data?["updated"] == "yes")

            // And it keeps following changes afterwards.
            try await Self.churn(direct, round: "after", creates: 1, deleting: ["before-3"])
            try await Self.expectConsistent(watcher, direct, "after later changes")
        }
    }

    @Test("changes beyond the server's watch history while disconnected: 410 Gone, a re-list, and the store drops what was deleted")
    func goneAfterHistoryLimit() async throws {
        try await RunningCluster.with(watchHistoryLimit: 10) { cluster in
            let direct = try Self.client(for: cluster)
            defer { direct.shutdown() }
            let relay = try TCPRelay(upstreamPort: cluster.endpoint.port)
            defer { relay.stop() }
            let relayed = try Self.client(for: cluster, server: "https://127.0.0.1:\(relay.port)")
            defer { relayed.shutdown() }

            try await Self.churn(direct, round: "before", creates: 6)
            let watcher = RunningWatcher(client: relayed)
            defer { watcher.stop() }
            try await Self.expectConsistent(watcher, direct, "after the first list")
            #expect(watcher.source.listCount == 1)

            relay.setRefusing(true)
            relay.dropAll()
            // Far more changes than the server keeps: the watcher's resourceVersion is gone.
            try await Self.churn(direct, round: "during", creates: 25, updating: ["before-0"], deleting: ["before-1", "before-2", "before-3"])
            relay.setRefusing(false)
            try await Self.expectConsistent(watcher, direct, "after the re-list")
            #expect(watcher.source.listCount >= 2, "the watcher never re-listed, so it cannot have seen everything")
            for deleted in ["before-1", "before-2", "before-3"] {
                #expect(watcher.store.get(name: deleted, namespace: Self.namespace) == nil, "\(deleted) was deleted on the server")
            }

            try await Self.churn(direct, round: "after", creates: 2, deleting: ["during-0"])
            try await Self.expectConsistent(watcher, direct, "after later changes")
        }
    }

    @Test("the API server restarts on the same port and state directory: the watcher reconnects and the store matches again")
    func serverRestart() async throws {
        let state = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: state) }

        // First life of the server: objects, and a watcher that outlives it.
        let (client, watcher, port) = try await RunningCluster.with(stateDirectory: state) { first in
            let client = try Self.client(for: first)
            try await Self.churn(client, round: "before", creates: 5)
            let watcher = RunningWatcher(client: client)
            try await Self.expectConsistent(watcher, client, "before the restart")
            return (client, watcher, first.endpoint.port)
        }
        defer {
            watcher.stop()
            client.shutdown()
        }
        let listsBefore = watcher.source.listCount

        // Second life, same port and state: the same credentials work, and the watcher catches up.
        try await RunningCluster.with(port: port, stateDirectory: state) { second in
            #expect(second.endpoint.port == port)
            try await Self.churn(client, round: "restarted", creates: 2, updating: ["before-0"], deleting: ["before-4"])
            try await Self.expectConsistent(watcher, client, "after the restart")
            #expect(watcher.store.get(name: "before-4", namespace: Self.namespace) == nil)
            #expect(watcher.store.get(name: "before-0", namespace: Self.namespace)?.data?["updated"] == "yes")
            #expect(watcher.source.listCount >= listsBefore)
        }
    }
}
