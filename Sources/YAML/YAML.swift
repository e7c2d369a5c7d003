import JSON

/// YAML ⇄ `JSONValue`, over libyaml, resolving scalars with the YAML 1.2 core schema as
/// Kubernetes tooling does (`yes`/`on` stay strings).
public enum YAML {
    /// Parses a single-document stream; an empty stream is `null`. More than one document is an error.
    public static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        fatalError("not implemented")
    }

    /// Parses a multi-document stream (`---` separated); empty documents are skipped.
    public static func parseAll(_ text: String) throws(YAMLError) -> [JSONValue] {
        fatalError("not implemented")
    }

    /// Block-style YAML, as `kubectl get -o yaml` prints it.
    public static func emit(_ value: JSONValue) -> String {
        fatalError("not implemented")
    }

    /// Several documents separated by `---`.
    public static func emitAll(_ documents: [JSONValue]) -> String {
        fatalError("not implemented")
    }
}

/// Why a YAML text could not be read, with the 1-based line and column of the problem.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "invalid YAML at line \(line), column \(column): \(message)" }
}
