import JSON

/// Resolves plain scalars to JSON values with the YAML 1.2 core schema, as go-yaml v3 (the
/// parser behind sigs.k8s.io/yaml and kubectl) applies it:
/// - `null`, `Null`, `NULL`, `~` and the empty scalar are null;
/// - `true`/`True`/`TRUE` and `false`/... are booleans; YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n`
///   stay strings;
/// - integers are decimal, `0x1A`, `0o17`, `0b101` or `0755` (the 1.1 octal Kubernetes manifests
///   use for `defaultMode`), with an optional sign and `_` separators;
/// - floats are `1.5`, `1e3`, `.5`, `.inf`, `-.Inf`, `.nan`.
/// An integer beyond `Int` becomes a double (JSON has a single number type); a float literal that
/// overflows stays a string, as in go-yaml.
/// Spec: https://yaml.org/spec/1.2.2/#1032-tag-resolution
enum CoreSchema {
    static func resolvePlain(_ text: String) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"):
            return keyword(text) ?? .string(text)
        case UInt8(ascii: "."):
            if let special = keyword(text) { return special }
            if matchesFloatSyntax(text.utf8), let d = Double(text), d.isFinite { return .double(d) }
            return .string(text)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let special = keyword(text) { return special }
            return number(text) ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// Whether a plain scalar with this text would read back as something other than this string.
    static func isAmbiguousAsPlain(_ text: String) -> Bool {
        if case .string = resolvePlain(text) { return false }
        return true
    }

    private static func keyword(_ text: String) -> JSONValue? {
        switch text {
        case "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: return nil
        }
    }

    private static func number(_ text: String) -> JSONValue? {
        var digits = Array(text.utf8)
        digits.removeAll { $0 == UInt8(ascii: "_") }
        switch parseInteger(digits) {
        case .some(.signed(let i)): return .int(i)
        case .some(.unsignedBeyondInt(let u)): return .double(Double(u))
        case nil: break
        }
        if matchesFloatSyntax(digits), let d = Double(String(decoding: digits, as: UTF8.self)), d.isFinite {
            return .double(d)
        }
        return nil
    }

    enum ParsedInteger: Equatable {
        case signed(Int)
        case unsignedBeyondInt(UInt64)
    }

    /// Integer syntax of Go's `strconv.ParseInt(s, 0, 64)` (and `ParseUint` for values above
    /// `Int.max`): optional sign, then `0x`, `0o`, `0b` or a leading `0` for octal, else decimal.
    static func parseInteger(_ bytes: [UInt8]) -> ParsedInteger? {
        var index = 0
        var negative = false
        var signed = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            signed = true
            index = 1
        }
        var radix: UInt64 = 10
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0") {
            switch bytes[index + 1] {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16; index += 2
            case UInt8(ascii: "o"), UInt8(ascii: "O"): radix = 8; index += 2
            case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2; index += 2
            default: radix = 8; index += 1
            }
        }
        guard index < bytes.count else { return nil }
        var magnitude: UInt64 = 0
        for byte in bytes[index...] {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude <= UInt64(Int.max) { return .signed(-Int(magnitude)) }
            if magnitude == UInt64(Int.max) + 1 { return .signed(Int.min) }
            return nil
        }
        if magnitude <= UInt64(Int.max) { return .signed(Int(magnitude)) }
        return signed ? nil : .unsignedBeyondInt(magnitude)
    }

    private static func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, the float syntax go-yaml accepts.
    static func matchesFloatSyntax(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var current = iterator.next()
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 48 && $0 <= 57 } ?? false }
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { current = iterator.next() }
        var integerDigits = 0
        while isDigit(current) { integerDigits += 1; current = iterator.next() }
        if current == UInt8(ascii: ".") {
            current = iterator.next()
            var fractionDigits = 0
            while isDigit(current) { fractionDigits += 1; current = iterator.next() }
            if integerDigits == 0 && fractionDigits == 0 { return false }
        } else if integerDigits == 0 {
            return false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            current = iterator.next()
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { current = iterator.next() }
            var exponentDigits = 0
            while isDigit(current) { exponentDigits += 1; current = iterator.next() }
            if exponentDigits == 0 { return false }
        }
        return current == nil
    }
}
