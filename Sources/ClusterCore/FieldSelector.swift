import JSON

/// A parsed `fieldSelector`: `field=value`, `field==value` and `field!=value` terms joined by
/// commas, all of which must hold. Each field must be one the kind supports (`FieldLabels`:
/// `metadata.name` and `metadata.namespace` everywhere, `status.phase` on Pods, `type` on
/// Secrets...), as kube-apiserver refuses any other; it is looked up in the object by its
/// dotted path, a missing field comparing as the empty string.
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
public struct FieldSelector: Sendable, Equatable {
    public enum Operator: String, Sendable {
        case equals = "=", doubleEquals = "==", notEquals = "!="
    }

    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var op: Operator
        public var value: String
        /// The field's path inside the object.
        var path: [String]

        public func matches(_ object: JSONValue) -> Bool {
            let actual = FieldSelector.fieldValue(object, path: path)
            return op == .notEquals ? actual != value : actual == value
        }
    }

    public var requirements: [Requirement]

    public static let everything = FieldSelector(requirements: [])

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// Parses the query-parameter form for a list or watch of `type`; malformed terms and
    /// fields the kind does not support throw 400.
    public init(parsing text: String, for type: ResourceType) throws(APIError) {
        try self.init(parsing: text, supported: FieldLabels.supported(by: type))
    }

    init(parsing text: String, supported: Set<String>) throws(APIError) {
        var requirements: [Requirement] = []
        for term in try Self.splitTerms(text) where !term.isEmpty {
            guard let (field, op, rawValue) = Self.splitTerm(term) else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            let value = try Self.unescape(rawValue)
            let path = FieldLabels.paths[field] ?? field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard supported.contains(field) else {
                throw APIError.badRequest("field label not supported: \(field)")
            }
            requirements.append(Requirement(field: field, op: op, value: value, path: path))
        }
        self.requirements = requirements
    }

    public func matches(object: JSONValue) -> Bool {
        requirements.allSatisfy { $0.matches(object) }
    }

    static func fieldValue(_ object: JSONValue, path: [String]) -> String {
        switch object[pathComponents: path] {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .double(let number): return String(number)
        default: return ""
        }
    }

    /// Splits on commas not preceded by a backslash escape.
    private static func splitTerms(_ text: String) throws(APIError) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    /// Finds the first unescaped operator, trying `!=`, `==`, `=` at each position.
    private static func splitTerm(_ term: String) -> (String, Operator, String)? {
        let characters = Array(term)
        var index = 0
        while index < characters.count {
            if characters[index] == "\\" {
                index += 2
                continue
            }
            for op in [Operator.notEquals, .doubleEquals, .equals] {
                let symbol = Array(op.rawValue)
                if index + symbol.count <= characters.count && Array(characters[index..<index + symbol.count]) == symbol {
                    let field = String(characters[..<index]).trimmingSpaces
                    let value = String(characters[(index + symbol.count)...]).trimmingSpaces
                    return field.isEmpty ? nil : (field, op, value)
                }
            }
            index += 1
        }
        return nil
    }

    private static func unescape(_ value: String) throws(APIError) -> String {
        var result = ""
        var escaped = false
        for character in value {
            if escaped {
                guard character == "\\" || character == "," || character == "=" else {
                    throw APIError.badRequest("invalid field selector: invalid escape sequence: \\\(character)")
                }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { throw APIError.badRequest("invalid field selector: unterminated escape sequence") }
        return result
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
