import ArgumentParser
import JSON
import Kube

/// Creates the namespace and the ConfigMaps the other measurements read and update.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Create the benchmark's ConfigMaps with concurrent creates.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "How many ConfigMaps to create.")
    var objects: Int = 10_000

    @Option(help: "Creates in flight at once.")
    var concurrency: Int = 64

    func validate() throws {
        guard objects > 0 else { throw ValidationError("--objects must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let namespace = cluster.namespace
        do {
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: namespace)))
        } catch let error where error.isAlreadyExists {
            // A namespace left by an earlier run is fine.
        }
        let start = ContinuousClock.now
        try await forEachConcurrently(0..<objects, width: concurrency) { index in
            try await Self.create(index: index, namespace: namespace, client: client)
        }
        let seconds = Timing.since(start)
        Timing.emit([
            "step": "seed", "objects": .int(objects), "concurrency": .int(concurrency),
            "seconds": .double(seconds), "objectsPerSecond": .double(Double(objects) / seconds),
        ])
    }

    private static func create(index: Int, namespace: String, client: KubeClient) async throws {
        do {
            _ = try await client.create(BenchmarkObjects.configMap(index: index, namespace: namespace, revision: 0))
        } catch let error where error.isAlreadyExists {
            // Already seeded by an earlier run.
        }
    }
}
