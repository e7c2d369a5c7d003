import ArgumentParser
import ChatOps
import Foundation
import HTTP
import Kube
import KubeRuntime
import Logging
import Metrics
import Observability
import ServiceLifecycle
import Telegram
import TelegramChatOps
import UnixSignals

/// `slipway bot`: the Telegram front-end.
struct BotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot",
        abstract: "Run the Telegram bot until interrupted.",
        discussion: """
            Takes commands and button presses from Telegram, creates and steers DeploymentRequests \
            and keeps a progress message per request up to date; it never deploys anything itself. \
            The bot token comes from --token-file or TELEGRAM_BOT_TOKEN; the roles, chats, callback \
            secret and audit log from --config (see docs/chatops-configuration.yaml) and the \
            ADMIN_TELEGRAM_IDS / STAGING_TELEGRAM_IDS variables; the configuration's stateDirectory \
            (used buttons) is created 0700 at start, and the bot refuses to start when it cannot \
            write there. Commands addressed to another bot (/deploy@other_bot) are ignored. Polls by default, and only the \
            holder of the Lease polls, so replicas never fight over getUpdates. With --webhook-addr \
            it serves Telegram's webhook instead (set to --webhook-url). SIGTERM or SIGINT stops \
            taking updates, sends queued edits and releases the Lease. /healthz on --health-addr \
            answers while the process lives; /readyz once the configuration is loaded and the \
            Kubernetes API answers (a replica standing by for the Lease is ready too). /metrics on \
            --metrics-addr serves commands by name and outcome, Bot API calls, slipway_telegram_up, \
            slipway_bot_leader and build info.
            """)

    @Option(help: "Kubeconfig file to use instead of KUBECONFIG, ~/.kube/config or the in-cluster account.")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context to use instead of the current one.")
    var context: String?

    @Option(help: "The ChatOps configuration file (YAML, usually a mounted ConfigMap).")
    var config: String?

    @Option(name: .customLong("token-file"), help: "File holding the bot token (default: the TELEGRAM_BOT_TOKEN variable).")
    var tokenFile: String?

    @Option(name: .customLong("api-url"), help: "The Bot API server.")
    var apiURL = "https://api.telegram.org"

    @Option(name: .customLong("webhook-addr"), help: "Serve Telegram's webhook on HOST:PORT or :PORT instead of polling.")
    var webhookAddress: String?

    @Option(name: .customLong("webhook-url"), help: "The public https URL Telegram sends updates to (with --webhook-addr).")
    var webhookURL: String?

    @Option(name: .customLong("webhook-secret-file"),
            help: "File holding the webhook secret token (default: TELEGRAM_WEBHOOK_SECRET, else a fresh one per start).")
    var webhookSecretFile: String?

    @Option(name: .customLong("lease-name"), help: "Name of the coordination.k8s.io Lease that decides which replica polls.")
    var leaseName = "slipway-bot"

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the Lease (default: the configuration's namespace).")
    var leaseNamespace: String?

    @Option(name: .customLong("poll-timeout"), help: "Seconds one getUpdates long poll waits for updates.")
    var pollTimeout = 25

    @Option(name: .customLong("metrics-addr"), help: "Address of the /metrics endpoint, HOST:PORT or :PORT; empty disables it.")
    var metricsAddress = ":8080"

    @Option(name: .customLong("health-addr"), help: "Address of /healthz and /readyz, HOST:PORT or :PORT; empty disables it.")
    var healthAddress = ":8081"

    @OptionGroup var logging: LogOptions

    func validate() throws {
        for (flag, value) in [("--metrics-addr", metricsAddress), ("--health-addr", healthAddress)] where !value.isEmpty {
            guard ListenAddress(value) != nil else {
                throw ValidationError("\(flag) must be HOST:PORT or :PORT with a port between 0 and 65535, not \"\(value)\"")
            }
        }
        guard apiURL.hasPrefix("https://") || apiURL.hasPrefix("http://") else { throw ValidationError("--api-url must be an http(s) URL") }
        guard (0...50).contains(pollTimeout) else { throw ValidationError("--poll-timeout must be between 0 and 50 seconds") }
        if let webhookAddress {
            guard ListenAddress(webhookAddress) != nil else {
                throw ValidationError("--webhook-addr must be HOST:PORT or :PORT, not \"\(webhookAddress)\"")
            }
            guard let webhookURL, webhookURL.hasPrefix("https://") else {
                throw ValidationError("--webhook-addr needs --webhook-url, the public https:// URL Telegram sends updates to")
            }
        }
        if leaseName.isEmpty { throw ValidationError("--lease-name must not be empty") }
    }

    func run() async throws {
        let token: BotToken
        do {
            token = try BotToken.load(file: tokenFile)
        } catch {
            throw ValidationError("\(error)")
        }
        let environment = ProcessInfo.processInfo.environment
        var webhookSecret: String?
        if webhookAddress != nil {
            if let webhookSecretFile {
                guard let data = FileManager.default.contents(atPath: webhookSecretFile) else {
                    throw ValidationError("cannot read the webhook secret file \(webhookSecretFile)")
                }
                webhookSecret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                webhookSecret = environment["TELEGRAM_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 } ?? WebhookVerifier.generateSecret()
            }
        }
        let chatConfiguration: ChatOpsConfiguration
        do {
            chatConfiguration = try ChatOpsConfiguration.load(fileAt: config)
        } catch {
            throw ValidationError("\(error)")
        }
        // Every log line of the process passes the redactor: the token sits in each Bot API URL
        // (the HTTP client never logs it, and this keeps any other path from doing so).
        logging.bootstrap(redacting: [token.secret, webhookSecret ?? "", String(decoding: chatConfiguration.callbackSecret, as: UTF8.self),
                                      chatConfiguration.github.token ?? ""])
        let logger = Logger(label: "slipway.bot")
        let registry = MetricsRegistry()
        MetricsSystem.bootstrap(registry.factory)
        BuildInfo.register(in: registry, version: SlipwayVersion.string, component: "bot")
        let status = BotStatus(registry: registry, commands: ChatCommand.names)

        let cluster: ClusterConfiguration
        do {
            if kubeconfig != nil || context != nil {
                cluster = try ClusterConfiguration.kubeconfig(paths: kubeconfig.map { [$0] }, context: context)
            } else {
                cluster = try ClusterConfiguration.infer()
            }
        } catch {
            throw ValidationError("cannot configure the Kubernetes client: \(error)")
        }
        let kube = try KubeClient(configuration: cluster, logger: Logger(label: "slipway.kube"),
                                  observer: KubeAPIMetrics.observer(registry: registry))
        let http = try HTTPClient(configuration: HTTPClientConfiguration(userAgent: "slipway-bot"))
        let client = TelegramClient(token: token, configuration: TelegramClientConfiguration(apiURL: apiURL), http: http,
                                    logger: Logger(label: "slipway.telegram"),
                                    observer: { _, outcome in status.recordTelegramCall(outcome) })
        let surface = TelegramSurface(client: client, logger: Logger(label: "slipway.telegram"))
        let engine = try ChatOpsEngine(configuration: chatConfiguration, surface: surface, kube: kube, logger: Logger(label: "slipway.chatops"),
                                       onCommand: { command, outcome in
                                           status.telegram.recordCommand(command, outcome: TelegramMetrics.Outcome(outcome))
                                       })
        let frontEnd = TelegramFrontEnd(client: client, engine: engine, logger: logger)

        let mode: BotMode
        if let webhookAddress, let address = ListenAddress(webhookAddress), let webhookURL, let webhookSecret {
            do {
                mode = .webhook(address: address, url: webhookURL, verifier: try WebhookVerifier(secretToken: webhookSecret), secret: webhookSecret)
            } catch {
                throw ValidationError("\(error)")
            }
        } else {
            let identity = environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? LeaderElectionConfiguration.defaultIdentity()
            mode = .polling(election: LeaderElectionSettings(leaseName: leaseName, namespace: leaseNamespace ?? chatConfiguration.namespace,
                                                             configuration: try LeaderElectionConfiguration(identity: identity)),
                            pollTimeout: .seconds(pollTimeout))
        }
        logger.info("starting", metadata: ["api": "\(apiURL)", "server": "\(cluster.server)", "namespace": "\(chatConfiguration.namespace)",
                                           "chats": "\(chatConfiguration.allowedChats.count)"])
        let service = BotService(frontEnd: frontEnd, surface: surface, kube: kube, configuration: chatConfiguration, mode: mode,
                                 status: status, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: BotStatusMonitor(status: status, kube: kube, client: client, namespace: chatConfiguration.namespace, logger: logger)),
        ]
        if let address = ListenAddress(healthAddress), !healthAddress.isEmpty {
            services.append(.init(service: StatusServer.health(address: address, isReady: { status.isReady },
                                                               notReadyReason: "the Kubernetes API has not answered yet", logger: logger)))
        }
        if let address = ListenAddress(metricsAddress), !metricsAddress.isEmpty {
            services.append(.init(service: StatusServer.metrics(address: address, registry: registry, logger: logger)))
        }
        // Last in the list, so it is the first to hear of a shutdown: the probes keep answering
        // while queued edits go out.
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        http.shutdown()
        kube.shutdown()
    }
}

extension TelegramMetrics.Outcome {
    /// The metric's outcome for a ChatOps outcome: the same five words.
    init(_ outcome: CommandOutcome) {
        switch outcome {
        case .ok: self = .ok
        case .denied: self = .denied
        case .invalid: self = .invalid
        case .error: self = .error
        case .cancelled: self = .cancelled
        }
    }
}
