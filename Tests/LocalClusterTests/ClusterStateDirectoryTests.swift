import Foundation
import JSON
import Testing

/// `slipway cluster --state-dir` as users run it: a separate process, killed without warning.
@Suite("Cluster state directory")
struct ClusterStateDirectoryTests {
    /// The slipway executable `swift build` produced next to the test bundle.
    static var slipway: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/slipway")
    }

    /// Starts `slipway cluster` and waits for its listening line.
    private func start(stateDirectory: URL, kubeconfig: URL) async throws -> BackgroundCommand {
        let process = try BackgroundCommand(
            Self.slipway,
            ["cluster", "--port", "0", "--state-dir", stateDirectory.path, "--kubeconfig-out", kubeconfig.path])
        let listening = try await process.waitForOutput(containing: "Kubeconfig written to")
        #expect(listening, "slipway cluster did not start: \(process.stdout) \(process.stderr)")
        #expect(process.stdout.contains("Kubernetes API listening on https://127.0.0.1:"))
        return process
    }

    private func kubectl(_ kubeconfig: URL, _ cache: URL, _ arguments: [String]) async throws -> CommandResult {
        try await Command.run(Command.find("kubectl"), arguments + ["--cache-dir", cache.path], environment: ["KUBECONFIG": kubeconfig.path])
    }

    @Test("Every acknowledged object survives kill -9 and a restart")
    func survivesKill() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.slipway.path), "build the slipway product first")
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let cache = directory.appendingPathComponent("cache")

        let first = try await start(stateDirectory: state, kubeconfig: kubeconfig)
        let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        var created: [String] = []
        for index in 0..<20 {
            let result = try await kubectl(kubeconfig, cache, ["create", "configmap", "kept-\(index)", "--from-literal=index=\(index)"])
            if result.status == 0 { created.append("kept-\(index)") }
        }
        #expect(created.count == 20)
        let namespace = try await kubectl(kubeconfig, cache, ["create", "namespace", "shop"])
        #expect(namespace.status == 0)
        first.kill()
        #expect(try await first.waitForExit())

        let second = try await start(stateDirectory: state, kubeconfig: kubeconfig)
        defer { second.terminate() }
        let names = try await kubectl(kubeconfig, cache, ["get", "configmaps", "-o", "jsonpath={.items[*].metadata.name}"])
        #expect(names.status == 0, "\(names.stderr)")
        let present = Set(names.stdout.split(separator: " ").map(String.init))
        #expect(Set(created).isSubset(of: present))
        let value = try await kubectl(kubeconfig, cache, ["get", "configmap", "kept-7", "-o", "jsonpath={.data.index}"])
        #expect(value.stdout == "7")
        let shop = try await kubectl(kubeconfig, cache, ["get", "namespace", "shop", "-o", "name"])
        #expect(shop.stdout.contains("namespace/shop"))

        second.terminate()
        #expect(try await second.waitForExit())
        #expect(second.exitStatus == 0, "SIGTERM should shut down cleanly: \(second.stderr)")
    }
}
