/// Colours and the glyphs of progress bars, on or off as a whole.
///
/// Colours appear only on a terminal, never with `--no-color` or a non-empty `NO_COLOR`
/// (https://no-color.org), nor with `TERM=dumb`. Output that is not a terminal (logs, CI) gets
/// no escapes at all.
public struct TerminalStyle: Sendable, Equatable {
    public enum Colour: String, Sendable {
        case red = "31", green = "32", yellow = "33", blue = "34", cyan = "36", dim = "2", bold = "1"
    }

    public var colours: Bool

    public init(colours: Bool) { self.colours = colours }

    public static let plain = TerminalStyle(colours: false)

    /// Whether to colour output written to a terminal (`isTerminal`) given the flags and environment.
    public static func coloursEnabled(isTerminal: Bool, noColorFlag: Bool, environment: [String: String]) -> Bool {
        guard isTerminal, !noColorFlag else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return true
    }

    /// `text` in `colour` (SGR escape), or as it is without colours.
    /// See ECMA-48 8.3.117 (SGR).
    public func paint(_ text: String, _ colour: Colour) -> String {
        guard colours, !text.isEmpty else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }
}
