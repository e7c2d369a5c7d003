import Foundation
import Kube
import SlipwayAPI

/// Button presses. Each is checked from scratch: the chat, the token (well-formed, issued by
/// this bot, bound to this chat and message, signed, not expired), the presser, and their
/// role as configured *now*; only then is it used up, once. Every refusal is audited.
extension ChatOpsEngine {
    func handleCallback(callbackID: String, message: ChatMessageRef, user: ChatUser, data: String) async {
        guard configuration.allowedChats.contains(message.chatID) else {
            await record(.callbackRejected, user: user, chatID: message.chatID, result: "chat not served")
            await answer(callbackID, "This chat is not served.", alert: true)
            return
        }
        let record: PendingCallback
        switch await ledger.check(data: data, chatID: message.chatID, messageID: message.messageID, now: nowSeconds) {
        case .success(let found): record = found
        case .failure(let refusal):
            await self.record(.callbackRejected, user: user, chatID: message.chatID, result: refusal.auditResult)
            let text = switch refusal {
            case .expired: "This button has expired. Send the command again."
            case .replayed: "This button was already used."
            case .tampered: "This button is not valid."
            }
            await answer(callbackID, text, alert: true)
            return
        }
        let binding = record.binding
        guard access.isKnown(user.id) else {
            await self.record(.denied, user: user, chatID: message.chatID, environment: binding.environment, result: "unknown user")
            await answer(callbackID, "You are not allowed to use this bot.", alert: true)
            return
        }
        guard case .found(let targets) = await targets(),
              let target = targets.first(where: { $0.metadata.name == binding.environment }) else {
            await answer(callbackID, "The environment cannot be read right now; try again.", alert: true)
            return
        }
        switch record.kind {
        case .confirmDeploy, .confirmRollback, .cancel:
            await confirmation(record, target: target, callbackID: callbackID, message: message, user: user)
        case .approve, .abort, .promote:
            await progressAction(record, target: target, callbackID: callbackID, message: message, user: user)
        }
    }

    private func confirmation(_ record: PendingCallback, target: DeploymentTarget, callbackID: String, message: ChatMessageRef,
                              user: ChatUser) async {
        let binding = record.binding
        let environment = target.spec.environment
        // The question was asked for one person; only they answer it.
        guard user.id == binding.userID else {
            await self.record(.callbackRejected, user: user, chatID: message.chatID, environment: binding.environment,
                              commit: binding.commit, requestName: binding.request, result: "not the requester")
            await answer(callbackID, "Only the person who asked can answer this.", alert: true)
            return
        }
        let isRollback = record.kind == .confirmRollback
        if record.kind != .cancel {
            let permission: ChatPermission = isRollback ? .rollback : .deploy
            guard access.allows(user.id, permission, on: target) else {
                await self.record(.denied, user: user, chatID: message.chatID, environment: binding.environment, commit: binding.commit,
                                  requestName: binding.request, result: "not allowed to \(isRollback ? "roll back" : "deploy")")
                await answer(callbackID, "You may no longer do this.", alert: true)
                await edit(message, "🚫 Not allowed any more; nothing was done.")
                return
            }
        }
        guard (try? await ledger.consume(record)) == true else {
            await self.record(.callbackRejected, user: user, chatID: message.chatID, environment: binding.environment,
                              requestName: binding.request, result: "replayed")
            await answer(callbackID, "This button was already used.", alert: true)
            return
        }
        let commit = binding.commit.isEmpty ? nil : binding.commit
        switch record.kind {
        case .cancel:
            await self.record(.deployCancelled, user: user, chatID: message.chatID, environment: binding.environment, commit: commit,
                              requestName: binding.request, result: "cancelled")
            await edit(message, "Cancelled; nothing was done on \(HTML.bold(environment)).")
            await answer(callbackID, "Cancelled")
        case .confirmDeploy:
            await answer(callbackID, "Confirmed")
            await edit(message, "🚀 Deploy \(HTML.code(String((commit ?? "").prefix(7)))) to \(HTML.bold(environment)): creating the request…")
            await createAndTrack(name: binding.request, target: target, action: .deploy, commit: commit, user: user, progress: message,
                                 audit: .deployConfirmed)
        case .confirmRollback:
            await answer(callbackID, "Confirmed")
            await edit(message, "↩️ Rolling back \(HTML.bold(environment)): creating the request…")
            await createAndTrack(name: binding.request, target: target, action: .rollback, commit: commit, user: user, progress: message,
                                 audit: .rollbackRequested)
        case .approve, .abort, .promote:
            break
        }
    }

    private func progressAction(_ record: PendingCallback, target: DeploymentTarget, callbackID: String, message: ChatMessageRef,
                                user: ChatUser) async {
        let binding = record.binding
        let request: DeploymentRequest
        do {
            request = try await kube.get(DeploymentRequest.self, name: binding.request, namespace: namespace)
        } catch {
            await answer(callbackID, "The release cannot be read right now; try again.", alert: true)
            return
        }
        // The commit shown is the commit acted on: a request changed behind the message is refused.
        guard (request.spec.commit ?? "") == binding.commit, request.spec.target == binding.environment else {
            await self.record(.callbackRejected, user: user, chatID: message.chatID, environment: binding.environment,
                              commit: binding.commit, request: request, result: "request changed")
            await answer(callbackID, "The release changed since this button was shown.", alert: true)
            return
        }
        let permission: ChatPermission = record.kind == .approve ? .approve : .steer
        guard access.allows(user.id, permission, on: target) else {
            await self.record(.denied, user: user, chatID: message.chatID, environment: binding.environment, commit: binding.commit,
                              request: request, result: "not allowed to \(Self.verb(record.kind))")
            await answer(callbackID, "You may not \(Self.verb(record.kind)) this release.", alert: true)
            return
        }
        if record.kind == .approve, request.requestedBy == identity(user),
           !(target.spec.approval?.effectiveRequesterMayApprove ?? false) {
            await self.record(.denied, user: user, chatID: message.chatID, environment: binding.environment, commit: binding.commit,
                              request: request, result: "requester may not approve")
            await answer(callbackID, "You asked for this release; someone else must approve it.", alert: true)
            return
        }
        guard (try? await ledger.consume(record)) == true else {
            await self.record(.callbackRejected, user: user, chatID: message.chatID, environment: binding.environment,
                              request: request, result: "replayed")
            await answer(callbackID, "This button was already used.", alert: true)
            return
        }
        let outcome = await steer(request, record.kind, target: target, user: user, chatID: message.chatID)
        await answer(callbackID, Self.plain(outcome.html), alert: !outcome.ok)
        // The watch re-renders the message with fresh buttons when the annotation lands.
    }

    /// Text without tags or entities, for callback answers (which are plain text).
    static func plain(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
