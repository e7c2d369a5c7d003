import Foundation
import Kube
import Logging
import SlipwayAPI

/// Keeping a request's progress message up to date: a watch on the one request (re-listed
/// after every end or error, so it is level-triggered like the controller), each change
/// rendered by `ProgressView` and edited into the message only when the text or buttons
/// changed. The surface coalesces edits further (Telegram: about one per second per chat).
extension ChatOpsEngine {
    func startTracking(_ name: String, progress: ChatMessageRef) {
        guard trackers[name] == nil else { return }
        trackers[name] = Task { [weak self] in
            await self?.follow(name, progress: progress)
        }
    }

    /// Picks up the progress messages of unfinished requests this front-end created, after a
    /// restart. Returns how many it follows.
    @discardableResult
    public func resumeTracking() async -> Int {
        guard case .found(let all) = await requests() else { return 0 }
        var count = 0
        for request in all where !request.phase.isTerminal {
            guard let name = request.metadata.name, let ref = Self.progressMessage(of: request),
                  configuration.allowedChats.contains(ref.chatID) else { continue }
            startTracking(name, progress: ref)
            count += 1
        }
        return count
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
        var backoff = Duration.milliseconds(500)
        defer { trackers[name] = nil }
        while !Task.isCancelled {
            do {
                let request = try await kube.get(DeploymentRequest.self, name: name, namespace: namespace)
                if await show(request, progress: progress, shown: &shown) { return }
                let options = WatchOptions(resourceVersion: request.metadata.resourceVersion, fieldSelector: "metadata.name=\(name)",
                                           timeoutSeconds: 290)
                for try await event in kube.watch(DeploymentRequest.self, namespace: namespace, options: options) {
                    switch event {
                    case .added(let changed), .modified(let changed):
                        if await show(changed, progress: progress, shown: &shown) { return }
                    case .deleted:
                        await edit(progress, (shown?.html ?? "") + "\n(The request was deleted.)")
                        try? await ledger.discard(group: Self.progressGroup(name))
                        return
                    case .bookmark, .error:
                        continue
                    }
                }
                backoff = .milliseconds(500)
            } catch let error as KubeError where error.isNotFound {
                return
            } catch {
                if Task.isCancelled { return }
                logger.debug("progress watch interrupted", metadata: ["request": "\(name)", "error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    static func progressGroup(_ name: String) -> String { "progress:\(name)" }

    /// Renders and, if changed, edits; at the end announces the outcome. True once the
    /// request is finished.
    private func show(_ request: DeploymentRequest, progress: ChatMessageRef, shown: inout OutgoingMessage?) async -> Bool {
        let target = try? await kube.get(DeploymentTarget.self, name: request.spec.target, namespace: namespace)
        let message = OutgoingMessage(html: ProgressView.render(request, target: target),
                                      buttons: await progressButtons(request, target: target, progress: progress))
        if message != shown {
            await edit(progress, message.html, buttons: message.buttons)
            shown = message
        }
        guard request.phase.isTerminal else { return false }
        try? await ledger.discard(group: Self.progressGroup(request.metadata.name ?? ""))
        await announceOutcome(request, target: target, progress: progress)
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
