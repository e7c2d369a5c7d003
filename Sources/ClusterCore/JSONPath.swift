import JSON

/// The JSONPath subset that printer columns (CRD `additionalPrinterColumns[].jsonPath`) and
/// `kubectl get -o jsonpath` use: `.a.b`, `.a[0].b`, `.a[*].b`, `.a['x.y/z']`, `.a[-1]`,
/// `..name` and filters such as `.status.conditions[?(@.type=="Ready")].status`.
/// https://kubernetes.io/docs/reference/kubectl/jsonpath/
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path, applied to every current match.
    enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)
        case wildcard
        case recursive(String)
        case filter(Filter)
    }

    /// `?(@.path OP literal)`, or `?(@.path)` for "the member exists".
    struct Filter: Sendable, Hashable {
        enum Operator: String, Sendable, Hashable {
            case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        }
        var path: [Step]
        var comparison: (Operator, JSONValue)?

        static func == (lhs: Filter, rhs: Filter) -> Bool {
            lhs.path == rhs.path && lhs.comparison?.0 == rhs.comparison?.0 && lhs.comparison?.1 == rhs.comparison?.1
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(path)
            hasher.combine(comparison?.0)
            hasher.combine(comparison?.1)
        }
    }

    /// The text the path was parsed from.
    public let description: String
    let steps: [Step]

    /// Parses `expression`, with or without the surrounding `{}` kubectl templates use.
    /// Throws a message naming the offending position when the expression is not understood.
    public init(_ expression: String) throws(JSONPathError) {
        description = expression
        var text = Substring(expression.trimmingSpaces)
        if text.hasPrefix("{") && text.hasSuffix("}") {
            text = text.dropFirst().dropLast()
        }
        var parser = Parser(text: Array(text), original: expression)
        steps = try parser.parsePath(allowLeadingAt: false)
    }

    /// Every value the path selects in `document`, in document order; empty when nothing matches.
    public func evaluate(_ document: JSONValue) -> [JSONValue] {
        Self.apply(steps, to: [document])
    }

    /// The matches formatted as kubectl prints them: strings bare, numbers and booleans in
    /// their JSON form, objects and arrays as compact JSON, several matches joined by commas.
    /// Nil when nothing matches.
    public func render(_ document: JSONValue) -> String? {
        let results = evaluate(document)
        if results.isEmpty { return nil }
        return results.map(Self.text(of:)).joined(separator: ",")
    }

    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .null: return "<nil>"
        default: return value.jsonString()
        }
    }

    static func apply(_ steps: [Step], to start: [JSONValue]) -> [JSONValue] {
        var current = start
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .member(let name):
                    if let member = value[name] { next.append(member) }
                case .index(let index):
                    if case .array(let items) = value {
                        let resolved = index < 0 ? items.count + index : index
                        if items.indices.contains(resolved) { next.append(items[resolved]) }
                    }
                case .wildcard:
                    switch value {
                    case .array(let items): next.append(contentsOf: items)
                    case .object(let members): next.append(contentsOf: members.values)
                    default: break
                    }
                case .recursive(let name):
                    collect(name, in: value, into: &next)
                case .filter(let filter):
                    let candidates: [JSONValue]
                    switch value {
                    case .array(let items): candidates = items
                    case .object(let members): candidates = Array(members.values)
                    default: candidates = []
                    }
                    next.append(contentsOf: candidates.filter { filter.matches($0) })
                }
            }
            current = next
        }
        return current
    }

    private static func collect(_ name: String, in value: JSONValue, into results: inout [JSONValue]) {
        switch value {
        case .object(let members):
            if let hit = members[name] { results.append(hit) }
            for child in members.values { collect(name, in: child, into: &results) }
        case .array(let items):
            for child in items { collect(name, in: child, into: &results) }
        default:
            break
        }
    }
}

extension JSONPath.Filter {
    func matches(_ candidate: JSONValue) -> Bool {
        let found = JSONPath.apply(path, to: [candidate])
        guard let (op, literal) = comparison else { return !found.isEmpty }
        guard let value = found.first else { return op == .notEqual }
        switch op {
        case .equal: return Self.equal(value, literal)
        case .notEqual: return !Self.equal(value, literal)
        default:
            guard let l = value.doubleValue, let r = literal.doubleValue else { return false }
            switch op {
            case .less: return l < r
            case .lessOrEqual: return l <= r
            case .greater: return l > r
            case .greaterOrEqual: return l >= r
            case .equal, .notEqual: return false
            }
        }
    }

    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

/// A JSONPath expression that could not be parsed.
public struct JSONPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension JSONPath {
    struct Parser {
        let text: [Character]
        let original: String
        var position = 0
        /// How deeply filters nest; bounded so that a hostile path cannot exhaust the stack.
        var depth = 0
        static let maximumDepth = 16

        init(text: [Character], original: String) {
            self.text = text
            self.original = original
        }

        private var atEnd: Bool { position >= text.count }
        private var current: Character? { atEnd ? nil : text[position] }

        private func failure(_ what: String) -> JSONPathError {
            JSONPathError(message: "invalid JSONPath \"\(original)\" at position \(position): \(what)")
        }

        /// Parses steps until the end of the text, or until `)` or an operator when inside a filter.
        mutating func parsePath(allowLeadingAt: Bool, insideFilter: Bool = false) throws(JSONPathError) -> [Step] {
            var steps: [Step] = []
            if allowLeadingAt {
                guard current == "@" else { throw failure("a filter expression must start with @") }
                position += 1
            } else if current == "$" {
                position += 1
            }
            while let c = current {
                if insideFilter && (c == ")" || c == "=" || c == "!" || c == "<" || c == ">" || c == " ") { break }
                switch c {
                case ".":
                    position += 1
                    if current == "." {
                        position += 1
                        let name = readName()
                        guard !name.isEmpty else { throw failure("expected a field name after '..'") }
                        steps.append(.recursive(name))
                    } else if current == "*" {
                        position += 1
                        steps.append(.wildcard)
                    } else {
                        let name = readName()
                        if name.isEmpty {
                            // A lone "." means the current object.
                            if atEnd { break }
                            if current == "[" { continue }
                            throw failure("expected a field name after '.'")
                        }
                        steps.append(.member(name))
                    }
                case "[":
                    position += 1
                    steps.append(try parseBracket())
                default:
                    if steps.isEmpty && !allowLeadingAt {
                        // `metadata.name` without the leading dot is accepted too.
                        let name = readName()
                        guard !name.isEmpty else { throw failure("unexpected character '\(c)'") }
                        steps.append(.member(name))
                    } else {
                        throw failure("unexpected character '\(c)'")
                    }
                }
            }
            return steps
        }

        private mutating func readName() -> String {
            var name = ""
            while let c = current, c != ".", c != "[", c != ")", c != "=", c != "!", c != "<", c != ">", c != " " {
                if c == "\\", position + 1 < text.count {
                    name.append(text[position + 1])
                    position += 2
                    continue
                }
                name.append(c)
                position += 1
            }
            return name
        }

        private mutating func skipSpaces() {
            while current == " " { position += 1 }
        }

        private mutating func parseBracket() throws(JSONPathError) -> Step {
            skipSpaces()
            guard let c = current else { throw failure("unterminated '['") }
            let step: Step
            if c == "'" || c == "\"" {
                step = .member(try readQuoted())
            } else if c == "*" {
                position += 1
                step = .wildcard
            } else if c == "?" {
                position += 1
                depth += 1
                defer { depth -= 1 }
                guard depth <= Self.maximumDepth else { throw failure("filters nest too deeply") }
                guard current == "(" else { throw failure("expected '(' after '?'") }
                position += 1
                skipSpaces()
                let path = try parsePath(allowLeadingAt: true, insideFilter: true)
                skipSpaces()
                var comparison: (Filter.Operator, JSONValue)?
                if let op = readOperator() {
                    skipSpaces()
                    comparison = (op, try readLiteral())
                    skipSpaces()
                }
                guard current == ")" else { throw failure("expected ')' to close the filter") }
                position += 1
                step = .filter(Filter(path: path, comparison: comparison))
            } else {
                var digits = ""
                while let d = current, d == "-" || d.isNumber { digits.append(d); position += 1 }
                guard let index = Int(digits) else { throw failure("expected an index, '*', a quoted name or a filter") }
                step = .index(index)
            }
            skipSpaces()
            guard current == "]" else { throw failure("expected ']'") }
            position += 1
            return step
        }

        private mutating func readQuoted() throws(JSONPathError) -> String {
            guard let quote = current else { throw failure("expected a quoted name") }
            position += 1
            var value = ""
            while let c = current, c != quote {
                if c == "\\", position + 1 < text.count {
                    value.append(text[position + 1])
                    position += 2
                    continue
                }
                value.append(c)
                position += 1
            }
            guard current == quote else { throw failure("unterminated quoted name") }
            position += 1
            return value
        }

        private mutating func readOperator() -> Filter.Operator? {
            for op in [Filter.Operator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] {
                let symbol = Array(op.rawValue)
                if position + symbol.count <= text.count && Array(text[position..<position + symbol.count]) == symbol {
                    position += symbol.count
                    return op
                }
            }
            return nil
        }

        private mutating func readLiteral() throws(JSONPathError) -> JSONValue {
            if current == "'" || current == "\"" { return .string(try readQuoted()) }
            var word = ""
            while let c = current, c != ")", c != " " { word.append(c); position += 1 }
            if word == "true" { return true }
            if word == "false" { return false }
            if word == "null" { return .null }
            if let i = Int(word) { return .int(i) }
            if let d = Double(word) { return .double(d) }
            guard !word.isEmpty else { throw failure("expected a value to compare with") }
            return .string(word)
        }
    }
}
