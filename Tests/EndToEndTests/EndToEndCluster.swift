import Foundation
import Kube
import SlipwayAPI
import Synchronization
import Testing

struct EndToEndError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A `slipway cluster` process with the Slipway CRDs installed, and a `slipway controller`
/// process pointed at it: the two as an operator runs them, each a process of its own.
final class EndToEndCluster: Sendable {
    /// The `slipway` executable: `SLIPWAY_BINARY`, else the one built next to the test bundle.
    static let binary: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates: [String?] = [ProcessInfo.processInfo.environment["SLIPWAY_BINARY"], bundle.appendingPathComponent("slipway").path,
                                     bundle.deletingLastPathComponent().appendingPathComponent("slipway").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let kubectlPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let directory: URL
    let kubeconfig: String
    let proxy: String
    /// The API server's URL, as `slipway cluster` printed it.
    let serverURL: String
    let client: KubeClient
    let binary: String
    private let cluster: ChildProcess
    private let controllerProcess = Mutex<ChildProcess?>(nil)
    /// Controllers a test started itself (leader candidates, other flags); stopped with the cluster.
    private let extraProcesses = Mutex<[ChildProcess]>([])

    private init(directory: URL, kubeconfig: String, proxy: String, serverURL: String, client: KubeClient, binary: String,
                 cluster: ChildProcess) {
        self.directory = directory
        self.kubeconfig = kubeconfig
        self.proxy = proxy
        self.serverURL = serverURL
        self.client = client
        self.binary = binary
        self.cluster = cluster
    }

    /// Starts a cluster, installs the CRDs and, unless `controller` is false, starts a controller.
    /// - Parameters:
    ///   - clusterArguments: added to `slipway cluster` (traffic, a metrics port).
    ///   - extraCRDs: directories under the repository applied after `manifests/crds`.
    static func start(controller startsController: Bool = true, clusterArguments: [String] = [],
                      extraCRDs: [String] = []) async throws -> EndToEndCluster {
        guard let binary else { throw EndToEndError("the slipway executable is not built; run swift build or set SLIPWAY_BINARY") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let cluster = try ChildProcess(binary, ["cluster", "--port", "0", "--kubeconfig-out", kubeconfig, "--readiness-delay", "0.3",
                                                "--log-level", "warning"] + clusterArguments)
        guard try await cluster.waitForOutput(containing: "Kubeconfig written", timeout: .seconds(60)) else {
            cluster.kill()
            throw EndToEndError("slipway cluster did not start: \(cluster.stderr)")
        }
        guard let proxyLine = cluster.stdout.split(separator: "\n").first(where: { $0.hasPrefix("HTTP proxy for in-cluster services on ") }) else {
            cluster.kill()
            throw EndToEndError("slipway cluster printed no HTTP proxy: \(cluster.stdout)")
        }
        let proxy = String(proxyLine.dropFirst("HTTP proxy for in-cluster services on ".count))
        let serverPrefix = "Kubernetes API listening on "
        let serverURL = cluster.stdout.split(separator: "\n").first { $0.hasPrefix(serverPrefix) }.map { String($0.dropFirst(serverPrefix.count)) } ?? ""
        let client = try KubeClient(configuration: ClusterConfiguration.kubeconfig(paths: [kubeconfig]))
        let environment = EndToEndCluster(directory: directory, kubeconfig: kubeconfig, proxy: proxy, serverURL: serverURL, client: client,
                                          binary: binary, cluster: cluster)
        do {
            for crds in ["manifests/crds"] + extraCRDs {
                try await environment.kubectl(["apply", "-f", repositoryRoot.appendingPathComponent(crds).path])
            }
            let established = try await waitUntil(timeout: .seconds(90)) {
                guard (try? await client.list(DeploymentTarget.self, namespace: "default")) != nil else { return false }
                return (try? await client.list(DeploymentRequest.self, namespace: "default")) != nil
            }
            guard established else { throw EndToEndError("the Slipway CRDs were not served within 30 s") }
            if startsController { try await environment.startController() }
        } catch {
            environment.stop()
            throw error
        }
        return environment
    }

    /// Starts (or restarts) the controller and waits until its caches are synced.
    func startController() async throws {
        let process = try ChildProcess(binary, ["controller", "--kubeconfig", kubeconfig, "--http-proxy", proxy,
                                                "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        controllerProcess.withLock { $0 = process }
        guard try await process.waitForOutput(containing: "slipway controller started", timeout: .seconds(90)) else {
            process.kill()
            throw EndToEndError("slipway controller did not start: \(process.stderr.suffix(4000)); the cluster said: \(cluster.stderr.suffix(2000))")
        }
    }

    var controller: ChildProcess? { controllerProcess.withLock { $0 } }

    /// The rest of the line `slipway cluster` printed starting with `prefix`, if it did.
    func clusterAnnouncement(_ prefix: String) -> String? {
        cluster.stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Starts another `slipway controller` with `arguments` (the kubeconfig and proxy flags are
    /// not added) and returns at once; the process is stopped with the cluster.
    func launchController(_ arguments: [String], environment: [String: String]? = nil) throws -> ChildProcess {
        let process = try ChildProcess(binary, ["controller"] + arguments, environment: environment)
        extraProcesses.withLock { $0.append(process) }
        return process
    }

    /// kill -9 the controller and wait until it is gone.
    func killController() async throws {
        guard let process = controller else { return }
        process.kill()
        guard try await process.waitForExit(timeout: .seconds(10)) else { throw EndToEndError("the controller survived SIGKILL") }
    }

    /// Runs `body` against a fresh cluster and controller, then stops both and removes the files,
    /// whether `body` succeeded or not.
    ///
    /// At most `ClusterSlots.shared.limit` environments run at once (SLIPWAY_E2E_PARALLEL, else
    /// 3): each is two or more processes, and on a small machine dozens started together starve
    /// every test in the run, these and the unit tests alike. A test waits for a slot before
    /// its cluster starts, so none of its own deadlines are spent waiting.
    static func with(controller startsController: Bool = true, clusterArguments: [String] = [], extraCRDs: [String] = [],
                     _ body: (EndToEndCluster) async throws -> Void) async throws {
        await ClusterSlots.shared.acquire()
        let cluster: EndToEndCluster
        do {
            cluster = try await start(controller: startsController, clusterArguments: clusterArguments, extraCRDs: extraCRDs)
        } catch {
            await ClusterSlots.shared.release()
            throw error
        }
        do {
            try await body(cluster)
        } catch {
            await cluster.shutdown()
            await ClusterSlots.shared.release()
            throw error
        }
        await cluster.shutdown()
        await ClusterSlots.shared.release()
    }

    /// Stops both processes (SIGTERM, then SIGKILL after 10 s) and removes the files.
    func shutdown() async {
        client.shutdown()
        for process in extraProcesses.withLock({ $0 }) + [controller, cluster].compactMap({ $0 }) {
            process.terminate()
            if (try? await process.waitForExit(timeout: .seconds(10))) != true {
                process.kill()
                _ = try? await process.waitForExit(timeout: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// For a start that failed half-way: stop whatever runs, without waiting.
    private func stop() {
        for process in extraProcesses.withLock({ $0 }) { process.kill() }
        controller?.kill()
        cluster.kill()
        client.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Objects

    /// kubectl with this cluster's kubeconfig; throws with its error output when it fails.
    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> String {
        guard let kubectl = Self.kubectlPath else { throw EndToEndError("kubectl is not on PATH") }
        let result = try await runProgram(kubectl, arguments + ["--cache-dir", directory.appendingPathComponent("kube-cache").path],
                                          environment: ["KUBECONFIG": kubeconfig], stdin: stdin)
        guard result.status == 0 else {
            throw EndToEndError("kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }

    func apply(_ yaml: String) async throws {
        try await kubectl(["apply", "-f", "-"], stdin: yaml)
    }

    func request(_ name: String, namespace: String = Fixture.namespace) async throws -> DeploymentRequest {
        try await client.get(DeploymentRequest.self, name: name, namespace: namespace)
    }

    func target(_ name: String = Fixture.target, namespace: String = Fixture.namespace) async throws -> DeploymentTarget {
        try await client.get(DeploymentTarget.self, name: name, namespace: namespace)
    }

    func serviceSelector(_ name: String, namespace: String = Fixture.namespace) async throws -> [String: String] {
        try await client.get(Service.self, name: name, namespace: namespace).spec?.selector ?? [:]
    }

    func deployment(_ name: String, namespace: String = Fixture.namespace) async throws -> Deployment {
        try await client.get(Deployment.self, name: name, namespace: namespace)
    }

    /// Waits until the request reaches one of `phases`; records an issue naming the phase it
    /// stayed in when the deadline passes.
    @discardableResult
    func waitForRequest(_ name: String, namespace: String = Fixture.namespace, in phases: Set<Phase>, timeout: Duration = .seconds(60),
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentRequest {
        var last: DeploymentRequest?
        let reached = try await waitUntil(timeout: timeout) {
            last = try? await self.request(name, namespace: namespace)
            return last.map { phases.contains($0.phase) } ?? false
        }
        guard reached, let last else {
            let description = last.map { "\($0.phase.rawValue): \($0.status?.message ?? "")" } ?? "never read"
            Issue.record("request \(namespace)/\(name) did not reach \(phases.map(\.rawValue).sorted()) within \(timeout); it is \(description)",
                         sourceLocation: sourceLocation)
            throw EndToEndError("request \(namespace)/\(name) did not reach \(phases.map(\.rawValue).sorted())")
        }
        return last
    }
}

/// A counting semaphore for end-to-end environments, first come first served.
actor ClusterSlots {
    static let shared = ClusterSlots(limit: ProcessInfo.processInfo.environment["SLIPWAY_E2E_PARALLEL"].flatMap { Int($0) }.map { max(1, $0) } ?? 3)

    let limit: Int
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
        free = limit
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

extension DeploymentRequest {
    /// The actions of the request's timeline, in order.
    var timelineActions: [String] { status?.timeline?.map(\.action) ?? [] }
}
