/// Why a YAML text could not be read, with the 1-based line and column of the problem.
///
/// The message says what was wrong in libyaml's words where libyaml found the problem
/// ("mapping values are not allowed in this context"), or in Slipway's words for problems found
/// while building the value (an unknown alias, an alias bomb, a value that does not fit its tag).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    init(_ message: String, at mark: Mark) {
        self.init(message: message, line: mark.line, column: mark.column)
    }

    public var description: String { "invalid YAML at line \(line), column \(column): \(message)" }
}

/// A position in the YAML text, 1-based as editors show it.
struct Mark: Sendable, Equatable {
    var line: Int
    var column: Int

    static let start = Mark(line: 1, column: 1)
}
