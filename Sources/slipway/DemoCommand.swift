import ArgumentParser
import Foundation
import JSON
import Kube
import KubeRuntime
import LocalCluster
import Logging
import PrometheusProcess
import Registry
import RegistryProcess
import Rollout
import SlipwayAPI
import SlipwayCLI
import UnixSignals
import YAML

/// `slipway demo`: the whole system on one machine in one process. The embedded cluster, the
/// Slipway CRDs, a blue/green `web` and a canary `api`, the controller, and three releases with
/// live progress: one that succeeds, a canary that walks its steps, and a broken image that its
/// gate catches and rolls back. Exits 0 when all three end as they should.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the embedded cluster and the controller, and show three releases end to end.",
        discussion: """
            Runs everything in this process: the embedded Kubernetes API with simulated \
            workloads and apps, the CRDs from manifests/crds, the sample apps web (blue/green) and \
            api (canary), and the controller. Then it releases web 1.5.0 (succeeds), api 2.8.0 \
            (walks its canary steps) and web 1.5.1-errors50 (half of its requests fail, the live \
            gate catches it and the release is rolled back), showing each as it goes and a summary \
            at the end. Exit code 0 when all three ended as expected, 1 otherwise. Gates are HTTP \
            checks through the simulated apps; when /usr/bin/prometheus is installed the demo \
            starts it against the apps' metrics and the canary is also judged by its error rate \
            in PromQL. When /usr/bin/docker-registry is installed the demo runs a real OCI \
            registry too, with a third app, cart, whose target requires its images there, and a \
            fourth story: cart 2.0.0, never pushed, is refused at once before anything moves.
            """)

    @Flag(help: "Stay up after the releases and print the kubeconfig and commands to try; Ctrl-C ends.")
    var keep = false

    @Flag(help: "The shortest timings the gates allow (for tests); the same three stories.")
    var fast = false

    @Flag(help: "Afterwards, a console chat: the bot's commands (/status, /deploy staging, ...) typed as an admin, through the same command handling as the Telegram bot.")
    var chat = false

    @Flag(name: .customLong("no-prometheus"), help: "Judge releases by HTTP gates alone, even when /usr/bin/prometheus is installed.")
    var noPrometheus = false

    @Flag(name: .customLong("no-registry"), help: "Leave out the registry story, even when /usr/bin/docker-registry is installed.")
    var noRegistry = false

    @Option(name: .customLong("kubeconfig-out"), help: "Where to write the demo cluster's kubeconfig (default: a temporary directory).")
    var kubeconfigOut: String?

    @Option(help: "The directory holding crds/ (default: manifests/ of the current directory or of the checkout the binary was built in).")
    var manifests: String?

    @Option(help: "Give up on the releases after this long (90s, 10m).")
    var timeout: String = "5m"

    @Option(name: .customLong("log-level"), help: "Level of the cluster's and controller's logs on standard error.")
    var logLevel: String = "critical"

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also: a non-empty NO_COLOR).")
    var noColor = false

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        do {
            _ = try DurationText.seconds(timeout)
        } catch {
            throw ValidationError("--timeout: \(error)")
        }
    }

    func run() async throws {
        CommandLogging.bootstrapQuiet(level: Logger.Level(rawValue: logLevel) ?? .critical)
        let crds = try locateCRDs()
        var scenario = DemoScenario(pace: fast ? .fast : .normal)
        let wantsPrometheus = !noPrometheus && PrometheusServer.binary != nil
        let style = TerminalStyle(colours: TerminalStyle.coloursEnabled(isTerminal: Terminal.isTerminal, noColorFlag: noColor,
                                                                        environment: ProcessInfo.processInfo.environment))
        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-demo-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: workDirectory) }
        let kubeconfig = URL(fileURLWithPath: kubeconfigOut ?? workDirectory.appendingPathComponent("kubeconfig").path)
        if let directory = kubeconfigOut.map({ URL(fileURLWithPath: $0).deletingLastPathComponent() }) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        let cluster = EmbeddedCluster(configuration: .init(
            port: 0, kubeconfigPath: kubeconfig,
            // With Prometheus, a load generator sends steady traffic for the PromQL gate to judge.
            simulation: .init(readinessDelay: .milliseconds(Int(scenario.pace.readinessDelay * 1000)), proxyPort: 0,
                              trafficRate: wantsPrometheus ? 20 : 0, metricsPort: wantsPrometheus ? 0 : nil),
            logger: Logger(label: "slipway.cluster")))
        let server = Task { try await cluster.run() }
        defer { server.cancel() }

        Terminal.line(style.paint("Slipway demo", .bold) + " — blue/green, canary and a rollback on an embedded cluster\n")
        let endpoint: EmbeddedCluster.Endpoint
        do {
            endpoint = try await cluster.endpoint()
        } catch {
            throw CommandFailure("the embedded cluster did not start: \(error)")
        }
        step(style, "Kubernetes API on \(endpoint.url) (kubeconfig \(kubeconfig.path))")

        let client: KubeClient
        do {
            client = try KubeClient(configuration: ClusterConfiguration.kubeconfig(paths: [kubeconfig.path]), logger: Logger(label: "slipway.kube"))
        } catch {
            throw CommandFailure("cannot use the demo cluster's kubeconfig \(kubeconfig.path): \(error)")
        }
        defer { client.shutdown() }

        var prometheus: PrometheusServer?
        // SIGTERM only: its files go with the work directory.
        defer { prometheus?.terminate() }
        if wantsPrometheus, let metricsURL = endpoint.metricsURL {
            do {
                // Scrapes the apps every second; one attempt of 30 s, since the demo falls back to HTTP gates.
                prometheus = try await PrometheusServer.start(scraping: metricsURL, job: "slipway-demo-apps", in: workDirectory,
                                                              readinessTimeout: .seconds(30), attempts: 1)
                scenario.prometheus = prometheus?.address
                step(style, "Prometheus on \(prometheus?.address ?? "") scrapes the apps' metrics; the canary is judged by PromQL (error rate) and HTTP gates")
            } catch {
                Terminal.line(style.paint("!", .yellow) + " \(error); the releases are judged by HTTP gates")
            }
        } else if noPrometheus {
            step(style, "Gates: HTTP checks through the simulated apps (--no-prometheus)")
        } else {
            step(style, "Gates: HTTP checks through the simulated apps (Prometheus is not installed on PATH or in /usr/bin; scripts/install-deps.sh demo installs it)")
        }

        var registry: RegistryServer?
        // SIGTERM only: its files go with the work directory.
        defer { registry?.terminate() }
        if !noRegistry, RegistryServer.binary != nil {
            do {
                let server = try await RegistryServer.start(in: workDirectory, readinessTimeout: .seconds(30), attempts: 2)
                registry = server
                let demoRegistry = DemoScenario.Registry(host: server.host, caCertificatePEM: server.caCertificatePEM)
                let publisher = ImagePublisher(client: try RegistryClient(caBundlePEM: server.caCertificatePEM))
                try await publisher.pushImage(try ImageReference(parsing: demoRegistry.cartInitialImage), content: "cart 1.0.0")
                publisher.client.shutdown()
                scenario.registry = demoRegistry
                step(style, "An OCI registry on \(server.host) (TLS, its own CA) holds cart's images; cart's target requires its images there and pins their digests")
            } catch {
                Terminal.line(style.paint("!", .yellow) + " the registry did not start (\(error)); the demo leaves out its registry story")
            }
        } else if !noRegistry {
            step(style, "No registry story (docker-registry is not installed; scripts/install-deps.sh demo installs it)")
        }

        let setup = DemoSetup(client: client, fieldManager: "slipway-demo")
        for file in crds { try await setup.apply(try String(contentsOf: file, encoding: .utf8)) }
        try await setup.waitForCRDs()
        step(style, "Installed the DeploymentTarget and DeploymentRequest CRDs")
        try await setup.apply(scenario.manifests)
        try await setup.waitForAvailable(["web-blue", "api-stable"] + (scenario.registry == nil ? [] : ["cart-blue"]), namespace: DemoScenario.namespace)
        step(style, "Deployed web (blue/green: web-blue live, web-green idle) and api (canary: api-stable, api-canary)"
            + (scenario.registry == nil ? "" : ", and cart (blue/green, images from the registry)"))

        let controller = try DemoController(client: client, proxy: endpoint.proxyURL, pace: scenario.pace)
        defer { controller.stop() }
        try await controller.waitUntilReady()
        step(style, "Controller started")

        let limit = (try? DurationText.seconds(timeout)).map { Duration.milliseconds(Int64($0 * 1000)) }
        let outcomes = try await DemoReleases(client: client, scenario: scenario, style: style).run(timeout: limit)
        Terminal.line("")
        Terminal.write(DemoSummary.table(outcomes).render(style: style, colour: DemoSummary.colour))
        let passed = DemoSummary.passed(outcomes)
        Terminal.line("")
        Terminal.line(passed
            ? style.paint("Every release ended as expected.", .green)
            : style.paint("Not every release ended as expected; run with --log-level info to see the controller's logs.", .red))

        if chat {
            Terminal.line("\nThe demo cluster's kubeconfig: \(kubeconfig.path) (also try the commands of --keep in another terminal)")
            try await DemoChat.run(client: client, namespace: DemoScenario.namespace, directory: workDirectory, style: style)
        } else if keep {
            printTryIt(kubeconfig: kubeconfig.path, proxy: endpoint.proxyURL, style: style)
            await waitForInterrupt()
        }
        controller.stop()
        await controller.waitUntilStopped()
        if !passed { throw ExitCode.failure }
    }

    private func step(_ style: TerminalStyle, _ text: String) {
        Terminal.line(style.paint("✓", .green) + " " + text)
    }

    /// The CRD files from --manifests or the first manifests/crds found.
    private func locateCRDs() throws -> [URL] {
        var candidates: [URL] = []
        if let manifests {
            candidates.append(URL(fileURLWithPath: manifests, isDirectory: true))
        } else {
            candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true).appendingPathComponent("manifests"))
            var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "slipway").resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                candidates.append(directory.appendingPathComponent("manifests"))
                directory = directory.deletingLastPathComponent()
            }
        }
        for candidate in candidates {
            let crds = candidate.appendingPathComponent("crds")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: crds.path).filter({ $0.hasSuffix(".yaml") }).sorted(),
                  !files.isEmpty else { continue }
            return files.map { crds.appendingPathComponent($0) }
        }
        let looked = candidates.map { $0.appendingPathComponent("crds").path }.joined(separator: ", ")
        throw CommandFailure("cannot find the Slipway CRDs (looked in \(looked)); run the demo from the Slipway checkout or pass --manifests DIR")
    }

    private func printTryIt(kubeconfig: String, proxy: String?, style: TerminalStyle) {
        let slipway = CommandLine.arguments.first ?? "slipway"
        var lines = [
            "",
            style.paint("The demo cluster stays up until Ctrl-C. Try:", .bold),
            "  export KUBECONFIG=\(kubeconfig)",
            "  kubectl get deploymenttargets,deploymentrequests -n shop",
            "  \(slipway) request list -n shop",
            "  \(slipway) request history web-production -n shop",
            "  \(slipway) request create web-production -n shop --image registry.example.com/shop/web:1.6.0 --wait",
            "  \(slipway) request create web-production -n shop --image registry.example.com/shop/web:1.6.1-unhealthy --wait; echo exit $?",
            "  \(slipway) request rollback web-production -n shop --wait",
        ]
        if let proxy { lines.append("  curl -x \(proxy) http://web.shop.svc/") }
        Terminal.line(lines.joined(separator: "\n"))
    }

    private func waitForInterrupt() async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals { break }
    }
}
