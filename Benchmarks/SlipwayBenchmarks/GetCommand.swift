import ArgumentParser
import JSON
import Kube

/// Latency of one typed GET, request after request on a warm connection.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "p50/p99 latency of sequential GETs of one ConfigMap.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "How many GETs to time.")
    var requests: Int = 1_000

    @Option(help: "Untimed GETs first (connection set-up, caches).")
    var warmup: Int = 20

    @Option(help: "The ConfigMap to read.")
    var name: String = BenchmarkObjects.name(0)

    func validate() throws {
        guard requests > 0, warmup >= 0 else { throw ValidationError("--requests must be positive and --warmup not negative") }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        for _ in 0..<warmup {
            _ = try await client.get(ConfigMap.self, name: name, namespace: cluster.namespace)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        for _ in 0..<requests {
            let start = ContinuousClock.now
            _ = try await client.get(ConfigMap.self, name: name, namespace: cluster.namespace)
            latencies.append(Timing.since(start))
        }
        latencies.sort()
        let milliseconds = { (fraction: Double) -> JSONValue in .double(Timing.percentile(latencies, fraction) * 1000) }
        Timing.emit([
            "step": "get", "requests": .int(requests),
            "p50Milliseconds": milliseconds(0.5), "p90Milliseconds": milliseconds(0.9), "p99Milliseconds": milliseconds(0.99),
            "maxMilliseconds": milliseconds(1.0),
            "meanMilliseconds": .double(latencies.reduce(0, +) / Double(latencies.count) * 1000),
        ])
    }
}
