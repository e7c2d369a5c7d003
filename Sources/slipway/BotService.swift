import ChatOps
import Foundation
import HTTPTypes
import Hummingbird
import Kube
import KubeRuntime
import Logging
import NIOCore
import ServiceLifecycle
import SlipwayAPI
import Synchronization
import Telegram
import TelegramChatOps

/// How updates reach the bot.
enum BotMode: Sendable {
    /// getUpdates long polling by the holder of the Lease only: Telegram allows one poller per token.
    case polling(election: LeaderElectionSettings, pollTimeout: Duration)
    /// Telegram POSTs each update to `url`, which reaches `address`; every replica may serve.
    case webhook(address: ListenAddress, url: String, verifier: WebhookVerifier, secret: String)
}

/// The Telegram front-end as a swift-service-lifecycle service.
///
/// Polling: each term as Lease holder removes any webhook, sets the command menus, picks up the
/// progress messages of unfinished requests and polls until the Lease is lost or the process
/// stops. Webhook: sets the webhook and serves it. A graceful shutdown stops taking updates,
/// lets queued message edits go out (bounded), and releases the Lease.
/// See https://swiftpackageindex.com/swift-server/swift-service-lifecycle/documentation/servicelifecycle
final class BotService: ServiceLifecycle.Service {
    private let frontEnd: TelegramFrontEnd
    private let surface: TelegramSurface
    private let kube: KubeClient
    private let configuration: ChatOpsConfiguration
    private let mode: BotMode
    private let status: BotStatus
    private let logger: Logger
    private let work = Mutex<Task<Void, Never>?>(nil)
    private let failure = Mutex<TelegramError?>(nil)
    private static let secretHeaderName = HTTPField.Name(WebhookVerifier.headerName)

    init(frontEnd: TelegramFrontEnd, surface: TelegramSurface, kube: KubeClient, configuration: ChatOpsConfiguration,
         mode: BotMode, status: BotStatus, logger: Logger) {
        self.frontEnd = frontEnd
        self.status = status
        self.surface = surface
        self.kube = kube
        self.configuration = configuration
        self.mode = mode
        self.logger = logger
    }

    func run() async throws {
        let task: Task<Void, Never>
        switch mode {
        case .polling(let election, let pollTimeout):
            task = Task { await self.runElected(election, pollTimeout: pollTimeout) }
        case .webhook(let address, let url, let verifier, let secret):
            task = Task { await self.serveWebhook(address: address, url: url, verifier: verifier, secret: secret) }
        }
        work.withLock { $0 = task }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await task.value
            } onGracefulShutdown: {
                self.logger.info("shutting down: no more updates are taken")
                task.cancel()
            }
        } onCancel: {
            task.cancel()
        }
        await frontEnd.engine.shutdown()
        await drainEdits()
        if let error = failure.withLock({ $0 }) { throw error }
        logger.info("slipway bot stopped")
    }

    private func runElected(_ election: LeaderElectionSettings, pollTimeout: Duration) async {
        let elector = LeaderElector(
            lock: KubeLeaseLock(client: kube, name: election.leaseName, namespace: election.namespace),
            configuration: election.configuration, logger: logger)
        logger.info("competing for the lease", metadata: ["lease": "\(election.namespace)/\(election.leaseName)",
                                                         "identity": "\(election.configuration.identity)"])
        FileHandle.standardOutput.write(Data("slipway bot standing by for the lease\n".utf8))
        await elector.run { [self] in
            logger.info("leading; taking Telegram updates")
            status.setLeading(true)
            await runTerm(pollTimeout: pollTimeout)
            await frontEnd.engine.shutdown()
            status.setLeading(false)
            logger.info("no longer taking Telegram updates")
        }
    }

    /// One term as the poller, until cancelled (Lease lost, shutdown) or the token is refused.
    private func runTerm(pollTimeout: Duration) async {
        await prepareTerm()
        do {
            try await frontEnd.poll(timeout: pollTimeout) {
                FileHandle.standardOutput.write(Data("slipway bot started\n".utf8))
            }
        } catch {
            if case .cancelled = error { return }
            logger.critical("polling stopped: \(error)")
            failure.withLock { $0 = error }
            work.withLock { $0 }?.cancel()
        }
    }

    /// Menus and progress messages: best effort, a failure here must not keep commands out.
    private func prepareTerm() async {
        let resumed = await frontEnd.engine.resumeTracking()
        if resumed > 0 { logger.info("following or settling the progress of requests", metadata: ["count": "\(resumed)"]) }
        let access = AccessControl(roles: configuration.roles, adminOnlyEnvironments: configuration.adminOnlyEnvironments)
        let targets = (try? await kube.listAll(DeploymentTarget.self, namespace: configuration.namespace).items) ?? []
        do {
            let failed = try await CommandMenu.install(client: frontEnd.client, access: access, chats: configuration.allowedChats) { user in
                access.permissions(of: user, targets: targets)
            }
            if !failed.isEmpty { logger.notice("could not set the command menu of some chats", metadata: ["chats": "\(failed)"]) }
        } catch {
            logger.warning("could not set the command menus", metadata: ["error": "\(error)"])
        }
    }

    private func serveWebhook(address: ListenAddress, url: String, verifier: WebhookVerifier, secret: String) async {
        do {
            try await frontEnd.client.setWebhook(url: url, secretToken: secret)
            try await frontEnd.learnUsername()
        } catch {
            logger.critical("could not set the webhook or ask for the bot's username: \(error)")
            failure.withLock { $0 = error }
            return
        }
        // Every webhook replica takes updates: each reports itself as taking them.
        status.setLeading(true)
        defer { status.setLeading(false) }
        await prepareTerm()
        let frontEnd = self.frontEnd
        let router = Router()
        router.post("**") { request, _ -> Response in
            let header = Self.secretHeaderName.flatMap { request.headers[$0] }
            // Not a byte of the body is read without the secret.
            guard verifier.accepts(secretHeader: header) else { return Response(status: .unauthorized) }
            // Telegram's updates are small; anything larger is not one.
            let body = try await request.body.collect(upTo: 1 << 20)
            let status = await frontEnd.handleWebhook(verifier: verifier, secretHeader: header, body: Array(body.readableBytesView))
            return Response(status: .init(code: status))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                FileHandle.standardOutput.write(Data("webhook listening on \(address.host):\(port)\nslipway bot started\n".utf8))
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: [])
        } catch {
            if !Task.isCancelled { logger.error("the webhook server stopped: \(error)") }
        }
    }

    /// Lets queued progress edits go out, for at most ten seconds.
    private func drainEdits() async {
        let surface = self.surface
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await surface.flush() }
            group.addTask { try? await Task.sleep(for: .seconds(10)) }
            await group.next()
            group.cancelAll()
        }
    }
}
