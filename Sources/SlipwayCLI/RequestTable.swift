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
                ImageText.withDigest(request.spec.image, status: status) ?? (request.spec.effectiveAction == .rollback ? "(previous)" : "<none>"),
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

    /// The canary step while a release runs; otherwise the last thing the controller did (a
    /// finished canary's step index points past its last step, which says nothing useful).
    static func stepCell(_ request: DeploymentRequest) -> String {
        if let step = request.status?.currentStep, !(request.status?.phase?.isTerminal ?? false) { return "step \(step + 1)" }
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
                ImageText.withDigest(request.spec.image, status: status) ?? (status?.previousImage.map { "(back from \(ImageText.short($0)))" } ?? "(previous)"),
                request.phase.rawValue,
                request.requestedBy ?? "-",
                status?.startedAt.map { Age.of($0, now: now) + " ago" } ?? "-",
                duration(from: status?.startedAt, to: status?.finishedAt) ?? "-",
            ]
        }
        return TextTable(headers: ["NAME", "ACTION", "IMAGE", "PHASE", "REQUESTED-BY", "STARTED", "DURATION"], rows: rows)
    }

    /// Oldest first: by creation time, then by start (creation timestamps have one-second
    /// resolution, and of two requests created in the same second the one that started first
    /// ran first), then by name.
    public static func oldestFirst(_ requests: [DeploymentRequest]) -> [DeploymentRequest] {
        requests.sorted {
            orderedBefore(created: ($0.metadata.creationTimestamp, $1.metadata.creationTimestamp),
                          started: ($0.status?.startedAt, $1.status?.startedAt), names: ($0.metadata.name, $1.metadata.name))
        }
    }

    /// The order of `oldestFirst`, for callers holding the fields rather than typed requests.
    /// RFC 3339 timestamps in UTC sort as text; a request not yet started sorts after one that has.
    public static func orderedBefore(created: (String?, String?), started: (String?, String?), names: (String?, String?)) -> Bool {
        let (c0, c1) = (created.0 ?? "", created.1 ?? "")
        if c0 != c1 { return c0 < c1 }
        let (s0, s1) = (started.0 ?? "~", started.1 ?? "~")
        if s0 != s1 { return s0 < s1 }
        return (names.0 ?? "") < (names.1 ?? "")
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
