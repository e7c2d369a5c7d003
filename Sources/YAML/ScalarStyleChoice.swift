/// How the emitter writes a string so that it reads back as exactly the same string, following
/// the choices go-yaml and libyaml make for `kubectl get -o yaml`:
/// - plain when nothing in it means something else to a YAML reader;
/// - double-quoted when plain text would read as another type (`"true"`, `"123"`, `""`,
///   `"null"`), as a YAML 1.1 boolean or sexagesimal number (`"yes"`, `"1:20"`) or as a timestamp,
///   and whenever it holds characters that need escapes (tabs, control characters);
/// - single-quoted when it only needs protecting from YAML syntax (`': '`, `'- x'`, `' padded'`);
/// - a literal block (`|`, `|-`, `|+`) for multi-line text.
/// libyaml's rules for this are in `yaml_emitter_analyze_scalar` (emitter.c).
enum ScalarStyleChoice: Equatable {
    case plain
    case singleQuoted
    case doubleQuoted
    /// A literal block scalar; `indentIndicator` when the first line starts with a space or
    /// the text starts with a line break, so the reader cannot guess the indentation.
    case literal(chomping: Chomping, indentIndicator: Bool)

    enum Chomping: String {
        case clip = ""
        case strip = "-"
        case keep = "+"
    }

    /// - Parameter allowBlock: `false` for mapping keys, which cannot be block scalars.
    static func choose(for text: String, allowBlock: Bool) -> ScalarStyleChoice {
        if text.isEmpty { return .doubleQuoted }
        let scan = Scan(text)
        if scan.hasSpecialCharacters { return .doubleQuoted }
        if scan.hasLineBreak {
            if allowBlock, scan.allowsLiteralBlock { return .literal(chomping: scan.chomping, indentIndicator: scan.needsIndentIndicator) }
            return .doubleQuoted
        }
        if readsAsAnotherType(text) { return .doubleQuoted }
        return scan.allowsPlain ? .plain : .singleQuoted
    }

    /// Plain text that a YAML 1.2 core-schema reader, or an older YAML 1.1 reader still common in
    /// Kubernetes tooling, would not read back as this string.
    static func readsAsAnotherType(_ text: String) -> Bool {
        if CoreSchema.isAmbiguousAsPlain(text) { return true }
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
            "on", "On", "ON", "off", "Off", "OFF", "<<":
            return true
        default:
            return looksLikeTimestamp(text) || looksLikeSexagesimal(text)
        }
    }

    /// `2024-01-31`, `2024-01-31T10:00:00Z`, `2024-1-2 3:04:05`: YAML 1.1 timestamps.
    private static func looksLikeTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(11))
        guard bytes.count >= 8 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { $0 < bytes.count && isDigit(bytes[$0]) } }
        guard digits(0..<4), bytes[4] == UInt8(ascii: "-") else { return false }
        var index = 5
        for part in 0..<2 {
            let start = index
            while index < bytes.count, isDigit(bytes[index]), index - start < 2 { index += 1 }
            guard index > start else { return false }
            if part == 0 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
                index += 1
            }
        }
        if index == text.utf8.count { return true }
        guard index < bytes.count else { return false }
        return [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[index])
    }

    /// `190:20:30`, `-1:30.5`: YAML 1.1 base-60 numbers, which go-yaml quotes on output.
    private static func looksLikeSexagesimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, isDigit(first), bytes.contains(UInt8(ascii: ":")) else { return false }
        let allowed = bytes.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        return allowed
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// One pass over the text collecting what the style decision needs.
    private struct Scan {
        var hasSpecialCharacters = false
        var hasLineBreak = false
        var allowsPlain = true
        var allowsLiteralBlock = true
        var chomping = Chomping.clip
        var needsIndentIndicator = false

        init(_ text: String) {
            let scalars = Array(text.unicodeScalars)
            let count = scalars.count
            guard let first = scalars.first, let last = scalars.last else { return }

            // Document markers and indicators that cannot start a plain scalar.
            if text.hasPrefix("---") || text.hasPrefix("...") { allowsPlain = false }
            let secondIsBlank = count < 2 || scalars[1] == " "
            switch first {
            case ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
                allowsPlain = false
            case "-", "?", ":":
                if secondIsBlank { allowsPlain = false }
            case " ":
                allowsPlain = false
                needsIndentIndicator = true
            case "\n":
                needsIndentIndicator = true
            default:
                break
            }
            if last == " " {
                allowsPlain = false
                allowsLiteralBlock = false
            }

            var previous: Unicode.Scalar?
            var onlyBreaks = true
            for (index, scalar) in scalars.enumerated() {
                if !Self.isPrintable(scalar) { hasSpecialCharacters = true; return }
                if scalar == "\n" {
                    hasLineBreak = true
                    if previous == " " { allowsLiteralBlock = false }
                } else {
                    onlyBreaks = false
                }
                if scalar == ":" && (index + 1 == count || scalars[index + 1] == " ") { allowsPlain = false }
                if scalar == "#" && previous == " " { allowsPlain = false }
                previous = scalar
            }
            if onlyBreaks { allowsLiteralBlock = false }
            if last != "\n" {
                chomping = .strip
            } else if count >= 2 && scalars[count - 2] == "\n" {
                chomping = .keep
            }
        }

        /// Characters a YAML emitter may write unescaped (libyaml's IS_PRINTABLE, minus the
        /// Unicode line separators that a reader would turn into plain line breaks).
        static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x2028, 0x2029: return false
            case 0x0A, 0x20...0x7E: return true
            case 0xA0...0xD7FF: return true
            case 0xE000...0xFFFD: return scalar.value != 0xFEFF
            case 0x10000...0x10FFFF: return true
            default: return false
            }
        }
    }
}
