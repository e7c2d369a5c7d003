import Foundation
import Kube
import Registry
import SlipwayAPI

/// The progress message of one request, as a pure function of the request (and its target,
/// for the number of canary steps): phase, step, weight, gate results, a text progress bar,
/// and at the end the result. The engine edits the message whenever this text changes.
public enum ProgressView {
    /// The message text (HTML, escaped).
    public static func render(_ request: DeploymentRequest, target: DeploymentTarget?) -> String {
        let environment = target?.spec.environment ?? request.spec.target
        var lines: [String] = [headline(request, environment: environment)]
        if let requester = request.requestedBy {
            lines.append("Requested by \(HTML.escape(requester))" + approvals(request, target: target))
        }
        if let image = imageLine(request) { lines.append(image) }
        let phase = request.phase
        var phaseLine = "\(icon(phase)) <b>\(HTML.escape(phase.rawValue))</b>"
        if let step = request.status?.currentStep, let steps = canarySteps(target), steps > 0 {
            phaseLine += " · step \(min(step + 1, steps))/\(steps)"
        }
        if let weight = request.status?.canaryWeight { phaseLine += " · weight \(weight)%" }
        if let slot = request.status?.slot { phaseLine += " · slot \(HTML.escape(slot.rawValue))" }
        lines.append(phaseLine)
        lines.append("<code>\(bar(progress(request, target: target)))</code>")
        for gate in request.status?.gates ?? [] {
            lines.append(gateLine(gate))
        }
        if let message = request.status?.message, !message.isEmpty {
            lines.append("<i>\(HTML.escape(truncated(message, to: 300)))</i>")
        }
        if phase.isTerminal { lines.append(result(request, environment: environment)) }
        return lines.joined(separator: "\n")
    }

    /// `Image <code>shop/web:1.4.2</code> · <code>sha256:0123456789ab</code>` once admission has
    /// resolved the image in its registry (the target's imagePolicy): what really runs.
    static func imageLine(_ request: DeploymentRequest) -> String? {
        guard let digest = request.status?.releaseDigest.flatMap(ImageDigest.init) else { return nil }
        let image = request.status?.requestedImage ?? request.status?.releaseImage.map(ImageText.withoutDigest) ?? request.spec.image ?? "?"
        return "Image <code>\(HTML.escape(image))</code> · <code>\(HTML.escape(digest.short))</code>"
    }

    /// The buttons the request's phase allows.
    public static func actions(for request: DeploymentRequest) -> [CallbackKind] {
        switch request.phase {
        case .awaitingApproval: [.approve, .abort]
        case .paused: [.promote, .abort]
        case .pending, .queued, .progressing: [.abort]
        case .rejected, .succeeded, .failed, .rolledBack, .aborted: []
        }
    }

    /// A bar of `width` cells for `fraction` (0…1) and the percentage.
    public static func bar(_ fraction: Double, width: Int = 10) -> String {
        let clamped = min(max(fraction, 0), 1)
        let filled = Int((clamped * Double(width)).rounded())
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + " \(Int((clamped * 100).rounded()))%"
    }

    /// How far the release has come: canary by step, blue/green by phase; 100 % at any end.
    public static func progress(_ request: DeploymentRequest, target: DeploymentTarget?) -> Double {
        let phase = request.phase
        if phase.isTerminal { return 1 }
        switch phase {
        case .pending, .queued, .awaitingApproval: return 0
        default: break
        }
        if let steps = canarySteps(target), steps > 0 {
            let done = Double(request.status?.currentStep ?? 0)
            return min(done / Double(steps), 0.95)
        }
        if request.status?.trafficSwitchedAt != nil { return 0.8 }
        return phase == .paused ? 0.6 : 0.3
    }

    static func headline(_ request: DeploymentRequest, environment: String) -> String {
        let what: String
        switch request.spec.effectiveAction {
        case .deploy:
            let commit = request.spec.commit.map { "<code>\(HTML.escape(String($0.prefix(7))))</code>" }
                ?? "<code>\(HTML.escape(request.spec.image ?? "?"))</code>"
            what = "🚀 Deploy \(commit) to <b>\(HTML.escape(environment))</b>"
        case .rollback:
            what = "↩️ Roll back <b>\(HTML.escape(environment))</b>"
        }
        return what + " (\(HTML.escape(request.spec.target)))"
    }

    static func result(_ request: DeploymentRequest, environment: String) -> String {
        let env = "<b>\(HTML.escape(environment))</b>"
        let commit = request.spec.commit.map { "<code>\(HTML.escape(String($0.prefix(7))))</code>" } ?? "the release"
        switch request.phase {
        case .succeeded:
            return request.spec.effectiveAction == .rollback ? "✅ \(env) is back on its previous release." : "✅ \(commit) is live on \(env)."
        case .failed: return "❌ The release failed; \(env) is unchanged."
        case .rolledBack: return "↩️ The release failed and was rolled back; \(env) runs the previous release."
        case .aborted: return "⏹ Aborted; \(env) runs the previous release."
        case .rejected: return "⛔ Rejected; nothing changed on \(env)."
        default: return ""
        }
    }

    static func approvals(_ request: DeploymentRequest, target: DeploymentTarget?) -> String {
        guard let policy = target?.spec.approval, policy.isRequired else { return "" }
        let counted = request.countedApprovers(under: policy)
        let names = counted.isEmpty ? "" : ": " + counted.map { HTML.escape($0) }.joined(separator: ", ")
        return " · approvals \(counted.count)/\(policy.effectiveMinApprovers)\(names)"
    }

    static func gateLine(_ gate: GateStatus) -> String {
        let mark: String
        switch gate.phase {
        case .passed: mark = "✅"
        case .failed: mark = "❌"
        case .inconclusive: mark = "❔"
        case .running: mark = "⏳"
        case .pending, nil: mark = "…"
        }
        var line = "\(mark) gate \(HTML.code(gate.name))"
        let counts = [("ok", gate.successes), ("failed", gate.failures), ("no data", gate.inconclusive)]
            .compactMap { label, value in value.flatMap { $0 > 0 ? "\($0) \(label)" : nil } }
        if !counts.isEmpty { line += " " + counts.joined(separator: ", ") }
        if let value = gate.lastValue { line += " · last \(HTML.escape(truncated(value, to: 40)))" }
        if gate.phase == .failed, let error = gate.lastError { line += " · \(HTML.escape(truncated(error, to: 120)))" }
        return line
    }

    static func icon(_ phase: Phase) -> String {
        switch phase {
        case .pending, .queued: "⏳"
        case .awaitingApproval: "✋"
        case .progressing: "🔄"
        case .paused: "⏸"
        case .succeeded: "✅"
        case .failed: "❌"
        case .rolledBack: "↩️"
        case .aborted: "⏹"
        case .rejected: "⛔"
        }
    }

    static func canarySteps(_ target: DeploymentTarget?) -> Int? {
        target?.spec.strategy.canary?.steps.count
    }

    static func truncated(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
