import Foundation
import Kube
import SlipwayAPI

/// The tables of `slipway request get`, `list` and `history`: the columns kubectl users expect
/// (NAME first, AGE last), with more under `-o wide`.
public enum RequestTable {
    /// - Parameter showNamespace: a NAMESPACE column first, for lists across namespaces.
    public static func table(_ requests: [DeploymentRequest], wide: Bool, now: Date, showNamespace: Bool = false) -> TextTable {
        var headers = ["NAME", "TARGET", "ACTION", "IMAGE", "PHASE", "STEP", "WEIGHT", "AGE"]
        if wide { headers += ["COMMIT", "REQUESTED-BY", "APPROVED-BY", "MESSAGE"] }
        if showNamespace { headers.insert("NAMESPACE", at: 0) }
        let rows = requests.map { request -> [String] in
            let status = request.status
            var row = [
                request.metadata.name ?? "",
                request.spec.target,
                request.spec.effectiveAction.rawValue,
                request.spec.image ?? (request.spec.effectiveAction == .rollback ? "(previous)" : "<none>"),
                request.phase.rawValue,
                stepCell(request),
                status?.canaryWeight.map { "\($0)%" } ?? "-",
                Age.of(request.metadata.creationTimestamp, now: now),
            ]
            if wide {
                let message = status?.message ?? ""
                row += [
                    request.spec.commit ?? "-",
                    request.requestedBy ?? "-",
                    request.approvers.isEmpty ? "-" : request.approvers.joined(separator: ","),
                    message.count > 80 ? String(message.prefix(79)) + "…" : message,
                ]
            }
            if showNamespace { row.insert(request.metadata.namespace ?? "", at: 0) }
            return row
        }
        return TextTable(headers: headers, rows: rows)
    }

    /// The last thing the controller did, or the canary step.
    static func stepCell(_ request: DeploymentRequest) -> String {
        if let step = request.status?.currentStep { return "step \(step + 1)" }
        return request.status?.timeline?.last?.action ?? "-"
    }

    /// `slipway request history TARGET`: releases oldest first (the latest next to the prompt),
    /// with when they ran and who asked.
    public static func history(_ requests: [DeploymentRequest], now: Date) -> TextTable {
        let rows = oldestFirst(requests).map { request -> [String] in
            let status = request.status
            return [
                request.metadata.name ?? "",
                request.spec.effectiveAction.rawValue,
                request.spec.image ?? (status?.previousImage.map { "(back from \($0))" } ?? "(previous)"),
                request.phase.rawValue,
                request.requestedBy ?? "-",
                status?.startedAt.map { Age.of($0, now: now) + " ago" } ?? "-",
                duration(from: status?.startedAt, to: status?.finishedAt) ?? "-",
            ]
        }
        return TextTable(headers: ["NAME", "ACTION", "IMAGE", "PHASE", "REQUESTED-BY", "STARTED", "DURATION"], rows: rows)
    }

    /// Oldest first by creation time, then by name (creation timestamps have one-second resolution).
    public static func oldestFirst(_ requests: [DeploymentRequest]) -> [DeploymentRequest] {
        requests.sorted { a, b in
            let (ta, tb) = (a.metadata.creationTimestamp ?? "", b.metadata.creationTimestamp ?? "")
            return ta != tb ? ta < tb : (a.metadata.name ?? "") < (b.metadata.name ?? "")
        }
    }

    static func duration(from start: String?, to end: String?) -> String? {
        guard let start, let end, let from = Age.parse(start), let to = Age.parse(end) else { return nil }
        return DurationText.format(seconds: to.timeIntervalSince(from))
    }

    /// Cell colours for tables on a terminal: the phase column by how the request stands.
    public static func colour(column: String, cell: String) -> TerminalStyle.Colour? {
        guard column == "PHASE", let phase = Phase(rawValue: cell) else { return nil }
        return ProgressRenderer.colour(phase)
    }
}
