import Foundation
import JSON
import Kube
import SlipwayAPI
import Testing
import YAML

/// `slipway controller` as an operator starts it: every flag of
/// `slipway controller [--kubeconfig FILE] [--context NAME] [--namespace NS] [--leader-elect]
/// [--metrics-addr :8080] [--health-addr :8081] [--http-proxy URL]`, the in-cluster
/// configuration of a pod (KUBERNETES_SERVICE_HOST/PORT and the mounted service account), and
/// clear refusals of settings that cannot work.
@Suite("EndToEnd controller flags and configuration", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndControllerFlagsTests {
    @Test("every flag at once: the named context, one namespace only, the Lease in it, probes and metrics on the given addresses")
    func everyFlag() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.apply(Fixture.application())
            // A request in another namespace, made before the controller starts: a controller
            // watching every namespace would reject it (its target does not exist) long before
            // the release below finishes.
            try await cluster.apply("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: elsewhere
                ---
                apiVersion: slipway.dev/v1alpha1
                kind: DeploymentRequest
                metadata:
                  name: not-mine
                  namespace: elsewhere
                spec:
                  target: app-production
                  image: shop/app:9.9.9
                """)
            let controller = try cluster.launchController([
                "--kubeconfig", cluster.kubeconfig, "--context", "slipway-token", "--namespace", Fixture.namespace, "--leader-elect",
                "--lease-name", "flags-lease", "--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "1",
                "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", "--http-proxy", cluster.proxy,
                "--workers", "2", "--log-level", "debug",
            ])
            #expect(try await controller.waitForOutput(containing: "slipway controller started"), "\(controller.stderr.suffix(2000))")
            #expect(controller.stderr.contains("context slipway-token"), "the controller did not say it uses the named context")
            #expect(controller.stderr.contains(" debug "), "--log-level debug printed no debug lines")

            let health = try await Self.endpoint("health", of: controller)
            let metrics = try await Self.endpoint("metrics", of: controller)
            #expect(try await Self.get(health + "/healthz").code == 200)
            #expect(try await Self.get(health + "/readyz").code == 200)
            let exposition = try await Self.get(metrics + "/metrics")
            #expect(exposition.code == 200)
            #expect(exposition.body.contains("slipway_controller_leader 1"), "\(exposition.body)")
            #expect(exposition.body.contains("slipway_controller_ready 1"), "\(exposition.body)")

            // --leader-elect with --lease-name: the Lease lives in --namespace and names this process.
            let lease = try await cluster.client.get(Lease.self, name: "flags-lease", namespace: Fixture.namespace)
            #expect(lease.spec?.holderIdentity?.isEmpty == false)
            #expect(lease.spec?.leaseDurationSeconds == 4)

            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            let other = try await cluster.client.get(DeploymentRequest.self, name: "not-mine", namespace: "elsewhere")
            #expect(other.status == nil, "a request outside --namespace was handled: \(String(describing: other.status))")

            controller.terminate()
            #expect(try await controller.waitForExit(), "the controller did not stop on SIGTERM")
            #expect(controller.exitStatus == 0, "\(controller.stderr.suffix(2000))")
        }
    }

    @Test("in a pod: KUBERNETES_SERVICE_HOST/PORT and the mounted service account token and CA, with no kubeconfig anywhere")
    func inCluster() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.apply(Fixture.application())
            let account = try Self.serviceAccountDirectory(for: cluster, namespace: Fixture.namespace)
            let server = try #require(URLComponents(string: cluster.serverURL), "no API URL: \(cluster.serverURL)")
            let environment = try Self.podEnvironment(in: cluster, extra: [
                "KUBERNETES_SERVICE_HOST": server.host ?? "", "KUBERNETES_SERVICE_PORT": "\(server.port ?? 0)",
            ])
            let controller = try cluster.launchController(
                ["--service-account-dir", account.path, "--http-proxy", cluster.proxy, "--health-addr", "127.0.0.1:0", "--metrics-addr", ""],
                environment: environment)
            #expect(try await controller.waitForOutput(containing: "slipway controller started"), "\(controller.stderr.suffix(2000))")
            #expect(controller.stderr.contains("in-cluster service account"), "\(controller.stderr.suffix(2000))")

            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            // The token is a secret: it never reaches the logs.
            let token = try String(contentsOf: account.appendingPathComponent("token"), encoding: .utf8)
            #expect(!controller.stderr.contains(token) && !controller.stdout.contains(token))
        }
    }

    /// One refused start: the arguments, the environment, and what the error must say.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var environment: [String: String] = [:]
        var mentions: String
        var testDescription: String { arguments.joined(separator: " ") + (environment.isEmpty ? "" : " with \(environment.keys.sorted())") }
    }

    static let refusals: [Refusal] = [
        Refusal(arguments: ["--metrics-addr", "nowhere"], mentions: "--metrics-addr"),
        Refusal(arguments: ["--health-addr", "127.0.0.1:99999"], mentions: "--health-addr"),
        Refusal(arguments: ["--workers", "0"], mentions: "--workers"),
        Refusal(arguments: ["--log-level", "loud"], mentions: "--log-level"),
        Refusal(arguments: ["--namespace", ""], mentions: "--namespace"),
        Refusal(arguments: ["--lease-duration", "2", "--renew-deadline", "3"], mentions: "renew deadline"),
        Refusal(arguments: ["--retry-period", "0"], mentions: "--retry-period"),
        Refusal(arguments: ["--renew-deadline", "2", "--retry-period", "2"], mentions: "retry period"),
        Refusal(arguments: ["--kubeconfig", "/nonexistent/kubeconfig"], mentions: "/nonexistent/kubeconfig"),
        Refusal(arguments: ["--context", "no-such-context", "--kubeconfig", "KUBECONFIG"], mentions: "no-such-context"),
        // No kubeconfig anywhere and not in a pod.
        Refusal(arguments: [], environment: ["HOME": "EMPTY"], mentions: "KUBERNETES_SERVICE_HOST"),
        // In a pod whose service account is not mounted.
        Refusal(arguments: ["--service-account-dir", "EMPTY"], environment: ["HOME": "EMPTY", "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                                                                              "KUBERNETES_SERVICE_PORT": "6443"], mentions: "service account"),
        Refusal(arguments: [], environment: ["HOME": "EMPTY", "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "https"],
                mentions: "KUBERNETES_SERVICE_PORT"),
    ]

    @Test("the bot and the cluster refuse log and endpoint flags that cannot work, naming them", arguments: [
        ["bot", "--log-format", "yaml"], ["bot", "--log-level", "loud"], ["bot", "--metrics-addr", "nowhere"],
        ["bot", "--health-addr", "127.0.0.1:99999"], ["cluster", "--log-format", "xml"], ["cluster", "--log-level", "loud"],
    ])
    func otherCommandsRefuseBadFlags(_ arguments: [String]) async throws {
        let binary = try #require(EndToEndCluster.binary)
        var environment = ProcessInfo.processInfo.environment
        environment["TELEGRAM_BOT_TOKEN"] = nil
        let result = try await Self.run(binary, arguments, environment: environment)
        #expect(result.status != 0, "started although it should not: \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains(arguments[1]), "the error does not mention \(arguments[1]): \(result.stderr)")
    }

    @Test("settings that cannot work are refused at start with a message naming what to fix", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let binary = try #require(EndToEndCluster.binary)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-flags-\(UUID().uuidString)", isDirectory: true)
        let empty = directory.appendingPathComponent("empty", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A kubeconfig that parses, for the flags that need one.
        let kubeconfig = try Self.writeUnreachableKubeconfig(in: directory)
        func substitute(_ text: String) -> String {
            text == "EMPTY" ? empty.path : text == "KUBECONFIG" ? kubeconfig.path : text
        }
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        environment["KUBERNETES_SERVICE_HOST"] = nil
        environment["KUBERNETES_SERVICE_PORT"] = nil
        for (key, value) in refusal.environment { environment[key] = substitute(value) }
        if refusal.environment.isEmpty { environment["KUBECONFIG"] = kubeconfig.path }
        let arguments = ["controller", "--health-addr", "", "--metrics-addr", ""] + refusal.arguments.map(substitute)

        let result = try await Self.run(binary, arguments, environment: environment)
        #expect(result.status != 0, "started although it should not: \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains(refusal.mentions), "the error does not mention \(refusal.mentions): \(result.stderr)")
        #expect(!result.stderr.contains("not-a-real-token"), "the token leaked into the error: \(result.stderr)")
    }

    @Test("an API server that never answers: the controller stays unready, warns which resources it cannot list and why, and still stops on SIGTERM")
    func unreachableServer() async throws {
        let binary = try #require(EndToEndCluster.binary)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-flags-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = try Self.writeUnreachableKubeconfig(in: directory)
        let controller = try ChildProcess(binary, ["controller", "--kubeconfig", kubeconfig.path, "--health-addr", "127.0.0.1:0",
                                                   "--metrics-addr", ""])
        defer { controller.kill() }

        let health = try await Self.endpoint("health", of: controller)
        #expect(try await Self.get(health + "/readyz").code == 503, "ready without a single list")
        // Blips stay quiet; failures that keep coming are warnings naming the resource and the cause.
        let warned = try await waitUntil(timeout: .seconds(30)) {
            controller.stderr.contains("list failed again") && controller.stderr.contains("resource=deploymentrequests")
        }
        #expect(warned, "\(controller.stderr.suffix(2000))")
        #expect(controller.stderr.contains("Couldn't connect to server"), "the cause is not said: \(controller.stderr.suffix(2000))")
        let waiting = try await waitUntil(timeout: .seconds(40)) {
            controller.stderr.contains("still waiting for the first list of deploymentrequests, deploymenttargets, deployments, services")
        }
        #expect(waiting, "\(controller.stderr.suffix(2000))")
        #expect(!controller.stdout.contains("slipway controller started"))
        #expect(!controller.stderr.contains("not-a-real-token"), "the token reached the log")

        controller.terminate()
        #expect(try await controller.waitForExit(), "the controller did not stop on SIGTERM while unsynced")
        #expect(controller.exitStatus == 0, "\(controller.stderr.suffix(2000))")
    }

    // MARK: Helpers

    /// A kubeconfig that parses but names a server nothing answers on, with a token that must
    /// never reach an output.
    static func writeUnreachableKubeconfig(in directory: URL) throws -> URL {
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: not-a-real-token}}]
            contexts: [{name: only, context: {cluster: c, user: u}}]
            current-context: only
            """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        return kubeconfig
    }

    /// The `http://host:port` of the "<what> endpoint listening on ..." line `process` prints
    /// once that server is up, waiting for the line: the servers start alongside the rest of
    /// the process, so other lines may come first.
    static func endpoint(_ what: String, of process: ChildProcess) async throws -> String {
        let prefix = "\(what) endpoint listening on "
        var address: String?
        _ = try await waitUntil(timeout: .seconds(60)) {
            // Only a whole line: the output may have arrived up to the middle of it.
            let output = process.stdout
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            address = lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            return address != nil || !process.isRunning
        }
        guard let address else {
            throw EndToEndError("no \(what) endpoint line: \(process.stdout.suffix(2000)) \(process.stderr.suffix(2000))")
        }
        return address
    }

    static func get(_ url: String) async throws -> (code: Int, body: String) {
        let result = try await runProgram("/usr/bin/curl", ["-sS", "--max-time", "10", "-w", "\n%{http_code}", url])
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n"))
    }

    /// Runs a program whose whole environment is `environment` (no inherited KUBECONFIG).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = try ChildProcess(executable, arguments, environment: environment)
        guard try await process.waitForExit(timeout: .seconds(30)) else {
            process.kill()
            throw EndToEndError("slipway \(arguments.joined(separator: " ")) did not exit")
        }
        // The reader threads may still be draining the pipes right after the exit.
        try await waitUntil(timeout: .seconds(2)) { !process.stderr.isEmpty }
        return (process.exitStatus, process.stdout, process.stderr)
    }

    /// A directory laid out as a pod's mounted service account (token, ca.crt, namespace),
    /// holding the cluster's token user and CA from its kubeconfig.
    static func serviceAccountDirectory(for cluster: EndToEndCluster, namespace: String) throws -> URL {
        let config = try YAML.parse(String(contentsOfFile: cluster.kubeconfig, encoding: .utf8))
        let users = config["users"]?.arrayValue ?? []
        let tokens = users.compactMap { $0[path: "user", "token"]?.stringValue }
        let token = try #require(tokens.first, "the kubeconfig has no token user")
        let clusters = config["clusters"]?.arrayValue ?? []
        let authorities = clusters.compactMap { $0[path: "cluster", "certificate-authority-data"]?.stringValue }
        let caData = try #require(authorities.first, "the kubeconfig has no CA")
        let ca = try #require(Data(base64Encoded: caData), "the kubeconfig's CA is not base64")
        let directory = cluster.directory.appendingPathComponent("serviceaccount", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(token.utf8).write(to: directory.appendingPathComponent("token"))
        try ca.write(to: directory.appendingPathComponent("ca.crt"))
        try Data(namespace.utf8).write(to: directory.appendingPathComponent("namespace"))
        return directory
    }

    /// The tests' environment without any kubeconfig: no KUBECONFIG and an empty HOME.
    static func podEnvironment(in cluster: EndToEndCluster, extra: [String: String]) throws -> [String: String] {
        let home = cluster.directory.appendingPathComponent("home", isDirectory: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        environment["HOME"] = home.path
        environment["POD_NAME"] = nil
        return environment.merging(extra) { _, new in new }
    }
}
