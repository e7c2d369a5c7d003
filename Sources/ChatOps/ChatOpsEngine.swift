import Foundation
import HTTP
import Kube
import Logging
import SlipwayAPI

/// The front-end-neutral chat operations: reads commands and button presses, checks who is
/// asking, creates and annotates DeploymentRequests, keeps a progress message up to date and
/// writes the audit log. It never deploys anything itself; the controller does.
///
/// One engine serves one surface. `handle(_:)` never throws: every outcome, including
/// failures, is a reply through the surface (and, where it matters, an audit entry).
///
/// Requests the engine creates carry `slipway.dev/requested-by` (`telegram:<user id>`) and
/// `slipway.dev/chat-message` (`<chat id>/<message id>` of their progress message), so that
/// `resumeTracking()` picks their progress messages up again after a restart; a request whose
/// outcome was announced carries `slipway.dev/outcome-announced`, so that a release that ended
/// while no front-end ran is announced on the next start, and none is announced twice.
public actor ChatOpsEngine {
    let configuration: ChatOpsConfiguration
    let surface: any ChatSurface
    let kube: KubeClient
    let logger: Logger
    let access: AccessControl
    let ledger: CallbackLedger
    let progressMemory: ProgressMemory
    let audit: AuditLog?
    let resolver: any CommitResolver
    let events: RequestEvents
    let clock: @Sendable () -> Date
    let onCommand: CommandObserver?
    /// When people without a role were last told so, to tell them rarely.
    var refusals = RefusalLimiter()
    /// Progress messages being kept up to date, by request name.
    var trackers: [String: Task<Void, Never>] = [:]
    /// The one watch every progress message hears its request's changes from.
    let feed: RequestFeed
    /// Checks a deploy's image against its target's imagePolicy before asking to confirm,
    /// with the controller's own code.
    let images: ImagePolicyChecker

    /// The annotation naming a request's progress message.
    public static let chatMessageAnnotation = "slipway.dev/chat-message"

    /// The annotation saying a finished request's outcome was announced (audit line, chat
    /// message) and when, so that it happens once across restarts and replicas.
    public static let outcomeAnnouncedAnnotation = "slipway.dev/outcome-announced"

    /// - Parameters:
    ///   - commitResolver: how `/deploy ENV` finds the newest commit; default: the GitHub REST
    ///     API at `configuration.github`.
    ///   - clock: the time used for button expiry and deployment windows.
    ///   - onCommand: told how every command and button press ended (for metrics).
    public init(configuration: ChatOpsConfiguration, surface: any ChatSurface, kube: KubeClient,
                commitResolver: (any CommitResolver)? = nil, clock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "slipway.chatops"), onCommand: CommandObserver? = nil,
                images: ImagePolicyChecker = ImagePolicyChecker()) throws {
        self.configuration = configuration
        self.images = images
        self.onCommand = onCommand
        self.surface = surface
        self.kube = kube
        self.logger = logger
        self.clock = clock
        access = AccessControl(roles: configuration.roles, adminOnlyEnvironments: configuration.adminOnlyEnvironments)
        ledger = try CallbackLedger(stateDirectory: configuration.stateDirectory, secret: configuration.callbackSecret)
        progressMemory = ProgressMemory(stateDirectory: configuration.stateDirectory)
        audit = try configuration.auditLogPath.map { try AuditLog(path: $0) }
        if let commitResolver {
            resolver = commitResolver
        } else {
            let client = try HTTPClient(configuration: HTTPClientConfiguration(userAgent: "slipway-chatops"))
            resolver = GitHubCommitResolver(settings: configuration.github, client: client)
        }
        events = RequestEvents(kube: kube, namespace: configuration.namespace, logger: logger)
        feed = RequestFeed(kube: kube, namespace: configuration.namespace, logger: logger)
    }

    /// Handles one update from the chat platform.
    public func handle(_ input: ChatInput) async {
        // Expired buttons leave the ledger (its file stays small); pressing one still says "expired".
        do {
            try await ledger.prune(now: nowSeconds)
        } catch {
            logger.debug("could not prune the callback ledger", metadata: ["error": "\(error)"])
        }
        switch input {
        case .command(_, let chatID, let messageID, let user, let text):
            let outcome = await handleCommand(chatID: chatID, messageID: messageID, user: user, text: text)
            onCommand?(ChatCommand.countedName(of: text), outcome)
        case .callback(_, let callbackID, let message, let user, let data):
            let (command, outcome) = await handleCallback(callbackID: callbackID, message: message, user: user, data: data)
            onCommand?(command, outcome)
        }
    }

    /// Records updates the front-end skipped because they could not be read (well-formed, but
    /// not an update it understands): the one trace of a command that was never handled.
    public func recordSkippedUpdates(_ updateIDs: [Int64]) async {
        for id in updateIDs {
            await record(.updateSkipped, user: nil, chatID: nil, result: "update \(id) could not be read and was skipped")
        }
    }

    /// Stops keeping progress messages up to date.
    public func shutdown() {
        for task in trackers.values { task.cancel() }
        trackers.removeAll()
        feed.stop()
    }

    /// The requests whose progress messages are being kept up to date (for tests and status).
    public var trackedRequests: Set<String> { Set(trackers.keys) }

    // MARK: Shared helpers

    var namespace: String { configuration.namespace }
    var now: Date { clock() }
    var nowSeconds: Int64 { Int64(now.timeIntervalSince1970) }

    func identity(_ user: ChatUser) -> String { "\(configuration.identityPrefix):\(user.id)" }

    func displayName(_ user: ChatUser) -> String {
        user.username.map { "@\($0)" } ?? identity(user)
    }

    /// The user id in a `requested-by` value this engine wrote, if it is one.
    func userID(fromIdentity identity: String?) -> Int64? {
        guard let identity, identity.hasPrefix(configuration.identityPrefix + ":") else { return nil }
        return Int64(identity.dropFirst(configuration.identityPrefix.count + 1))
    }

    @discardableResult
    func reply(_ chatID: Int64, _ html: String, buttons: [[ChatButton]] = []) async -> ChatMessageRef? {
        do {
            return try await surface.send(OutgoingMessage(html: html, buttons: buttons), to: chatID)
        } catch {
            logger.debug("could not send a chat message", metadata: ["chat": "\(chatID)", "error": "\(error)"])
            return nil
        }
    }

    func edit(_ ref: ChatMessageRef, _ html: String, buttons: [[ChatButton]] = []) async {
        do {
            try await surface.edit(ref, to: OutgoingMessage(html: html, buttons: buttons))
        } catch {
            logger.debug("could not edit a chat message", metadata: ["chat": "\(ref.chatID)", "error": "\(error)"])
        }
    }

    func answer(_ callbackID: String, _ text: String?, alert: Bool = false) async {
        do {
            try await surface.answerCallback(callbackID, text: text, alert: alert)
        } catch {
            logger.debug("could not answer a callback", metadata: ["error": "\(error)"])
        }
    }

    /// Appends to the audit log and, when a request is concerned, records the Event on it.
    func record(_ action: AuditAction, user: ChatUser?, chatID: Int64?, environment: String? = nil, commit: String? = nil,
                request: DeploymentRequest? = nil, requestName: String? = nil, result: String = "ok") async {
        let name = request?.metadata.name ?? requestName
        let entry = AuditEntry(time: now, actorID: user?.id ?? 0, username: user?.username, chatID: chatID, action: action,
                               environment: environment, commit: commit, request: name, result: result)
        if let audit {
            do {
                try await audit.append(entry)
            } catch {
                logger.error("could not write the audit log", metadata: ["error": "\(error)"])
            }
        }
        var metadata: Logger.Metadata = ["action": "\(action.rawValue)", "result": "\(result)"]
        if let user { metadata["actor"] = "\(user.id)" }
        if let environment { metadata["target"] = "\(environment)" }
        if let name { metadata["request"] = "\(name)" }
        logger.debug("chat action", metadata: metadata)
        if let request {
            let who = user.map { displayName($0) } ?? "the controller"
            var message = "\(action.rawValue) by \(who)"
            if let commit { message += ", commit \(commit)" }
            if result != "ok" { message += ": \(result)" }
            await events.record(action, on: request, message: message, now: now)
        }
    }

    // MARK: Cluster reads

    enum Lookup<T> {
        case found(T)
        case reply(String)
    }

    func targets() async -> Lookup<[DeploymentTarget]> {
        do {
            return .found(try await kube.listAll(DeploymentTarget.self, namespace: namespace).items)
        } catch {
            logger.debug("could not list DeploymentTargets", metadata: ["error": "\(error)"])
            return .reply("The cluster cannot be reached right now; nothing was done. Try again in a minute.")
        }
    }

    func requests() async -> Lookup<[DeploymentRequest]> {
        do {
            return .found(try await kube.listAll(DeploymentRequest.self, namespace: namespace).items)
        } catch {
            logger.debug("could not list DeploymentRequests", metadata: ["error": "\(error)"])
            return .reply("The cluster cannot be reached right now; nothing was done. Try again in a minute.")
        }
    }

    /// The words users may type: environments and target names.
    static func environmentWords(_ targets: [DeploymentTarget]) -> Set<String> {
        Set(targets.flatMap { [$0.spec.environment] + ($0.metadata.name.map { [$0] } ?? []) })
    }

    /// The one target a word names: a target name, or an environment only one target has.
    static func target(named word: String, in targets: [DeploymentTarget]) -> Lookup<DeploymentTarget> {
        if let exact = targets.first(where: { $0.metadata.name == word }) { return .found(exact) }
        let matching = targets.filter { $0.spec.environment == word }
        switch matching.count {
        case 1: return .found(matching[0])
        case 0: return .reply("Unknown environment \(HTML.code(word)).")
        default:
            let names = matching.compactMap(\.metadata.name).sorted().map { HTML.code($0) }.joined(separator: ", ")
            return .reply("\(HTML.code(word)) names several targets: \(names). Name one of them.")
        }
    }

    /// The image of a deploy of `commit`: the target's repository with the configured tag.
    func image(for target: DeploymentTarget, commit: String) -> String {
        let tag = configuration.imageTagTemplate
            .replacingOccurrences(of: "{commit}", with: commit)
            .replacingOccurrences(of: "{short}", with: String(commit.prefix(7)))
        return "\(target.spec.source.imageRepository):\(tag)"
    }
}
