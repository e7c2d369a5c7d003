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

    /// One pass over the UTF-8 bytes collecting what the style decision needs. Every character
    /// with a meaning in YAML syntax is ASCII, so multi-byte characters only need checking for
    /// the few that must be escaped.
    private struct Scan {
        var hasSpecialCharacters = false
        var hasLineBreak = false
        var allowsPlain = true
        var allowsLiteralBlock = true
        var chomping = Chomping.clip
        var needsIndentIndicator = false

        init(_ text: String) {
            let scanned = text.utf8.withContiguousStorageIfAvailable { Scan(bytes: $0) }
            self = scanned ?? Array(text.utf8).withUnsafeBufferPointer { Scan(bytes: $0) }
        }

        private init(bytes: UnsafeBufferPointer<UInt8>) {
            let count = bytes.count
            guard let first = bytes.first, let last = bytes.last else { return }
            let space = UInt8(ascii: " ")
            let newline = UInt8(ascii: "\n")

            // Document markers and indicators that cannot start a plain scalar.
            if count >= 3, (bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: ".")),
                bytes[1] == bytes[0], bytes[2] == bytes[0]
            {
                allowsPlain = false
            }
            let secondIsBlank = count < 2 || bytes[1] == space
            switch first {
            case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
                UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
                UInt8(ascii: "`"):
                allowsPlain = false
            case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                if secondIsBlank { allowsPlain = false }
            case space:
                allowsPlain = false
                needsIndentIndicator = true
            case newline:
                needsIndentIndicator = true
            default:
                break
            }
            if last == space {
                allowsPlain = false
                allowsLiteralBlock = false
            }

            var onlyBreaks = true
            var index = 0
            while index < count {
                let byte = bytes[index]
                if byte >= 0x80 {
                    if Self.isSpecial(multiByteAt: index, in: bytes) {
                        hasSpecialCharacters = true
                        return
                    }
                    onlyBreaks = false
                    index += 1
                    continue
                }
                guard byte == newline || (byte >= 0x20 && byte < 0x7F) else {
                    hasSpecialCharacters = true
                    return
                }
                let previous = index > 0 ? bytes[index - 1] : 0
                if byte == newline {
                    hasLineBreak = true
                    if previous == space { allowsLiteralBlock = false }
                } else {
                    onlyBreaks = false
                }
                if byte == UInt8(ascii: ":") && (index + 1 == count || bytes[index + 1] == space) { allowsPlain = false }
                if byte == UInt8(ascii: "#") && previous == space { allowsPlain = false }
                index += 1
            }
            if onlyBreaks { allowsLiteralBlock = false }
            if last != newline {
                chomping = .strip
            } else if count >= 2 && bytes[count - 2] == newline {
                chomping = .keep
            }
        }

        /// Non-ASCII characters libyaml would not write unescaped (its IS_PRINTABLE), plus the
        /// Unicode line separators that a reader turns into plain line breaks: C1 controls
        /// (U+0080–U+009F, including NEL), U+2028, U+2029, the byte order mark U+FEFF and the
        /// non-characters U+FFFE and U+FFFF. `String` guarantees the bytes are valid UTF-8.
        private static func isSpecial(multiByteAt index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            func byte(_ offset: Int) -> UInt8 { index + offset < bytes.count ? bytes[index + offset] : 0 }
            switch bytes[index] {
            case 0xC2: return byte(1) < 0xA0
            case 0xE2: return byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9)
            case 0xEF: return (byte(1) == 0xBB && byte(2) == 0xBF) || (byte(1) == 0xBF && byte(2) >= 0xBE)
            default: return false
            }
        }
    }
}
