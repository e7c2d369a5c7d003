import Foundation
import JSON
import Kube
import Synchronization
import Testing

/// A `slipway cluster` process on a free port, for the client's tests over TLS.
final class LiveCluster: Sendable {
    let directory: TemporaryDirectory
    let kubeconfig: String
    let process: Process

    /// The `slipway` executable with a `cluster` command: `SLIPWAY_BINARY`, else the one built
    /// next to the test bundle.
    static let binary: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates: [String?] = [ProcessInfo.processInfo.environment["SLIPWAY_BINARY"], bundle.appendingPathComponent("slipway").path]
        return candidates.compactMap { $0 }.first { (path: String) -> Bool in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: path)
            probe.arguments = ["cluster", "--help"]
            let output = Pipe()
            probe.standardOutput = output
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { return false }
            let help = output.fileHandleForReading.readDataToEndOfFile()
            probe.waitUntilExit()
            return String(decoding: help, as: UTF8.self).contains("--kubeconfig-out")
        }
    }()

    init() async throws {
        directory = try TemporaryDirectory()
        kubeconfig = (directory.path as NSString).appendingPathComponent("kubeconfig")
        guard let binary = Self.binary else { throw ConfigurationError("the slipway executable is not built") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["cluster", "--port", "0", "--kubeconfig-out", kubeconfig, "--log-level", "error"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints its address once it is ready.
        let ready = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            ready.withLock { $0 += String(decoding: data, as: UTF8.self) }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        let started = await waitUntil(timeout: .seconds(60)) { ready.withLock { $0.contains("Kubeconfig written") } }
        output.fileHandleForReading.readabilityHandler = nil
        guard started else {
            process.terminate()
            throw ConfigurationError("slipway cluster did not start")
        }
    }

    func client(context: String) throws -> KubeClient {
        let configuration = try KubeConfig.load(paths: [kubeconfig]).clusterConfiguration(context: context)
        return try KubeClient(configuration: configuration)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

@Suite("Kube client against slipway cluster", .enabled(if: LiveCluster.binary != nil), .serialized)
struct KubeClientLiveTests {
    @Test("every verb over TLS, with a client certificate and with a bearer token", arguments: ["slipway", "slipway-token"])
    func verbs(context: String) async throws {
        let cluster = try await LiveCluster()
        defer { cluster.stop() }
        let client = try cluster.client(context: context)
        defer { client.shutdown() }
        let name = "live-\(context)"

        let created = try await client.create(ConfigMap(metadata: ObjectMeta(name: name, labels: ["suite": "live"]), data: ["a": "1"]))
        #expect(created.metadata.uid != nil)
        await #expect { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name))) } throws: { error in
            (error as? KubeError)?.isAlreadyExists == true
        }
        let read = try await client.get(ConfigMap.self, name: name)
        #expect(read.data?["a"] == "1")

        let page = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "suite in (live)"))
        #expect(page.items.map(\.metadata.name) == [name])
        #expect(page.metadata.resourceVersion != nil)

        var changed = read
        changed.data?["a"] = "2"
        let updated = try await client.update(changed)
        #expect(updated.data?["a"] == "2")
        await #expect { _ = try await client.update(changed) } throws: { error in
            (error as? KubeError)?.isConflict == true
        }

        let merged = try await client.patch(ConfigMap.self, name: name, patch: .merge(["data": ["b": "3"]]))
        #expect(merged.data == ["a": "2", "b": "3"])
        let jsonPatched = try await client.patch(ConfigMap.self, name: name, patch: .json([["op": "remove", "path": "/data/b"]]))
        #expect(jsonPatched.data == ["a": "2"])
        let strategic = try await client.patch(ConfigMap.self, name: name, patch: .strategicMerge(["data": ["c": "4"]]))
        #expect(strategic.data?["c"] == "4")
        let applied = try await client.apply(ConfigMap(metadata: ObjectMeta(name: name), data: ["d": "5"]), fieldManager: "slipway-tests", force: true)
        #expect(applied.data?["d"] == "5")
        let dryRun = try await client.patch(ConfigMap.self, name: name, patch: .merge(["data": ["dry": "x"]]), options: WriteOptions(dryRun: true))
        #expect(dryRun.data?["dry"] == "x")
        #expect(try await client.get(ConfigMap.self, name: name).data?["dry"] == nil)

        await #expect {
            _ = try await client.delete(ConfigMap.self, name: name, options: DeleteOptions(preconditionUID: "not-the-uid"))
        } throws: { error in
            (error as? KubeError)?.isConflict == true
        }
        _ = try await client.delete(ConfigMap.self, name: name, options: DeleteOptions(propagationPolicy: .background, preconditionUID: created.metadata.uid))
        await #expect { _ = try await client.get(ConfigMap.self, name: name) } throws: { error in
            (error as? KubeError)?.isNotFound == true
        }
    }

    @Test("an exec plugin's token authenticates, and a rejected one is replaced after the 401")
    func execPlugin() async throws {
        let cluster = try await LiveCluster()
        defer { cluster.stop() }
        let kubeconfig = try KubeConfig.load(paths: [cluster.kubeconfig])
        guard case .bearerToken(let token) = try kubeconfig.clusterConfiguration(context: "slipway-token").credentials else {
            Issue.record("the token context has no token")
            return
        }
        // The first run hands out a wrong token, later runs the right one.
        try cluster.directory.write("plugin", """
        #!/bin/sh
        echo run >> "$1"
        if [ "$(wc -l < "$1" | tr -d ' ')" = "1" ]; then value=wrong; else value="$GOOD_TOKEN"; fi
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$value"
        """, executable: true)
        let provider = ExecCredentialProvider(config: ExecConfig(
            command: "./plugin", args: [(cluster.directory.path as NSString).appendingPathComponent("runs")],
            env: [("GOOD_TOKEN", token)], baseDirectory: cluster.directory.path))
        var configuration = try kubeconfig.clusterConfiguration(context: "slipway-token")
        configuration.credentials = .exec(provider)
        let client = try KubeClient(configuration: configuration)
        defer { client.shutdown() }
        let namespaces = try await client.list(Namespace.self)
        #expect(namespaces.items.contains { $0.metadata.name == "default" })
        #expect(await provider.runCount == 2)
    }

    @Test("paging, the status subresource, dynamic objects and a resumed watch")
    func pagingStatusAndWatch() async throws {
        let cluster = try await LiveCluster()
        defer { cluster.stop() }
        let client = try cluster.client(context: "slipway")
        defer { client.shutdown() }

        for index in 0..<25 {
            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "page-\(index)", labels: ["paged": "yes"])))
        }
        let all = try await client.listAll(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "paged=yes", limit: 10))
        #expect(all.items.count == 25)
        let dynamic = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(labelSelector: "paged=yes", limit: 7))
        #expect(Set(dynamic.items.compactMap(\.name)) == Set(all.items.compactMap(\.metadata.name)))

        let deployment = Deployment(metadata: ObjectMeta(name: "web"), spec: DeploymentSpec(
            replicas: 2, selector: LabelSelector(matchLabels: ["app": "web"]),
            template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: PodSpec(containers: [Container(name: "web", image: "web:1")]))))
        let made = try await client.create(deployment)
        let statusPatched = try await client.patchStatus(Deployment.self, name: "web", patch: .merge(["status": ["observedGeneration": 1, "readyReplicas": 2]]))
        #expect(statusPatched.status?.readyReplicas == 2)
        #expect(statusPatched.spec?.replicas == 2)

        // Watch from the list's resourceVersion: only later changes arrive.
        let from = try await client.list(Deployment.self, namespace: "default").metadata.resourceVersion
        let events = Mutex<[String]>([])
        let watcher = Task {
            for try await event in client.watch(Deployment.self, namespace: "default", options: WatchOptions(resourceVersion: from)) {
                if let object = event.object { events.withLock { $0.append("\(event.type) \(object.spec?.replicas ?? -1)") } }
            }
        }
        _ = try await client.patch(Deployment.self, name: "web", patch: .strategicMerge(["spec": ["replicas": 5]]))
        #expect(await waitUntil { events.withLock { $0 }.contains("MODIFIED 5") })
        watcher.cancel()
        _ = try? await watcher.value
        #expect(!events.withLock { $0 }.contains { $0.hasPrefix("ADDED") })
        _ = made

        // A finalizer holds a delete: the object comes back with deletionTimestamp set.
        _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "held", finalizers: ["slipway.dev/test"])))
        guard case .pending(let held) = try await client.delete(ConfigMap.self, name: "held") else {
            Issue.record("expected the delete to wait for the finalizer")
            return
        }
        #expect(held.metadata.deletionTimestamp != nil)
        _ = try await client.patch(ConfigMap.self, name: "held", patch: .merge(["metadata": ["finalizers": nil]]))
        #expect(await waitUntil {
            (try? await client.get(ConfigMap.self, name: "held")) == nil
        })

        try await client.deleteCollection(.configMaps, listOptions: ListOptions(labelSelector: "paged=yes"))
        #expect(try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "paged=yes")).items.isEmpty)
    }
}
