import JSON

/// Writes a `JSONValue` as block-style YAML the way `kubectl get -o yaml` prints objects:
/// two-space indentation, sequences under a key at the key's own indentation (`- name: x`),
/// scalars quoted only when needed (see `ScalarStyleChoice`), multi-line strings as literal
/// blocks, `{}` and `[]` for empty collections. Keys keep the value's order.
///
/// Written by hand rather than through libyaml's emitter so that the layout is exactly this one
/// and every choice guarantees `YAML.parse(YAML.emit(v)) == v`.
struct Emitter {
    private(set) var output: [UInt8] = []

    /// Where a node starts: after `key:`, after `-`, or at the top of a document.
    private enum Slot {
        case root
        case mappingValue(indent: Int)
        case sequenceItem(indent: Int)
    }

    /// Keys longer than this are written as explicit keys (`? key`): libyaml only accepts
    /// implicit keys of up to 1024 characters.
    private static let longestImplicitKey = 1000

    mutating func writeDocument(_ value: JSONValue) {
        writeNode(value, slot: .root)
    }

    mutating func appendDocumentSeparator() {
        output.append(contentsOf: "---\n".utf8)
    }

    private mutating func writeNode(_ value: JSONValue, slot: Slot) {
        let indent: Int
        switch slot {
        case .root: indent = 0
        case .mappingValue(let i), .sequenceItem(let i): indent = i
        }
        let separator: [UInt8] = {
            if case .root = slot { return [] }
            return [UInt8(ascii: " ")]
        }()
        switch value {
        case .object(let members) where !members.isEmpty:
            switch slot {
            case .root: writeMapping(members, indent: 0, firstLineStarted: false)
            case .mappingValue(let i):
                newline()
                writeMapping(members, indent: i + 2, firstLineStarted: false)
            case .sequenceItem(let i):
                output.append(UInt8(ascii: " "))
                writeMapping(members, indent: i + 2, firstLineStarted: true)
            }
        case .array(let elements) where !elements.isEmpty:
            switch slot {
            case .root: writeSequence(elements, indent: 0, firstLineStarted: false)
            case .mappingValue(let i):
                newline()
                writeSequence(elements, indent: i, firstLineStarted: false)
            case .sequenceItem(let i):
                output.append(UInt8(ascii: " "))
                writeSequence(elements, indent: i + 2, firstLineStarted: true)
            }
        case .string(let text):
            let style = ScalarStyleChoice.choose(for: text, allowBlock: true)
            output.append(contentsOf: separator)
            if case .literal(let chomping, let indicator) = style {
                writeLiteral(text, chomping: chomping, indentIndicator: indicator, contentIndent: indent + 2)
            } else {
                writeFlowString(text, style: style)
                newline()
            }
        default:
            output.append(contentsOf: separator)
            writeScalar(value)
            newline()
        }
    }

    private mutating func writeMapping(_ members: OrderedDictionary<String, JSONValue>, indent: Int, firstLineStarted: Bool) {
        var first = true
        for (key, value) in members {
            if !(first && firstLineStarted) { spaces(indent) }
            first = false
            let style = ScalarStyleChoice.choose(for: key, allowBlock: false)
            let keyStart = output.count
            writeFlowString(key, style: style)
            if output.count - keyStart > Self.longestImplicitKey {
                // Measured as written, escapes included.
                output.removeSubrange(keyStart...)
                output.append(contentsOf: "? ".utf8)
                writeFlowString(key, style: style)
                newline()
                spaces(indent)
            }
            output.append(UInt8(ascii: ":"))
            writeNode(value, slot: .mappingValue(indent: indent))
        }
    }

    private mutating func writeSequence(_ elements: [JSONValue], indent: Int, firstLineStarted: Bool) {
        var first = true
        for element in elements {
            if !(first && firstLineStarted) { spaces(indent) }
            first = false
            output.append(UInt8(ascii: "-"))
            writeNode(element, slot: .sequenceItem(indent: indent))
        }
    }

    private mutating func writeScalar(_ value: JSONValue) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let b): output.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): output.append(contentsOf: String(i).utf8)
        case .double(let d): output.append(contentsOf: Self.format(d).utf8)
        case .string(let s): writeFlowString(s, style: ScalarStyleChoice.choose(for: s, allowBlock: false))
        case .array: output.append(contentsOf: "[]".utf8)
        case .object: output.append(contentsOf: "{}".utf8)
        }
    }

    /// A double written so that it reads back as a double: `1.0`, not `1`; `.inf`, `.nan`.
    static func format(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        return d.description
    }

    private mutating func writeFlowString(_ text: String, style: ScalarStyleChoice) {
        switch style {
        case .plain:
            output.append(contentsOf: text.utf8)
        case .singleQuoted:
            output.append(UInt8(ascii: "'"))
            for byte in text.utf8 {
                if byte == UInt8(ascii: "'") { output.append(byte) }
                output.append(byte)
            }
            output.append(UInt8(ascii: "'"))
        case .doubleQuoted, .literal:
            writeDoubleQuoted(text)
        }
    }

    private mutating func writeDoubleQuoted(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: "\\\"".utf8)
            case "\\": output.append(contentsOf: "\\\\".utf8)
            case "\n": output.append(contentsOf: "\\n".utf8)
            case "\t": output.append(contentsOf: "\\t".utf8)
            case "\r": output.append(contentsOf: "\\r".utf8)
            case "\0": output.append(contentsOf: "\\0".utf8)
            case "\u{07}": output.append(contentsOf: "\\a".utf8)
            case "\u{08}": output.append(contentsOf: "\\b".utf8)
            case "\u{0B}": output.append(contentsOf: "\\v".utf8)
            case "\u{0C}": output.append(contentsOf: "\\f".utf8)
            case "\u{1B}": output.append(contentsOf: "\\e".utf8)
            case "\u{85}": output.append(contentsOf: "\\N".utf8)
            case "\u{2028}": output.append(contentsOf: "\\L".utf8)
            case "\u{2029}": output.append(contentsOf: "\\P".utf8)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) {
                    output.append(contentsOf: "\\x\(hex(v, width: 2))".utf8)
                } else if v == 0xFEFF || v == 0xFFFE || v == 0xFFFF {
                    output.append(contentsOf: "\\u\(hex(v, width: 4))".utf8)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `|`, `|-` or `|+` then each line at `contentIndent`; empty lines stay empty.
    private mutating func writeLiteral(_ text: String, chomping: ScalarStyleChoice.Chomping, indentIndicator: Bool, contentIndent: Int) {
        output.append(UInt8(ascii: "|"))
        if indentIndicator { output.append(UInt8(ascii: "2")) }
        output.append(contentsOf: chomping.rawValue.utf8)
        newline()
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The final line break belongs to the chomping indicator, not to an empty last line.
        if text.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
        for line in lines {
            if !line.isEmpty {
                spaces(contentIndent)
                output.append(contentsOf: line)
            }
            newline()
        }
    }

    private mutating func spaces(_ count: Int) {
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    private mutating func newline() {
        output.append(UInt8(ascii: "\n"))
    }
}
