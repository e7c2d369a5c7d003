import JSON

/// A parsed `labelSelector`: requirements that must all hold, equality-based (`a=b`, `a==b`,
/// `a!=b`), set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`) and numeric (`a>3`, `a<3`).
/// Parse errors carry the API server's wording.
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable {
        case equals = "=", doubleEquals = "==", notEquals = "!=", `in` = "in", notIn = "notin"
        case exists = "exists", doesNotExist = "!", greaterThan = "gt", lessThan = "lt"
    }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public func matches(_ labels: [String: String]) -> Bool {
            switch op {
            case .equals, .doubleEquals, .in:
                guard let value = labels[key] else { return false }
                return values.contains(value)
            case .notEquals, .notIn:
                guard let value = labels[key] else { return true }
                return !values.contains(value)
            case .exists:
                return labels[key] != nil
            case .doesNotExist:
                return labels[key] == nil
            case .greaterThan, .lessThan:
                guard let text = labels[key], let actual = Int(text), let bound = values.first.flatMap({ Int($0) }) else { return false }
                return op == .greaterThan ? actual > bound : actual < bound
            }
        }
    }

    public var requirements: [Requirement]

    /// The selector that selects everything.
    public static let everything = LabelSelector(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Parses the query-parameter form; a malformed selector throws 400 Bad Request.
    public init(parsing text: String) throws(APIError) {
        var parser = LabelSelectorParser(tokens: LabelSelectorLexer.tokens(of: text))
        do {
            requirements = try parser.parse().sorted { $0.key < $1.key }
        } catch {
            throw APIError.badRequest(error.message)
        }
    }

    /// The selector of an object's `spec.selector` (`matchLabels` and `matchExpressions` with
    /// In, NotIn, Exists, DoesNotExist), as a Deployment or a PodDisruptionBudget carries it.
    /// https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
    public init(selectorObject: JSONValue, field: String = "spec.selector") throws(APIError) {
        var requirements: [Requirement] = []
        for (key, value) in selectorObject["matchLabels"]?.objectValue ?? [:] {
            guard let text = value.stringValue else {
                throw APIError.badRequest("\(field).matchLabels.\(key): Invalid value: must be a string")
            }
            requirements.append(Requirement(key: key, op: .equals, values: [text]))
        }
        for (index, expression) in (selectorObject["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let path = "\(field).matchExpressions[\(index)]"
            guard let key = expression["key"]?.stringValue, !key.isEmpty else {
                throw APIError.badRequest("\(path).key: Required value")
            }
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch expression["operator"]?.stringValue {
            case "In"?: requirements.append(Requirement(key: key, op: .in, values: values))
            case "NotIn"?: requirements.append(Requirement(key: key, op: .notIn, values: values))
            case "Exists"?: requirements.append(Requirement(key: key, op: .exists, values: []))
            case "DoesNotExist"?: requirements.append(Requirement(key: key, op: .doesNotExist, values: []))
            case let other:
                throw APIError.badRequest("\(path).operator: Unsupported value: \(JSONValue.string(other ?? "").jsonString()): supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\"")
            }
        }
        self.requirements = requirements.sorted { $0.key < $1.key }
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Whether the object's `metadata.labels` satisfy every requirement.
    public func matches(object: JSONValue) -> Bool {
        isEverything || matches(object.metadataLabels)
    }

    public var description: String {
        requirements.map { requirement in
            switch requirement.op {
            case .exists: return requirement.key
            case .doesNotExist: return "!" + requirement.key
            case .in, .notIn: return "\(requirement.key) \(requirement.op.rawValue) (\(requirement.values.joined(separator: ",")))"
            case .greaterThan: return "\(requirement.key)>\(requirement.values.first ?? "")"
            case .lessThan: return "\(requirement.key)<\(requirement.values.first ?? "")"
            default: return "\(requirement.key)\(requirement.op.rawValue)\(requirement.values.first ?? "")"
            }
        }.joined(separator: ",")
    }
}

struct LabelSelectorError: Error {
    var message: String
}

enum LabelSelectorToken: Equatable {
    case end, identifier(String), comma, openParen, closeParen, not, equals, doubleEquals, notEquals
    case greaterThan, lessThan, inKeyword, notInKeyword, error(String)

    var literal: String {
        switch self {
        case .end: return ""
        case .identifier(let text), .error(let text): return text
        case .comma: return ","
        case .openParen: return "("
        case .closeParen: return ")"
        case .not: return "!"
        case .equals: return "="
        case .doubleEquals: return "=="
        case .notEquals: return "!="
        case .greaterThan: return ">"
        case .lessThan: return "<"
        case .inKeyword: return "in"
        case .notInKeyword: return "notin"
        }
    }

    /// Inside value position `in` and `notin` are plain identifiers (`a in (in)`).
    var asValue: LabelSelectorToken {
        switch self {
        case .inKeyword: return .identifier("in")
        case .notInKeyword: return .identifier("notin")
        default: return self
        }
    }
}

/// Splits a selector into tokens the way apimachinery's lexer does: special symbols are
/// `= ! ( ) , > <`, whitespace separates, everything else forms identifiers.
enum LabelSelectorLexer {
    private static let symbols: [String: LabelSelectorToken] = [
        ")": .closeParen, ",": .comma, "!": .not, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
        "<": .lessThan, "!=": .notEquals, "(": .openParen,
    ]

    private static func isSpecial(_ c: Character) -> Bool { "=!(),><".contains(c) }
    private static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }

    static func tokens(of text: String) -> [LabelSelectorToken] {
        let characters = Array(text)
        var position = 0
        var result: [LabelSelectorToken] = []
        while true {
            while position < characters.count && isSpace(characters[position]) { position += 1 }
            guard position < characters.count else {
                result.append(.end)
                return result
            }
            if isSpecial(characters[position]) {
                var buffer = ""
                var last: LabelSelectorToken?
                while position < characters.count && isSpecial(characters[position]) {
                    buffer.append(characters[position])
                    if let token = symbols[buffer] {
                        last = token
                        position += 1
                    } else if last != nil {
                        break
                    } else {
                        position += 1
                    }
                }
                guard let token = last else {
                    result.append(.error("error expected: keyword found '\(buffer)'"))
                    result.append(.end)
                    return result
                }
                result.append(token)
            } else {
                var buffer = ""
                while position < characters.count && !isSpecial(characters[position]) && !isSpace(characters[position]) {
                    buffer.append(characters[position])
                    position += 1
                }
                switch buffer {
                case "in": result.append(.inKeyword)
                case "notin": result.append(.notInKeyword)
                default: result.append(.identifier(buffer))
                }
            }
        }
    }
}

/// Recursive descent over the tokens, following apimachinery's grammar and messages.
struct LabelSelectorParser {
    var tokens: [LabelSelectorToken]
    var position = 0

    private func peek(asValue: Bool = true) -> LabelSelectorToken {
        let token = tokens[min(position, tokens.count - 1)]
        return asValue ? token.asValue : token
    }

    private mutating func next(asValue: Bool = true) -> LabelSelectorToken {
        let token = peek(asValue: asValue)
        position += 1
        return token
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let token = peek()
            switch token {
            case .identifier, .not:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw LabelSelectorError(message: "unable to parse requirement: \(error.message)")
                }
                let separator = next()
                switch separator {
                case .end:
                    return requirements
                case .comma:
                    let following = peek()
                    switch following {
                    case .identifier, .not: continue
                    default: throw LabelSelectorError(message: "found '\(following.literal)', expected: identifier after ','")
                    }
                default:
                    throw LabelSelectorError(message: "found '\(separator.literal)', expected: ',' or 'end of string'")
                }
            case .end:
                return requirements
            default:
                throw LabelSelectorError(message: "found '\(token.literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        var negated = false
        var token = next()
        if token == .not {
            negated = true
            token = next()
        }
        guard case .identifier(let key) = token else {
            throw LabelSelectorError(message: "found '\(token.literal)', expected: identifier")
        }
        let keyErrors = NameValidation.qualifiedName(key)
        if !keyErrors.isEmpty {
            throw LabelSelectorError(message: "key: Invalid value: \(JSONValue.string(key).jsonString()): \(keyErrors.joined(separator: "; "))")
        }
        let following = peek()
        if following == .end || following == .comma {
            return .init(key: key, op: negated ? .doesNotExist : .exists, values: [])
        }
        if negated {
            // `!a=b` is not part of the grammar: `!` only negates existence.
            throw LabelSelectorError(message: "found '\(following.literal)', expected: ',' or 'end of string'")
        }
        let opToken = next(asValue: false)
        let op: LabelSelector.Operator
        switch opToken {
        case .inKeyword: op = .in
        case .notInKeyword: op = .notIn
        case .equals: op = .equals
        case .doubleEquals: op = .doubleEquals
        case .notEquals: op = .notEquals
        case .greaterThan: op = .greaterThan
        case .lessThan: op = .lessThan
        default:
            throw LabelSelectorError(message: "found '\(opToken.literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
        let values: [String]
        switch op {
        case .in, .notIn: values = try parseValueSet()
        default: values = try parseExactValue()
        }
        switch op {
        case .in, .notIn:
            if values.isEmpty { throw LabelSelectorError(message: "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty") }
        case .greaterThan, .lessThan:
            if values.count != 1 || Int(values[0]) == nil {
                throw LabelSelectorError(message: "values[0]: Invalid value: \(JSONValue.string(values.first ?? "").jsonString()): for 'Gt', 'Lt' operators, the value must be an integer")
            }
        default:
            break
        }
        if op != .greaterThan && op != .lessThan {
            for (index, value) in values.enumerated() {
                let errors = NameValidation.labelValue(value)
                if !errors.isEmpty {
                    throw LabelSelectorError(message: "values[\(index)][\(key)]: Invalid value: \(JSONValue.string(value).jsonString()): \(errors.joined(separator: "; "))")
                }
            }
        }
        return .init(key: key, op: op, values: values)
    }

    private mutating func parseValueSet() throws(LabelSelectorError) -> [String] {
        let open = next()
        guard open == .openParen else { throw LabelSelectorError(message: "found '\(open.literal)' expected: '('") }
        let first = peek()
        switch first {
        case .closeParen:
            position += 1
            return [""]
        case .identifier, .comma:
            var values: [String] = []
            func insert(_ value: String) { if !values.contains(value) { values.append(value) } }
            loop: while true {
                let token = next()
                switch token {
                case .identifier(let value):
                    insert(value)
                    let after = peek()
                    switch after {
                    case .comma: continue loop
                    case .closeParen: break loop
                    default: throw LabelSelectorError(message: "found '\(after.literal)', expected: ',' or ')'")
                    }
                case .comma:
                    if values.isEmpty { insert("") }
                    let after = peek()
                    if after == .closeParen {
                        insert("")
                        break loop
                    }
                    if after == .comma {
                        position += 1
                        insert("")
                    }
                default:
                    throw LabelSelectorError(message: "found '\(token.literal)', expected: ',', or identifier")
                }
            }
            let close = next()
            guard close == .closeParen else { throw LabelSelectorError(message: "found '\(close.literal)', expected: ')'") }
            return values.sorted()
        default:
            throw LabelSelectorError(message: "found '\(first.literal)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseExactValue() throws(LabelSelectorError) -> [String] {
        let token = peek()
        if token == .end || token == .comma { return [""] }
        position += 1
        guard case .identifier(let value) = token else {
            throw LabelSelectorError(message: "found '\(token.literal)', expected: identifier")
        }
        return [value]
    }
}
