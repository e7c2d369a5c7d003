/// Why a JSON text could not be read. `offset` is the byte offset of the problem, `line` and
/// `column` (1-based) the same place for a human.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String {
        "invalid JSON at line \(line), column \(column): \(message)"
    }
}
