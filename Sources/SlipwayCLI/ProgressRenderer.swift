import Kube
import SlipwayAPI

/// Turns `ReleaseProgress` into text: a bar with phase, step, weight and gates for a terminal,
/// or one plain line for logs and CI (printed only when it changes).
public struct ProgressRenderer: Sendable {
    public var style: TerminalStyle
    /// Columns available; lines are cut to fit so that redrawing in place stays aligned.
    public var width: Int
    public var barWidth: Int

    public init(style: TerminalStyle, width: Int = 100, barWidth: Int = 24) {
        self.style = style
        self.width = max(width, 40)
        self.barWidth = max(barWidth, 5)
    }

    /// The terminal form: a header, a bar with phase and step, and one line of gates when any ran.
    /// ```
    /// web-production-k4x9z  web-production  registry.example.com/shop/web:1.5.0
    ///   [██████████████░░░░░░░░░░]  60%  Progressing  switching traffic
    ///   gates: preview-healthy Passed (3 ok)
    /// ```
    public func block(_ progress: ReleaseProgress) -> [String] {
        var header = "\(style.paint(progress.name, .bold))  \(progress.target)"
        if let image = progress.image {
            header += "  \(image)"
        } else if progress.action == .rollback {
            header += "  rollback"
        }
        let filled = Int((progress.fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        let percent = String(Int((progress.fraction * 100).rounded(.down)))
        var line = "  [" + style.paint(bar, Self.colour(progress.phase)) + "] "
            + String(repeating: " ", count: max(0, 3 - percent.count)) + percent + "%  "
            + style.paint(progress.phase.rawValue, Self.colour(progress.phase))
        if !progress.step.isEmpty { line += "  " + progress.step }
        if let weight = progress.weight, !progress.phase.isTerminal { line += "  weight \(weight)%" }
        var lines = [fit(header), fit(line)]
        if !progress.gates.isEmpty {
            let gates = progress.gates.map { gate in
                let phase = gate.phase ?? .pending
                return style.paint(Self.mark(phase), Self.colour(phase)) + " " + gate.summary
            }
            lines.append(fit("  gates: " + gates.joined(separator: "  ")))
        }
        if progress.phase.isTerminal && progress.phase != .succeeded, let message = progress.message, !message.isEmpty {
            lines.append(fit("  " + style.paint(message, .dim)))
        }
        return lines
    }

    /// The log form, one line without escapes:
    /// `web-production-k4x9z Progressing 60% switching traffic; weight 25%; gates preview-healthy Passed (3 ok)`.
    public func plainLine(_ progress: ReleaseProgress) -> String {
        var line = "\(progress.name) \(progress.phase.rawValue) \(Int((progress.fraction * 100).rounded(.down)))%"
        if !progress.step.isEmpty { line += " \(progress.step)" }
        if let weight = progress.weight, !progress.phase.isTerminal { line += "; weight \(weight)%" }
        if !progress.gates.isEmpty { line += "; gates " + progress.gates.map(\.summary).joined(separator: ", ") }
        if progress.phase.isTerminal, let message = progress.message, !message.isEmpty { line += "; \(message)" }
        return line
    }

    /// Cuts a line to the width, counting only visible characters (escapes are kept whole,
    /// and a cut line ends with a reset so that colour does not leak).
    func fit(_ line: String) -> String {
        var visible = 0
        var result = ""
        var inEscape = false
        var cut = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape {
                result.append(character)
                if character == "m" { inEscape = false }
                continue
            }
            if visible == width - 1 {
                cut = true
                break
            }
            result.append(character)
            visible += 1
        }
        if cut {
            result.append("…")
            if style.colours { result += "\u{1B}[0m" }
        }
        return result
    }

    public static func colour(_ phase: Phase) -> TerminalStyle.Colour {
        switch phase {
        case .succeeded: .green
        case .failed, .rolledBack, .aborted, .rejected: .red
        case .paused, .awaitingApproval: .yellow
        case .progressing: .cyan
        case .pending, .queued: .dim
        }
    }

    static func colour(_ phase: GatePhase) -> TerminalStyle.Colour {
        switch phase {
        case .passed: .green
        case .failed: .red
        case .inconclusive, .running: .yellow
        case .pending: .dim
        }
    }

    static func mark(_ phase: GatePhase) -> String {
        switch phase {
        case .passed: "✓"
        case .failed: "✗"
        case .inconclusive: "?"
        case .running: "…"
        case .pending: "·"
        }
    }
}

/// Redraws a block of lines in place on a terminal: moves the cursor up over the previous
/// frame and clears each line before writing the new one (ECMA-48 CUU and EL).
public struct LiveRegion: Sendable {
    private(set) var drawnLines = 0

    public init() {}

    /// The text that replaces the last frame with `lines`.
    public mutating func frame(_ lines: [String]) -> String {
        var text = ""
        if drawnLines > 0 { text += "\u{1B}[\(drawnLines)A" }
        for line in lines { text += "\r\u{1B}[2K" + line + "\n" }
        // A shorter frame leaves old lines below: clear them and come back.
        let leftover = drawnLines - lines.count
        if leftover > 0 {
            for _ in 0..<leftover { text += "\r\u{1B}[2K\n" }
            text += "\u{1B}[\(leftover)A"
        }
        drawnLines = lines.count
        return text
    }

    /// Forget the frame: the next one is drawn below whatever is on screen.
    public mutating func commit() { drawnLines = 0 }
}

/// Prints plain progress lines only when they change, so that a log shows each step once.
public struct ChangeLog: Sendable {
    private var last: [String: String] = [:]

    public init() {}

    /// The line when it differs from the last one for `key`, else nil.
    public mutating func next(_ line: String, for key: String) -> String? {
        guard last[key] != line else { return nil }
        last[key] = line
        return line
    }
}
