import Foundation

/// Durations as people type them on the command line: `90`, `90s`, `10m`, `1h30m`, `1.5m`,
/// after Go's `time.ParseDuration` that kubectl's `--timeout` uses (without the sub-second units).
public enum DurationText {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String

        public init(text: String) { self.text = text }

        public var description: String {
            "\"\(text)\" is not a duration; write it like 90s, 10m or 1h30m (a bare number means seconds)"
        }
    }

    /// The duration in seconds; a bare number is seconds. Negative or empty input is an error.
    public static func seconds(_ text: String) throws(ParseError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ParseError(text: text) }
        if let plain = Double(trimmed) {
            guard plain.isFinite, plain >= 0 else { throw ParseError(text: text) }
            return plain
        }
        var total = 0.0
        var number = ""
        for character in trimmed {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: throw ParseError(text: text)
            }
            guard let value = Double(number), value.isFinite else { throw ParseError(text: text) }
            total += value * unit
            number = ""
        }
        guard number.isEmpty else { throw ParseError(text: text) }
        return total
    }

    /// A short human form: `45s`, `3m20s`, `2h5m`.
    public static func format(seconds: Double) -> String {
        let whole = max(0, Int(seconds.rounded()))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return whole % 60 == 0 ? "\(whole / 60)m" : "\(whole / 60)m\(whole % 60)s" }
        let minutes = (whole % 3600) / 60
        return minutes == 0 ? "\(whole / 3600)h" : "\(whole / 3600)h\(minutes)m"
    }
}
