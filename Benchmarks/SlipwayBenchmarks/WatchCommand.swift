import ArgumentParser
import JSON
import Kube

/// Watch throughput: how fast events reach a watcher while many updates land at once.
///
/// A first update (the sentinel) proves the watch delivers; the clock then starts with the
/// first of `updates` concurrent updates and stops when the watcher has received the event of
/// the last one.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Events/s seen by one watch while ConfigMaps are updated concurrently.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "The number of seeded ConfigMaps the updates cycle through.")
    var objects: Int = 10_000

    @Option(help: "How many updates to make and wait for as events.")
    var updates: Int = 10_000

    @Option(help: "Updates in flight at once.")
    var concurrency: Int = 64

    @Option(name: .customLong("timeout"), help: "Seconds to wait for the events before failing.")
    var timeoutSeconds: Int = 300

    func validate() throws {
        guard objects > 0, updates > 0, concurrency > 0, timeoutSeconds > 0 else {
            throw ValidationError("--objects, --updates, --concurrency and --timeout must be positive")
        }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let namespace = cluster.namespace
        let (objects, updates, concurrency) = (self.objects, self.updates, self.concurrency)

        let head = try await client.list(ConfigMap.self, namespace: namespace, options: ListOptions(limit: 1))
        let events = client.watch(ConfigMap.resource, as: ConfigMap.self, namespace: namespace,
                                  options: WatchOptions(resourceVersion: head.metadata.resourceVersion, allowWatchBookmarks: false))
        let (sentinelSeen, sentinelSignal) = AsyncStream<Void>.makeStream()
        let clock = ContinuousClock()

        // Counts MODIFIED events; the first is the sentinel's.
        let watcher = Task { () throws -> ContinuousClock.Instant in
            var seen = 0
            for try await event in events {
                guard case .modified = event else { continue }
                seen += 1
                if seen == 1 { sentinelSignal.yield() }
                if seen == updates + 1 { return clock.now }
            }
            throw BenchmarkFailure("the watch ended after \(seen - 1) of \(updates) events")
        }
        defer { watcher.cancel() }

        _ = try await client.update(BenchmarkObjects.configMap(index: 0, namespace: namespace, revision: -1))
        try await withDeadline(seconds: timeoutSeconds, what: "the sentinel update's watch event") {
            var iterator = sentinelSeen.makeAsyncIterator()
            _ = await iterator.next()
        }

        let start = clock.now
        try await forEachConcurrently(0..<updates, width: concurrency) { update in
            let index = update % objects
            _ = try await client.update(BenchmarkObjects.configMap(index: index, namespace: namespace, revision: 1 + update / objects))
        }
        let writesDone = clock.now
        let lastEvent = try await withDeadline(seconds: timeoutSeconds, what: "\(updates) watch events") {
            try await watcher.value
        }
        let seconds = Timing.seconds(lastEvent - start)
        let writeSeconds = Timing.seconds(writesDone - start)
        Timing.emit([
            "step": "watch", "updates": .int(updates), "concurrency": .int(concurrency),
            "seconds": .double(seconds), "eventsPerSecond": .double(Double(updates) / seconds),
            "updateSeconds": .double(writeSeconds), "updatesPerSecond": .double(Double(updates) / writeSeconds),
        ])
    }
}

/// Runs `body`, failing with a clear message if it takes longer than `seconds`.
func withDeadline<T: Sendable>(seconds: Int, what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw BenchmarkFailure("gave up waiting for \(what) after \(seconds) s")
        }
        return value
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
