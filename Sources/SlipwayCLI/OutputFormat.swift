import JSON
import YAML

/// `-o/--output` as kubectl takes it: a table by default, `wide` for more columns, or the
/// objects themselves as `yaml` or `json`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table = ""
    case wide
    case yaml
    case json

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String { "unknown output format \"\(text)\"; use one of yaml, json or wide (or leave -o out for a table)" }
    }

    public init(parsing text: String?) throws(ParseError) {
        guard let text, !text.isEmpty else { self = .table; return }
        guard let format = OutputFormat(rawValue: text.lowercased()), format != .table else { throw ParseError(text: text) }
        self = format
    }

    /// Whether the output is the objects (yaml, json) rather than a table.
    public var printsObjects: Bool { self == .yaml || self == .json }

    /// One object as YAML or JSON; a list is a `List` as kubectl prints it.
    public func render(objects: [JSONValue], asList: Bool) -> String {
        let value: JSONValue = asList
            ? ["apiVersion": "v1", "kind": "List", "items": .array(objects), "metadata": ["resourceVersion": ""]]
            : (objects.first ?? .null)
        switch self {
        case .json:
            return value.jsonString(pretty: true) + "\n"
        case .yaml:
            let text = YAML.emit(value)
            return text.hasSuffix("\n") ? text : text + "\n"
        case .table, .wide:
            return ""
        }
    }
}
