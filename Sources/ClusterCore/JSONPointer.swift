import JSON

/// A JSON Pointer (RFC 6901): `/spec/containers/0/image`, with `~1` for `/` and `~0` for `~`
/// inside a reference token. https://www.rfc-editor.org/rfc/rfc6901
struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    /// The decoded reference tokens; empty for the whole document.
    var tokens: [String]
    /// The pointer as written, for error messages.
    var description: String

    /// Parses `text`; `nil` when it is neither empty nor starts with `/`.
    init?(_ text: String) {
        description = text
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { return nil }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    /// Whether `self` is a proper prefix of `other` (a value cannot be moved into its own child).
    func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && Array(other.tokens.prefix(tokens.count)) == tokens
    }

    /// The array index a token names: decimal digits without a leading zero (RFC 6901 §4).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if token.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }
}

extension String {
    /// Plain substring replacement, so that the module needs no Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}

extension JSONValue {
    /// Equality as JSON means it: numbers compare by value (`1` equals `1.0`), object member
    /// order does not matter. Used by the JSON Patch `test` operation and by set-like list merges.
    func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isJSONEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let otherValue = b[key], value.isJSONEqual(to: otherValue) else { return false }
            }
            return true
        default:
            return self == other
        }
    }
}
