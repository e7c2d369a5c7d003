import Foundation
import JSON
import Kube
import Logging
import Registry
import SlipwayAPI

extension ChatOpsEngine {
    /// Handles one command; returns how it ended.
    func handleCommand(chatID: Int64, messageID: Int64, user: ChatUser, text: String) async -> CommandOutcome {
        // Only configured chats are served; others get no answer at all.
        guard configuration.allowedChats.contains(chatID) else {
            await record(.denied, user: user, chatID: chatID, result: "chat not served")
            return .denied
        }
        guard access.isKnown(user.id) else {
            let replies = refusals.shouldReply(chatID: chatID, userID: user.id, now: now)
            await record(.denied, user: user, chatID: chatID, result: replies ? "unknown user" : "unknown user (not answered again)")
            if replies { await reply(chatID, "🚫 You are not allowed to use this bot.") }
            return .denied
        }
        let targets: [DeploymentTarget]
        switch await self.targets() {
        case .found(let found): targets = found
        case .reply(let text):
            await reply(chatID, HTML.escape(text))
            return .error
        }
        let command: ChatCommand
        switch CommandParser.parse(text, environments: Self.environmentWords(targets)) {
        case .success(let parsed): command = parsed
        case .failure(let rejection):
            // Every refused command is a line in the audit log (its kind, never the text itself):
            // probing for environments or commands shows there as well as attacks do.
            if rejection != .notACommand {
                await record(.denied, user: user, chatID: chatID, result: rejection.auditResult)
            }
            await reply(chatID, HTML.escape(rejection.explanation))
            return rejection == .forbiddenCharacters ? .denied : .invalid
        }

        switch command {
        case .start, .help:
            await reply(chatID, StatusView.help(permissions: access.permissions(of: user.id, targets: targets)))
            return .ok
        case .status:
            guard case .found(let requests) = await requests() else { await reply(chatID, "The cluster cannot be reached right now."); return .error }
            await reply(chatID, StatusView.status(targets: targets, requests: requests))
            return .ok
        case .history(let word):
            guard case .found(let target) = Self.target(named: word, in: targets) else { return await replyLookup(chatID, word, targets, user: user) }
            guard case .found(let requests) = await requests() else { await reply(chatID, "The cluster cannot be reached right now."); return .error }
            await reply(chatID, StatusView.history(environment: target.spec.environment, target: target, requests: requests))
            return .ok
        case .deploy(let word, let commit):
            guard case .found(let target) = Self.target(named: word, in: targets) else { return await replyLookup(chatID, word, targets, user: user) }
            return await deploy(target, commit: commit, chatID: chatID, messageID: messageID, user: user)
        case .rollback(let word):
            guard case .found(let target) = Self.target(named: word, in: targets) else { return await replyLookup(chatID, word, targets, user: user) }
            return await askRollback(target, chatID: chatID, messageID: messageID, user: user)
        case .approve(let word), .abort(let word), .promote(let word):
            guard case .found(let target) = Self.target(named: word, in: targets) else { return await replyLookup(chatID, word, targets, user: user) }
            let kind: CallbackKind = switch command {
            case .approve: .approve
            case .abort: .abort
            default: .promote
            }
            guard let request = await currentRequest(of: target, for: kind) else {
                await reply(chatID, "Nothing to \(Self.verb(kind)) on \(HTML.bold(target.spec.environment)) right now.")
                return .invalid
            }
            let outcome = await steer(request, kind, target: target, user: user, chatID: chatID)
            await reply(chatID, outcome.html)
            return outcome.outcome
        }
    }

    private func replyLookup(_ chatID: Int64, _ word: String, _ targets: [DeploymentTarget], user: ChatUser) async -> CommandOutcome {
        if case .reply(let text) = Self.target(named: word, in: targets) {
            await record(.denied, user: user, chatID: chatID, result: "refused input: no single target")
            await reply(chatID, text)
        }
        return .invalid
    }

    // MARK: Deploy

    func deploy(_ target: DeploymentTarget, commit typed: String?, chatID: Int64, messageID: Int64, user: ChatUser) async -> CommandOutcome {
        let environment = target.spec.environment
        let targetName = target.metadata.name ?? environment
        guard access.allows(user.id, .deploy, on: target) else {
            await record(.denied, user: user, chatID: chatID, environment: targetName, commit: typed, result: "not allowed to deploy")
            await reply(chatID, "🚫 You may not deploy to \(HTML.bold(environment)).")
            return .denied
        }
        let windowNote: String
        switch windowCheck(target) {
        case .closed(let sentence):
            await record(.denied, user: user, chatID: chatID, environment: targetName, commit: typed, result: "outside deployment window")
            await reply(chatID, "⛔ \(HTML.escape(sentence)) Nothing was done.")
            return .denied
        case .waits(let sentence): windowNote = "\n⏳ \(HTML.escape(sentence)) The release will wait for it."
        case .open: windowNote = ""
        }
        let commit: String
        if let typed {
            commit = typed
        } else {
            guard let github = target.spec.source.github else {
                await reply(chatID, "\(HTML.bold(environment)) has no GitHub repository to take the newest commit from; name one: /deploy \(HTML.escape(environment)) COMMIT")
                return .invalid
            }
            do {
                commit = try await resolver.newestCommit(owner: github.owner, repo: github.repo, branch: target.spec.source.branch ?? "main")
            } catch {
                // The error's own wording starts "resolving the newest commit:"; say that once.
                let reason = if case ChatOpsError.commitResolution(let message) = error { message } else { String(describing: error) }
                await reply(chatID, "Could not find the newest commit: \(HTML.escape(reason))")
                return .error
            }
        }
        let name = RequestNaming.name(target: targetName, chatID: chatID, messageID: messageID, action: .deploy)
        if await alreadyHandled(name) { return .ok }

        // The image is checked as the controller will check it, so that a release CI has not
        // built yet is refused here, before anyone confirms it.
        var imageNote = "", registryNote = ""
        let releaseImage = image(for: target, commit: commit)
        switch await images.check(releaseImage, policy: target.spec.imagePolicy, namespace: configuration.namespace,
                                  secrets: KubePullSecretSource(client: kube)) {
        case .accepted(_, let digest, let signedBy):
            if let digest { imageNote = " · \(HTML.code(digest.short))" + (signedBy == nil ? "" : ", signed") }
        case .notInRegistry(let message):
            await record(.denied, user: user, chatID: chatID, environment: targetName, commit: commit, result: "image not in the registry")
            await reply(chatID, "📦 \(HTML.code(releaseImage)) is not in the registry yet — is CI still building it? Nothing was done."
                + "\n<i>\(HTML.escape(message))</i>")
            return .invalid
        case .refused(let message):
            await record(.denied, user: user, chatID: chatID, environment: targetName, commit: commit, result: "image refused by the image policy")
            await reply(chatID, "⛔ \(HTML.code(releaseImage)) may not be deployed to \(HTML.bold(environment)): \(HTML.escape(message)). Nothing was done.")
            return .invalid
        case .unavailable(let message):
            registryNote = "\n⚠️ The registry cannot be asked now (\(HTML.escape(message))); the controller will retry until the progress deadline."
        }

        if needsConfirmation(target) {
            let question = "Deploy \(HTML.code(String(commit.prefix(7)))) to \(HTML.bold(environment))?"
                + " (\(HTML.code(commit)), image \(HTML.code(releaseImage))\(imageNote))" + windowNote + registryNote
            await ask(question, kind: .confirmDeploy, target: target, commit: commit, requestName: name, chatID: chatID, user: user)
            await record(.deployRequested, user: user, chatID: chatID, environment: targetName, commit: commit, requestName: name,
                         result: "awaiting confirmation")
            return .ok
        }
        guard let ref = await reply(chatID, "🚀 Deploy \(HTML.code(String(commit.prefix(7)))) to \(HTML.bold(environment)): creating the request…" + windowNote + registryNote) else { return .error }
        return await createAndTrack(name: name, target: target, action: .deploy, commit: commit, user: user, progress: ref,
                             audit: .deployRequested)
    }

    // MARK: Rollback

    func askRollback(_ target: DeploymentTarget, chatID: Int64, messageID: Int64, user: ChatUser) async -> CommandOutcome {
        let environment = target.spec.environment
        let targetName = target.metadata.name ?? environment
        guard access.allows(user.id, .rollback, on: target) else {
            await record(.denied, user: user, chatID: chatID, environment: targetName, result: "not allowed to roll back")
            await reply(chatID, "🚫 You may not roll back \(HTML.bold(environment)).")
            return .denied
        }
        guard let previous = target.status?.previousImage else {
            await reply(chatID, "\(HTML.bold(environment)) has no previous release to roll back to.")
            return .invalid
        }
        let name = RequestNaming.name(target: targetName, chatID: chatID, messageID: messageID, action: .rollback)
        if await alreadyHandled(name) { return .ok }
        let commit = target.status?.previousCommit ?? ""
        let current = target.status?.currentImage.map { HTML.code($0) } ?? "the current release"
        let question = "Roll back \(HTML.bold(environment)) from \(current) to \(HTML.code(previous))?"
        await ask(question, kind: .confirmRollback, target: target, commit: commit, requestName: name, chatID: chatID, user: user)
        await record(.rollbackRequested, user: user, chatID: chatID, environment: targetName, commit: commit.isEmpty ? nil : commit,
                     requestName: name, result: "awaiting confirmation")
        return .ok
    }

    // MARK: Confirmation questions

    /// Sends the question, then adds Confirm / Cancel bound to the message it landed in.
    func ask(_ question: String, kind: CallbackKind, target: DeploymentTarget, commit: String, requestName: String,
             chatID: Int64, user: ChatUser) async {
        guard let ref = await reply(chatID, question) else { return }
        let binding = CallbackToken.Binding(chatID: chatID, messageID: ref.messageID, userID: user.id,
                                            environment: target.metadata.name ?? target.spec.environment, commit: commit, request: requestName)
        let expiry = nowSeconds + Int64(configuration.callbackLifetime.components.seconds)
        let group = "confirm:\(chatID):\(ref.messageID)"
        do {
            let confirm = try await ledger.issue(kind, binding: binding, group: group, expiresAt: expiry)
            let cancel = try await ledger.issue(.cancel, binding: binding, group: group, expiresAt: expiry)
            await edit(ref, question, buttons: [[ChatButton(title: "Confirm", callbackData: confirm.data),
                                                 ChatButton(title: "Cancel", callbackData: cancel.data)]])
        } catch {
            logger.error("could not record a confirmation", metadata: ["error": "\(error)"])
            await edit(ref, question + "\n(Buttons are unavailable: the bot cannot record them. Nothing was done.)")
        }
    }

    func needsConfirmation(_ target: DeploymentTarget) -> Bool {
        configuration.confirmEnvironments.contains(target.spec.environment)
            || configuration.confirmEnvironments.contains(target.metadata.name ?? "")
    }

    enum WindowCheck {
        case open
        case waits(String)
        case closed(String)
    }

    /// Whether the target's windows allow a release now, explained in words.
    func windowCheck(_ target: DeploymentTarget) -> WindowCheck {
        guard let windows = target.spec.windows else { return .open }
        let now = self.now
        let decision = windows.decision(at: now)
        guard let sentence = WindowWording.sentence(environment: target.spec.environment, decision: decision,
                                                    timezone: windows.effectiveTimezone, now: now) else { return .open }
        return windows.effectiveOutsideWindow == .reject ? .closed(sentence) : .waits(sentence)
    }

    // MARK: Creating requests

    /// Whether the command that maps to `name` was seen before (a redelivered update): its
    /// request exists, or its question is still open.
    func alreadyHandled(_ name: String) async -> Bool {
        if await ledger.hasPending(request: name) { return true }
        return await exists(name)
    }

    func exists(_ name: String) async -> Bool {
        do {
            _ = try await kube.get(DeploymentRequest.self, name: name, namespace: namespace)
            return true
        } catch {
            return false
        }
    }

    /// Creates the request (AlreadyExists counts as done: someone created this very request),
    /// records the action, and keeps `progress` up to date from then on.
    @discardableResult
    func createAndTrack(name: String, target: DeploymentTarget, action: RequestAction, commit: String?, user: ChatUser,
                        progress: ChatMessageRef, audit auditAction: AuditAction) async -> CommandOutcome {
        let targetName = target.metadata.name ?? target.spec.environment
        let annotations = [
            SlipwayAnnotation.requestedBy: identity(user),
            Self.chatMessageAnnotation: "\(progress.chatID)/\(progress.messageID)",
        ]
        let spec: DeploymentRequestSpec
        switch action {
        case .deploy:
            let commit = commit ?? ""
            spec = DeploymentRequestSpec(target: targetName, action: .deploy, image: image(for: target, commit: commit), commit: commit,
                                         reason: "requested in chat by \(displayName(user))")
        case .rollback:
            spec = DeploymentRequestSpec(target: targetName, action: .rollback, reason: "rollback requested in chat by \(displayName(user))")
        }
        let draft = DeploymentRequest(metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations), spec: spec)
        let created: DeploymentRequest
        do {
            created = try await kube.create(draft, namespace: namespace)
        } catch where error.isAlreadyExists {
            logger.debug("request already exists; not creating it again", metadata: ["request": "\(name)"])
            guard let existing = try? await kube.get(DeploymentRequest.self, name: name, namespace: namespace) else { return .error }
            if let shown = Self.progressMessage(of: existing), shown != progress {
                await edit(progress, "This was already requested as \(HTML.code(name)); its progress is shown in the first message.")
            } else {
                startTracking(name, progress: progress)
            }
            return .ok
        } catch {
            logger.debug("could not create a request", metadata: ["request": "\(name)", "error": "\(error)"])
            await edit(progress, "Could not create the request: \(HTML.escape(error.description)). Nothing was done.")
            return .error
        }
        await record(auditAction, user: user, chatID: progress.chatID, environment: targetName, commit: commit, request: created)
        if configuration.notifyEnvironments.contains(target.spec.environment), let chat = configuration.notificationChat,
           chat != progress.chatID {
            await reply(chat, "📣 \(HTML.escape(displayName(user))) started: " + ProgressView.headline(created, environment: target.spec.environment))
        }
        startTracking(name, progress: progress)
        return .ok
    }

    // MARK: Steering running requests

    /// The request a command or button of `kind` is about.
    func currentRequest(of target: DeploymentTarget, for kind: CallbackKind) async -> DeploymentRequest? {
        guard case .found(let all) = await requests() else { return nil }
        let mine = all.filter { $0.spec.target == target.metadata.name && !$0.phase.isTerminal }
            .sorted { ($0.metadata.creationTimestamp ?? "", $0.metadata.name ?? "") > ($1.metadata.creationTimestamp ?? "", $1.metadata.name ?? "") }
        switch kind {
        case .approve: return mine.first { $0.phase == .awaitingApproval } ?? mine.first { !$0.isApproved(under: target.spec.approval) }
        case .promote: return mine.first { $0.phase == .paused }
        default:
            if let active = target.status?.activeRequest, let request = mine.first(where: { $0.metadata.name == active }) { return request }
            return mine.first
        }
    }

    struct SteerOutcome {
        var html: String
        var outcome: CommandOutcome
        var ok: Bool { outcome == .ok }
    }

    static func verb(_ kind: CallbackKind) -> String {
        switch kind {
        case .approve: "approve"
        case .abort: "abort"
        case .promote: "promote"
        case .confirmDeploy, .confirmRollback: "confirm"
        case .cancel: "cancel"
        }
    }

    /// Approves, promotes or aborts `request` for `user`, after checking they may.
    func steer(_ request: DeploymentRequest, _ kind: CallbackKind, target: DeploymentTarget, user: ChatUser, chatID: Int64) async -> SteerOutcome {
        let environment = target.spec.environment
        let targetName = target.metadata.name ?? environment
        let permission: ChatPermission = kind == .approve ? .approve : .steer
        guard access.allows(user.id, permission, on: target) else {
            await record(.denied, user: user, chatID: chatID, environment: targetName, commit: request.spec.commit, request: request,
                         result: "not allowed to \(Self.verb(kind))")
            return SteerOutcome(html: "🚫 You may not \(Self.verb(kind)) releases of \(HTML.bold(environment)).", outcome: .denied)
        }
        guard !request.phase.isTerminal else {
            return SteerOutcome(html: "That release has already ended (\(HTML.escape(request.phase.rawValue))).", outcome: .invalid)
        }
        let auditAction: AuditAction
        let annotations: [String: String]
        switch kind {
        case .approve:
            let me = identity(user)
            let policy = target.spec.approval ?? ApprovalPolicy(required: true)
            if request.requestedBy == me && !policy.effectiveRequesterMayApprove {
                await record(.denied, user: user, chatID: chatID, environment: targetName, commit: request.spec.commit, request: request,
                             result: "requester may not approve")
                return SteerOutcome(html: "🚫 You asked for this release; someone else must approve it.", outcome: .denied)
            }
            if request.approvers.contains(me) {
                return SteerOutcome(html: "You have already approved this release.", outcome: .ok)
            }
            return await approve(request, user: user, chatID: chatID, target: target)
        case .promote:
            guard request.phase == .paused else {
                return SteerOutcome(html: "The release is \(HTML.escape(request.phase.rawValue)), not paused; nothing to promote.", outcome: .invalid)
            }
            auditAction = .promoted
            annotations = [SlipwayAnnotation.promote: "true"]
        case .abort:
            auditAction = .aborted
            annotations = [SlipwayAnnotation.abort: "aborted in chat by \(identity(user))"]
        case .confirmDeploy, .confirmRollback, .cancel:
            return SteerOutcome(html: "Unknown action.", outcome: .invalid)
        }
        let patch = Patch.merge(.object(["metadata": .object(["annotations": .object(OrderedDictionary(uniqueKeysWithValues: annotations.map { ($0.key, JSONValue.string($0.value)) }))])]))
        do {
            let patched = try await kube.patch(DeploymentRequest.self, name: request.metadata.name ?? "", namespace: namespace, patch: patch)
            await record(auditAction, user: user, chatID: chatID, environment: targetName, commit: request.spec.commit, request: patched)
            return SteerOutcome(html: kind == .abort ? "⏹ Abort requested for \(HTML.bold(environment))." : "▶️ Promoted \(HTML.bold(environment)).", outcome: .ok)
        } catch {
            return SteerOutcome(html: "Could not \(Self.verb(kind)): \(HTML.escape(error.description)).", outcome: .error)
        }
    }

    /// Adds the user to `slipway.dev/approved-by`, under optimistic concurrency so that two
    /// approvers pressing at once both count.
    private func approve(_ request: DeploymentRequest, user: ChatUser, chatID: Int64, target: DeploymentTarget) async -> SteerOutcome {
        let me = identity(user)
        let name = request.metadata.name ?? ""
        var current = request
        for _ in 0..<5 {
            let approvers = current.approvers + (current.approvers.contains(me) ? [] : [me])
            let patch = Patch.merge(.object(["metadata": .object([
                "resourceVersion": current.metadata.resourceVersion.map(JSONValue.string) ?? .null,
                "annotations": .object([SlipwayAnnotation.approvedBy: .string(approvers.joined(separator: ","))]),
            ])]))
            do {
                let patched = try await kube.patch(DeploymentRequest.self, name: name, namespace: namespace, patch: patch)
                await record(.approved, user: user, chatID: chatID, environment: target.metadata.name, commit: request.spec.commit, request: patched)
                let policy = target.spec.approval ?? ApprovalPolicy(required: true)
                let counted = patched.countedApprovers(under: policy).count
                return SteerOutcome(html: "✅ Approved (\(counted)/\(policy.effectiveMinApprovers)) the release to \(HTML.bold(target.spec.environment)).", outcome: .ok)
            } catch where error.isConflict {
                guard let fresh = try? await kube.get(DeploymentRequest.self, name: name, namespace: namespace) else { break }
                current = fresh
            } catch {
                return SteerOutcome(html: "Could not approve: \(HTML.escape(error.description)).", outcome: .error)
            }
        }
        return SteerOutcome(html: "Could not approve: the request kept changing; try again.", outcome: .error)
    }
}
