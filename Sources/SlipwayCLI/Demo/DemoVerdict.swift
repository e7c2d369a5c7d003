import Kube
import SlipwayAPI

/// How one release of the demo ended against what it should show.
public struct DemoOutcome: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// Ended as expected.
        case asExpected
        /// Not run to an end: the controller here does not release this strategy.
        case skipped(String)
        /// Ended otherwise, or not at all.
        case unexpected(String)
    }

    public var release: DemoScenario.Release
    public var requestName: String?
    /// nil when the request never ended (the demo's deadline passed).
    public var phase: Phase?
    public var message: String?
    public var seconds: Double?

    public init(release: DemoScenario.Release, requestName: String?, phase: Phase?, message: String?, seconds: Double?) {
        self.release = release
        self.requestName = requestName
        self.phase = phase
        self.message = message
        self.seconds = seconds
    }

    /// A canary request the controller rejects because it cannot release canaries yet is
    /// skipped, not failed: the demo shows what this build of the controller can do.
    public var verdict: Verdict {
        guard let phase else { return .unexpected("did not end in time") }
        if release.expected.contains(phase) {
            if let words = release.messageContains, !(message ?? "").contains(words) {
                return .unexpected("ended \(phase.rawValue), but not because it \(words): \(message ?? "no message")")
            }
            return .asExpected
        }
        if release.strategy == .canary, phase == .rejected, let message, Self.saysCanaryUnsupported(message) {
            return .skipped("this controller does not release canary targets yet")
        }
        return .unexpected("ended \(phase.rawValue), expected \(release.expected.map(\.rawValue).sorted().joined(separator: " or "))")
    }

    static func saysCanaryUnsupported(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("canary") && (lower.contains("not release") || lower.contains("not supported") || lower.contains("unsupported"))
    }
}

/// The closing table of the demo and whether the demo as a whole went as it should.
public enum DemoSummary {
    /// Every release ended as expected or was skipped, and at least one ran.
    public static func passed(_ outcomes: [DemoOutcome]) -> Bool {
        var ran = 0
        for outcome in outcomes {
            switch outcome.verdict {
            case .asExpected: ran += 1
            case .skipped: continue
            case .unexpected: return false
            }
        }
        return ran > 0
    }

    public static func table(_ outcomes: [DemoOutcome]) -> TextTable {
        let rows = outcomes.map { outcome -> [String] in
            let result: String
            switch outcome.verdict {
            case .asExpected: result = "ok: " + outcome.release.story
            case .skipped(let why): result = "skipped: " + why
            case .unexpected(let why):
                let message = outcome.message.map { $0.count > 120 ? String($0.prefix(119)) + "…" : $0 }
                result = "UNEXPECTED: " + why + (message.map { " (\($0))" } ?? "")
            }
            return [
                outcome.release.title,
                outcome.requestName ?? "-",
                outcome.release.strategy.rawValue,
                outcome.release.image.split(separator: "/").last.map(String.init) ?? outcome.release.image,
                outcome.phase?.rawValue ?? "-",
                outcome.seconds.map { DurationText.format(seconds: $0) } ?? "-",
                result,
            ]
        }
        return TextTable(headers: ["RELEASE", "REQUEST", "STRATEGY", "IMAGE", "PHASE", "TOOK", "RESULT"], rows: rows)
    }

    /// Colours the summary on a terminal: phases as everywhere, results by verdict.
    public static func colour(column: String, cell: String) -> TerminalStyle.Colour? {
        if column == "RESULT" {
            if cell.hasPrefix("ok") { return .green }
            if cell.hasPrefix("skipped") { return .yellow }
            return .red
        }
        return RequestTable.colour(column: column, cell: cell)
    }
}
