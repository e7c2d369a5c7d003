import Foundation
import Kube
import SlipwayAPI

/// The replies to /status, /history and /help, as pure functions of what the cluster holds.
public enum StatusView {
    /// One block per target: live commit and image, health, active request and its phase.
    public static func status(targets: [DeploymentTarget], requests: [DeploymentRequest]) -> String {
        guard !targets.isEmpty else { return "No environments are configured." }
        let byName = Dictionary(requests.compactMap { request in request.metadata.name.map { ($0, request) } }) { first, _ in first }
        let sorted = targets.sorted { ($0.spec.environment, $0.metadata.name ?? "") < ($1.spec.environment, $1.metadata.name ?? "") }
        return sorted.map { target in
            let status = target.status
            var lines = ["<b>\(HTML.escape(target.spec.environment))</b> (\(HTML.escape(target.metadata.name ?? "?")))"]
            let commit = status?.currentCommit.map { HTML.code(String($0.prefix(7))) } ?? "no commit"
            lines.append("live: \(commit) · \(status?.currentImage.map { HTML.code($0) } ?? "no release yet")")
            lines.append("health: \(healthIcon(status?.health)) \(HTML.escape((status?.health ?? .unknown).rawValue))")
            if let active = status?.activeRequest {
                let phase = byName[active].map { $0.phase.rawValue } ?? "unknown"
                lines.append("active: \(HTML.code(active)) · \(HTML.escape(phase))")
            } else {
                lines.append("active: none")
            }
            if let queue = status?.queue, !queue.isEmpty { lines.append("queued: \(queue.count)") }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The newest `limit` requests of a target: when, what, who, result.
    public static func history(environment: String, target: DeploymentTarget, requests: [DeploymentRequest], limit: Int = 10) -> String {
        let name = target.metadata.name ?? ""
        let mine = requests.filter { $0.spec.target == name }
            .sorted { created($0) > created($1) }
            .prefix(limit)
        guard !mine.isEmpty else { return "No releases of \(HTML.bold(environment)) yet." }
        var lines = ["Recent releases of \(HTML.bold(environment)):"]
        for request in mine {
            let when = request.status?.finishedAt ?? request.status?.startedAt ?? request.metadata.creationTimestamp ?? "?"
            let what = request.spec.effectiveAction == .rollback ? "rollback" : (request.spec.commit.map { String($0.prefix(7)) } ?? "deploy")
            let who = request.requestedBy ?? "unknown"
            lines.append("\(HTML.escape(when)) · \(HTML.code(what)) · \(HTML.escape(who)) · \(ProgressView.icon(request.phase)) \(HTML.escape(request.phase.rawValue))")
        }
        return lines.joined(separator: "\n")
    }

    /// The commands `permissions` allow, one a line.
    public static func help(permissions: Set<ChatPermission>) -> String {
        guard permissions.contains(.view) else { return "You are not allowed to use this bot." }
        var lines = ["Your commands:"]
        lines.append("/status — every environment: live commit, health, active release")
        lines.append("/history ENVIRONMENT — recent releases")
        if permissions.contains(.deploy) { lines.append("/deploy ENVIRONMENT [COMMIT] — release a commit (default: the branch's newest)") }
        if permissions.contains(.rollback) { lines.append("/rollback ENVIRONMENT — back to the previous release") }
        if permissions.contains(.approve) { lines.append("/approve ENVIRONMENT — approve the waiting release") }
        if permissions.contains(.steer) {
            lines.append("/promote ENVIRONMENT — continue a paused release")
            lines.append("/abort ENVIRONMENT — stop the release and return to the previous one")
        }
        lines.append("/help — this list")
        return lines.map { HTML.escape($0) }.joined(separator: "\n")
    }

    static func created(_ request: DeploymentRequest) -> String {
        request.metadata.creationTimestamp ?? ""
    }

    static func healthIcon(_ health: TargetHealth?) -> String {
        switch health {
        case .healthy: "🟢"
        case .degraded: "🔴"
        case .progressing: "🟡"
        case .unknown, nil: "⚪"
        }
    }
}
