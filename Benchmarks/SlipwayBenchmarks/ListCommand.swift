import ArgumentParser
import JSON
import Kube

/// Lists every benchmark ConfigMap in pages, decoding each page, the way an informer's initial
/// list or `kubectl get` does; then takes the best run apart into transfer and decoding.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List-and-decode throughput (objects/s), best of several runs after a warm-up.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "The number of ConfigMaps the namespace holds; a list returning another count fails.")
    var objects: Int = 10_000

    @Option(name: .customLong("page-size"), help: "Objects per page (the list's limit).")
    var pageSize: Int = 500

    @Option(help: "Measured runs of each variant (after one warm-up run).")
    var runs: Int = 5

    func validate() throws {
        guard objects > 0, pageSize > 0, runs > 0 else {
            throw ValidationError("--objects, --page-size and --runs must be positive")
        }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let options = ListOptions(limit: pageSize)
        let namespace = cluster.namespace
        let expected = objects

        let typed = try await bestOf { () async throws -> Int in
            try await client.listAll(ConfigMap.self, namespace: namespace, options: options).items.count
        }
        let dynamic = try await bestOf { () async throws -> Int in
            try await client.listAll(ConfigMap.resource, namespace: namespace, options: options).items.count
        }
        for (variant, counted) in [("typed", typed.objects), ("dynamic", dynamic.objects)] where counted != expected {
            throw ValidationError("the \(variant) list returned \(counted) ConfigMaps, expected \(expected): seed the namespace first")
        }

        let raw = try RawPages(configuration: cluster.configuration(), namespace: namespace, pageSize: pageSize)
        defer { raw.shutdown() }
        let breakdown = try await PhaseBreakdown.measure(raw, runs: runs)

        Timing.emit([
            "step": "list", "objects": .int(expected), "pageSize": .int(pageSize), "runs": .int(runs),
            "typedSeconds": .array(typed.seconds.map { .double($0) }),
            "dynamicSeconds": .array(dynamic.seconds.map { .double($0) }),
            "breakdown": breakdown.json,
        ])
    }

    /// One warm-up run (connections, caches), then `runs` timed runs.
    private func bestOf(_ body: () async throws -> Int) async throws -> (objects: Int, seconds: [Double]) {
        var counted = try await body()
        var seconds: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            counted = try await body()
            seconds.append(Timing.since(start))
        }
        return (counted, seconds)
    }
}
