import Foundation
import JSON
import Kube
import Registry
import RegistryProcess
import SlipwayAPI
import Synchronization
import Testing
import YAML

/// Slipway installed as an operator installs it — `kubectl apply -k manifests/` into a
/// `slipway cluster` process — and a `slipway controller` process that authenticates with the
/// slipway-controller ServiceAccount's token, so that it has exactly the rights the manifests
/// grant and the embedded cluster's RBAC checks every request it makes.
final class InstalledSlipway: Sendable {
    static let controllerUser = "system:serviceaccount:slipway-system:slipway-controller"

    let directory: URL
    let kubeconfig: String
    let proxy: String
    let client: KubeClient
    private let binary: String
    private let cluster: ChildProcess
    private let controllerProcess = Mutex<ChildProcess?>(nil)

    private init(directory: URL, kubeconfig: String, proxy: String, client: KubeClient, binary: String, cluster: ChildProcess) {
        self.directory = directory
        self.kubeconfig = kubeconfig
        self.proxy = proxy
        self.client = client
        self.binary = binary
        self.cluster = cluster
    }

    /// Starts a cluster and applies manifests/ with the admin's kubeconfig.
    static func start() async throws -> InstalledSlipway {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-rbac-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let cluster = try ChildProcess(binary, ["cluster", "--port", "0", "--kubeconfig-out", kubeconfig, "--readiness-delay", "0.3",
                                                "--log-level", "warning"])
        guard try await cluster.waitForOutput(containing: "Kubeconfig written", timeout: .seconds(60)),
              let proxyLine = cluster.stdout.split(separator: "\n").first(where: { $0.hasPrefix("HTTP proxy for in-cluster services on ") }) else {
            cluster.kill()
            throw EndToEndError("slipway cluster did not start: \(cluster.stderr)")
        }
        let proxy = String(proxyLine.dropFirst("HTTP proxy for in-cluster services on ".count))
        let client = try KubeClient(configuration: ClusterConfiguration.kubeconfig(paths: [kubeconfig]))
        let installed = InstalledSlipway(directory: directory, kubeconfig: kubeconfig, proxy: proxy, client: client, binary: binary, cluster: cluster)
        do {
            try await installed.applyManifests()
            let established = try await waitUntil(timeout: .seconds(30)) {
                guard (try? await client.list(DeploymentRequest.self, namespace: "default")) != nil else { return false }
                return (try? await client.list(DeploymentTarget.self, namespace: "default")) != nil
            }
            guard established else { throw EndToEndError("the Slipway CRDs from manifests/ were not served within 30 s") }
        } catch {
            await installed.shutdown()
            throw error
        }
        return installed
    }

    static func with(_ body: (InstalledSlipway) async throws -> Void) async throws {
        let installed = try await start()
        do {
            try await body(installed)
        } catch {
            await installed.shutdown()
            throw error
        }
        await installed.shutdown()
    }

    func applyManifests() async throws {
        try await kubectl(["apply", "-k", EndToEndCluster.repositoryRoot.appendingPathComponent("manifests").path])
    }

    /// A kubeconfig for the controller's ServiceAccount: the cluster's address and CA, and a
    /// token from the TokenRequest API (`kubectl create token`).
    func controllerKubeconfig() async throws -> String {
        let token = try await kubectl(["create", "token", "slipway-controller", "-n", "slipway-system", "--duration=2h"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var config = try YAML.parse(String(contentsOfFile: kubeconfig, encoding: .utf8))
        config["users"] = [["name": "slipway-controller", "user": ["token": .string(token)]]]
        config["contexts"] = [["name": "slipway-controller",
                               "context": ["cluster": "slipway", "user": "slipway-controller", "namespace": "slipway-system"]]]
        config["current-context"] = "slipway-controller"
        let path = directory.appendingPathComponent("controller-kubeconfig").path
        guard FileManager.default.createFile(atPath: path, contents: Data(YAML.emit(config).utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EndToEndError("cannot write \(path)")
        }
        return path
    }

    /// Starts the controller as the Deployment in manifests/ runs it: leader election on its
    /// Lease in slipway-system, every namespace watched.
    @discardableResult
    func startController(logLevel: String = "info") async throws -> ChildProcess {
        let process = try ChildProcess(binary, [
            "controller", "--kubeconfig", try await controllerKubeconfig(), "--http-proxy", proxy,
            "--leader-elect", "--lease-name", "slipway-controller", "--lease-namespace", "slipway-system",
            "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-level", logLevel,
        ])
        controllerProcess.withLock { $0 = process }
        return process
    }

    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> String {
        guard let kubectl = EndToEndCluster.kubectlPath else { throw EndToEndError("kubectl is not on PATH") }
        let result = try await runProgram(kubectl, arguments + ["--cache-dir", directory.appendingPathComponent("kube-cache").path],
                                          environment: ["KUBECONFIG": kubeconfig], stdin: stdin)
        guard result.status == 0 else { throw EndToEndError("kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    func request(_ name: String, namespace: String = Fixture.namespace) async throws -> DeploymentRequest {
        try await client.get(DeploymentRequest.self, name: name, namespace: namespace)
    }

    func waitForRequest(_ name: String, namespace: String = Fixture.namespace, timeout: Duration = .seconds(90)) async throws -> DeploymentRequest? {
        var last: DeploymentRequest?
        _ = try await waitUntil(timeout: timeout) {
            last = try? await self.request(name, namespace: namespace)
            return last?.phase.isTerminal ?? false
        }
        return last
    }

    func shutdown() async {
        client.shutdown()
        for process in [controllerProcess.withLock { $0 }, cluster].compactMap({ $0 }) {
            process.terminate()
            if (try? await process.waitForExit(timeout: .seconds(10))) != true {
                process.kill()
                _ = try? await process.waitForExit(timeout: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("EndToEnd RBAC", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndRBACTests {
    @Test("with only the RBAC manifests/ grants, the controller wins its Lease and carries a blue/green release to Succeeded")
    func releaseWithManifestRBAC() async throws {
        try await InstalledSlipway.with { slipway in
            let controller = try await slipway.startController()
            let started = try await controller.waitForOutput(containing: "slipway controller started", timeout: .seconds(60))
            #expect(started, "the controller did not start with the manifests' RBAC: \(controller.stderr)")
            guard started else { return }

            try await slipway.kubectl(["apply", "-f", "-"], stdin: Fixture.application())
            try await slipway.kubectl(["apply", "-f", "-"], stdin: Fixture.request("release-2", image: "shop/app:2.0.0"))
            let request = try await slipway.waitForRequest("release-2")
            #expect(request?.phase == .succeeded, "release-2 ended \(request?.phase.rawValue ?? "nowhere"): \(request?.status?.message ?? "") \(controller.stderr)")
            let selector = try await slipway.client.get(Service.self, name: "app", namespace: Fixture.namespace).spec?.selector
            #expect(selector?["slot"] == "green")
            let holder = try await slipway.kubectl(["get", "lease", "slipway-controller", "-n", "slipway-system", "-o", "jsonpath={.spec.holderIdentity}"])
            #expect(!holder.isEmpty, "the controller holds no Lease in slipway-system")
            #expect(!controller.stderr.contains("is forbidden"), "the controller made a request its RBAC does not allow: \(controller.stderr)")
        }
    }

    @Test("the shipped RBAC reads no Secret: a target's pull secret is refused until a Role grants get on that one Secret, and another stays refused",
          .enabled(if: RegistryServer.binary != nil))
    func pullSecretByNameOnly() async throws {
        try await RegistryFixture.with { registry in
            try await InstalledSlipway.with { slipway in
                let controller = try await slipway.startController()
                let started = try await controller.waitForOutput(containing: "slipway controller started", timeout: .seconds(60))
                #expect(started, "the controller did not start with the manifests' RBAC: \(controller.stderr)")
                guard started else { return }
                let application = registry.application()
                try await slipway.kubectl(["apply", "-f", "-"], stdin: application)
                let digest = try await registry.push("2.0.0")

                try await slipway.kubectl(["apply", "-f", "-"], stdin: Fixture.request("release-forbidden", image: registry.image("2.0.0")))
                let forbidden = try await slipway.waitForRequest("release-forbidden")
                #expect(forbidden?.phase == .rejected, "\(forbidden?.status?.message ?? "")")
                #expect(forbidden?.status?.message?.contains("may not read Secret shop/regcred") == true, "\(forbidden?.status?.message ?? "")")

                // The grant the rbac.yaml comment and the chart's registryPullSecrets describe.
                try await slipway.kubectl(["apply", "-f", "-"], stdin: """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: slipway-registry-pull-secrets, namespace: shop}
                    rules:
                      - apiGroups: [""]
                        resources: ["secrets"]
                        resourceNames: ["regcred"]
                        verbs: ["get"]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: slipway-registry-pull-secrets, namespace: shop}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: slipway-registry-pull-secrets}
                    subjects:
                      - {kind: ServiceAccount, name: slipway-controller, namespace: slipway-system}
                    """)
                try await slipway.kubectl(["apply", "-f", "-"], stdin: Fixture.request("release-granted", image: registry.image("2.0.0")))
                let granted = try await slipway.waitForRequest("release-granted")
                #expect(granted?.phase == .succeeded, "\(granted?.status?.message ?? "") \(controller.stderr)")
                #expect(granted?.status?.releaseDigest == digest.rawValue)

                // Another Secret of the same namespace is not readable.
                let secret = String(application[application.range(of: "kind: Secret")!.lowerBound...])
                try await slipway.kubectl(["apply", "-f", "-"], stdin: "apiVersion: v1\n" + secret.replacingOccurrences(of: "name: regcred", with: "name: other"))
                try await slipway.kubectl(["patch", "deploymenttarget", Fixture.target, "-n", Fixture.namespace, "--type", "merge",
                                           "-p", #"{"spec":{"imagePolicy":{"registry":{"pullSecret":"other"}}}}"#])
                try await slipway.kubectl(["apply", "-f", "-"], stdin: Fixture.request("release-other", image: registry.image("2.0.0")))
                let other = try await slipway.waitForRequest("release-other")
                #expect(other?.phase == .rejected, "\(other?.status?.message ?? "")")
                #expect(other?.status?.message?.contains("may not read Secret shop/other") == true, "\(other?.status?.message ?? "")")
            }
        }
    }

    @Test("with only the RBAC manifests/ grants, a canary release succeeds through each of the four traffic routers")
    func canaryWithManifestRBAC() async throws {
        try await InstalledSlipway.with { slipway in
            let thirdParty = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests/crds/third-party").path
            try await slipway.kubectl(["apply", "-f", thirdParty])
            let controller = try await slipway.startController()
            let started = try await controller.waitForOutput(containing: "slipway controller started", timeout: .seconds(60))
            #expect(started, "the controller did not start with the manifests' RBAC: \(controller.stderr)")
            guard started else { return }

            let steps = CanaryFixture.steps(["50", "100"])
            for router in CanaryFixture.Router.allCases {
                // The routing CRDs may take a moment to be served after they are applied.
                let applied = try await waitUntil(timeout: .seconds(30)) {
                    (try? await slipway.kubectl(["apply", "-f", "-"], stdin: CanaryFixture.application(router, steps: steps, gates: []))) != nil
                }
                #expect(applied, "the \(router) application could not be applied")
                try await slipway.kubectl(["apply", "-f", "-"],
                                          stdin: CanaryFixture.request("release-2", namespace: router.namespace, image: "shop/app:2.0.0"))
            }
            for router in CanaryFixture.Router.allCases {
                let request = try await slipway.waitForRequest("release-2", namespace: router.namespace, timeout: .seconds(120))
                #expect(request?.phase == .succeeded,
                        "\(router): release-2 ended \(request?.phase.rawValue ?? "nowhere"): \(request?.status?.message ?? "")")
            }
        }
    }

    @Test("a rule missing from the ClusterRole shows as the API server's Forbidden in the controller's log; restoring it lets the controller start")
    func missingRuleIsReported() async throws {
        try await InstalledSlipway.with { slipway in
            // Take list and watch of DeploymentTargets away (rule 2 of manifests/controller/rbac.yaml).
            let rule = try await slipway.kubectl(["get", "clusterrole", "slipway-controller", "-o", "jsonpath={.rules[2].resources[0]}"])
            #expect(rule == "deploymenttargets")
            try await slipway.kubectl(["patch", "clusterrole", "slipway-controller", "--type=json",
                                       "-p", #"[{"op":"replace","path":"/rules/2/verbs","value":["get"]}]"#])
            let controller = try await slipway.startController(logLevel: "debug")
            let expected = #"deploymenttargets.slipway.dev is forbidden: User "\#(InstalledSlipway.controllerUser)" cannot list resource "deploymenttargets" in API group "slipway.dev" at the cluster scope"#
            let reported = try await waitUntil(timeout: .seconds(60)) { controller.stderr.contains(expected) || !controller.isRunning }
            #expect(reported && controller.stderr.contains(expected), "the controller did not report the Forbidden: \(controller.stderr)")
            #expect(!controller.stdout.contains("slipway controller started"), "the controller claimed to be started without its caches")

            try await slipway.applyManifests()
            let started = try await controller.waitForOutput(containing: "slipway controller started", timeout: .seconds(90))
            #expect(started, "the controller did not recover once the rule was back: \(controller.stderr.suffix(2000))")
        }
    }
}
