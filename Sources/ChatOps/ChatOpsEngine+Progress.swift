import Foundation
import JSON
import Kube
import KubeRuntime
import Logging
import SlipwayAPI

/// Keeping a request's progress message up to date: every message hears its request's changes
/// from the engine's one shared watch (`RequestFeed`, level-triggered like the controller),
/// each change rendered by `ProgressView` and edited into the message only when the text or
/// buttons changed. The surface coalesces edits further (Telegram: about one per second per chat).
extension ChatOpsEngine {
    func startTracking(_ name: String, progress: ChatMessageRef) {
        guard trackers[name] == nil else { return }
        trackers[name] = Task { [weak self] in
            await self?.follow(name, progress: progress)
        }
    }

    /// Picks up the progress messages of unfinished requests this front-end created, after a
    /// restart, and settles the ones that finished while no front-end ran: their progress
    /// message gets its final edit and their outcome its audit line and announcement, once
    /// (see `claimAnnouncement`). Returns how many requests it follows or settled.
    @discardableResult
    public func resumeTracking() async -> Int {
        guard case .found(let all) = await requests() else { return 0 }
        var count = 0
        for request in all {
            guard let name = request.metadata.name, let ref = Self.progressMessage(of: request),
                  configuration.allowedChats.contains(ref.chatID) else { continue }
            if !request.phase.isTerminal {
                startTracking(name, progress: ref)
                count += 1
            } else if needsSettling(request) {
                var shown: OutgoingMessage?
                _ = await show(request, progress: ref, shown: &shown)
                count += 1
            }
        }
        return count
    }

    /// How long after its end a finished request's outcome is still announced when a front-end
    /// starts: older outcomes are history (`/history`), not news.
    public static let outcomeSettlementWindow: TimeInterval = 24 * 60 * 60

    /// A finished request whose outcome no front-end has announced, recently enough to matter.
    func needsSettling(_ request: DeploymentRequest) -> Bool {
        guard request.phase.isTerminal, request.metadata.annotations?[Self.outcomeAnnouncedAnnotation] == nil else { return false }
        guard let stamp = request.status?.finishedAt ?? request.metadata.creationTimestamp, let ended = RFC3339.date(from: stamp) else {
            return false
        }
        return now.timeIntervalSince(ended) <= Self.outcomeSettlementWindow
    }

    /// Marks the request's outcome as announced, under optimistic concurrency (the request's
    /// resourceVersion is a precondition), so that of two replicas, or a front-end restarted
    /// mid-announcement, exactly one announces it. Claiming before announcing means a crash in
    /// between loses that one announcement rather than repeating it; the progress message and
    /// `/history` still show the result.
    /// See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
    func claimAnnouncement(_ request: DeploymentRequest) async -> Bool {
        guard request.metadata.annotations?[Self.outcomeAnnouncedAnnotation] == nil, let name = request.metadata.name else { return false }
        var meta: OrderedDictionary<String, JSONValue> = [
            "annotations": .object([Self.outcomeAnnouncedAnnotation: .string(RFC3339.string(from: now))]),
        ]
        if let version = request.metadata.resourceVersion { meta["resourceVersion"] = .string(version) }
        do {
            _ = try await kube.patch(DeploymentRequest.self, name: name, namespace: namespace, patch: .merge(.object(["metadata": .object(meta)])))
            return true
        } catch where error.isConflict {
            // Changed since read: announce only if nobody has claimed it meanwhile.
            guard let fresh = try? await kube.get(DeploymentRequest.self, name: name, namespace: namespace),
                  fresh.metadata.resourceVersion != request.metadata.resourceVersion else { return false }
            return await claimAnnouncement(fresh)
        } catch {
            logger.debug("could not mark an outcome as announced", metadata: ["request": "\(name)", "error": "\(error)"])
            return false
        }
    }

    /// The `slipway.dev/chat-message` of a request.
    static func progressMessage(of request: DeploymentRequest) -> ChatMessageRef? {
        guard let value = request.metadata.annotations?[chatMessageAnnotation] else { return nil }
        let parts = value.split(separator: "/")
        guard parts.count == 2, let chat = Int64(parts[0]), let message = Int64(parts[1]) else { return nil }
        return ChatMessageRef(chatID: chat, messageID: message)
    }

    private func follow(_ name: String, progress: ChatMessageRef) async {
        var shown: OutgoingMessage?
        defer { trackers[name] = nil }
        // Subscribed before the cache is read, so no change between the two is missed.
        let (id, events) = feed.subscribe(name)
        defer { feed.unsubscribe(name, id: id) }
        await feed.waitUntilSynced()
        if Task.isCancelled { return }
        if let request = feed.requests.get(name: name, namespace: namespace) {
            if await show(request, progress: progress, shown: &shown) { return }
        } else if await confirmGone(name) {
            return
        }
        for await event in events {
            switch event {
            case .changed(let request):
                if await show(request, progress: progress, shown: &shown) { return }
            case .absentFromList:
                if await confirmGone(name) { return }
            case .deleted:
                await edit(progress, (shown?.html ?? "") + "\n(The request was deleted.)")
                try? await ledger.discard(group: Self.progressGroup(name))
                return
            }
        }
    }

    /// Whether the request is gone for good, asked of the API when the cache does not have it
    /// (it may have been created after the cache's last list).
    private func confirmGone(_ name: String) async -> Bool {
        do {
            _ = try await kube.get(DeploymentRequest.self, name: name, namespace: namespace)
            return false
        } catch {
            return error.isNotFound
        }
    }

    static func progressGroup(_ name: String) -> String { "progress:\(name)" }

    /// Renders and, if changed, edits; at the end announces the outcome. True once the
    /// request is finished.
    func show(_ request: DeploymentRequest, progress: ChatMessageRef, shown: inout OutgoingMessage?) async -> Bool {
        var target = feed.targets.get(name: request.spec.target, namespace: namespace)
        if target == nil, !feed.targets.hasSynced {
            target = try? await kube.get(DeploymentTarget.self, name: request.spec.target, namespace: namespace)
        }
        let message = OutgoingMessage(html: ProgressView.render(request, target: target),
                                      buttons: await progressButtons(request, target: target, progress: progress))
        // After a restart `shown` is empty: the memory in the state directory tells whether the
        // message already reads so.
        let shownBeforeRestart = shown == nil ? await progressMemory.isShown(message, on: progress) : false
        if message != shown, !shownBeforeRestart {
            await edit(progress, message.html, buttons: message.buttons)
            await progressMemory.remember(message, on: progress)
        }
        shown = message
        guard request.phase.isTerminal else { return false }
        await progressMemory.forget(progress)
        try? await ledger.discard(group: Self.progressGroup(request.metadata.name ?? ""))
        if await claimAnnouncement(request) {
            await announceOutcome(request, target: target, progress: progress)
        }
        return true
    }

    /// Approve / Promote / Abort as the phase allows, bound to this message and request;
    /// the same tokens are shown until one is used or they expire.
    private func progressButtons(_ request: DeploymentRequest, target: DeploymentTarget?, progress: ChatMessageRef) async -> [[ChatButton]] {
        guard let name = request.metadata.name else { return [] }
        let wanted = ProgressView.actions(for: request)
        let group = Self.progressGroup(name)
        guard !wanted.isEmpty else { return [] }
        var pending = await ledger.pending(group: group)
        let nowSeconds = self.nowSeconds
        if Set(pending.map(\.kind)) != Set(wanted) || pending.contains(where: { $0.expiresAt <= nowSeconds }) {
            try? await ledger.discard(group: group)
            let binding = CallbackToken.Binding(chatID: progress.chatID, messageID: progress.messageID,
                                                userID: userID(fromIdentity: request.requestedBy) ?? 0,
                                                environment: request.spec.target, commit: request.spec.commit ?? "", request: name)
            let expiry = nowSeconds + Int64(configuration.progressButtonLifetime.components.seconds)
            pending = []
            for kind in wanted {
                guard (try? await ledger.issue(kind, binding: binding, group: group, expiresAt: expiry)) != nil else { return [] }
            }
            pending = await ledger.pending(group: group)
        }
        var buttons: [ChatButton] = []
        for kind in wanted {
            guard let record = pending.first(where: { $0.kind == kind }) else { continue }
            let title = switch kind {
            case .approve: "Approve"
            case .promote: "Promote"
            case .abort: "Abort"
            default: Self.verb(kind)
            }
            buttons.append(ChatButton(title: title, callbackData: await ledger.token(for: record).data))
        }
        return [buttons]
    }

    /// Audits the outcome, announces failures in the chat (an edit does not notify anyone)
    /// and tells the notification chat about releases of watched environments.
    private func announceOutcome(_ request: DeploymentRequest, target: DeploymentTarget?, progress: ChatMessageRef) async {
        let environment = target?.spec.environment ?? request.spec.target
        let action: AuditAction?
        switch request.phase {
        case .succeeded: action = request.spec.effectiveAction == .rollback ? .rolledBack : .deploySucceeded
        case .failed, .rejected: action = .deployFailed
        case .rolledBack: action = .rolledBack
        default: action = nil  // aborted: the abort itself was recorded
        }
        if let action {
            await record(action, user: nil, chatID: progress.chatID, environment: request.spec.target, commit: request.spec.commit,
                         request: request, result: request.phase.rawValue)
        }
        let summary = ProgressView.headline(request, environment: environment) + "\n" + ProgressView.result(request, environment: environment)
        let detail = request.status?.message.map { "\n<i>\(HTML.escape(ProgressView.truncated($0, to: 300)))</i>" } ?? ""
        if !request.phase.isSuccessful && request.phase != .aborted {
            await reply(progress.chatID, summary + detail)
        }
        if configuration.notifyEnvironments.contains(environment), let chat = configuration.notificationChat, chat != progress.chatID {
            await reply(chat, summary + detail)
        }
    }
}
