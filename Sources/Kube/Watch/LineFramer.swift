/// Splits a byte stream into newline-terminated lines, whatever the chunking: a line may span
/// many chunks and one chunk may hold many lines. The watch API sends one JSON object per line.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
///
/// Each byte is scanned once; the buffer only holds the incomplete tail of the stream.
public struct LineFramer: Sendable {
    /// A line longer than this is refused rather than growing the buffer without bound.
    public let maximumLineLength: Int
    private var buffer: [UInt8] = []
    /// Where the scan for the next newline resumes: bytes before it hold no newline.
    private var scanned = 0

    public init(maximumLineLength: Int = 256 * 1024 * 1024) {
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes received but not yet part of a complete line.
    public var pendingByteCount: Int { buffer.count }

    /// Adds a chunk and returns the lines it completed, without their newline (and without a
    /// trailing carriage return). Blank lines are skipped.
    public mutating func append(_ chunk: some Collection<UInt8>) throws(WatchDecodingError) -> [[UInt8]] {
        buffer.append(contentsOf: chunk)
        var lines: [[UInt8]] = []
        var lineStart = 0
        var index = scanned
        let newline = UInt8(ascii: "\n")
        buffer.withUnsafeBufferPointer { bytes in
            while index < bytes.count {
                if bytes[index] == newline {
                    var end = index
                    if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    if !Self.isBlank(bytes[lineStart..<end]) { lines.append(Array(bytes[lineStart..<end])) }
                    lineStart = index + 1
                }
                index += 1
            }
        }
        if lineStart > 0 { buffer.removeSubrange(0..<lineStart) }
        scanned = buffer.count
        if buffer.count > maximumLineLength {
            throw WatchDecodingError(message: "a watch event is longer than \(maximumLineLength) bytes")
        }
        return lines
    }

    /// Ends the stream: returns the last line if it had no newline.
    public mutating func finish() -> [UInt8]? {
        defer {
            buffer = []
            scanned = 0
        }
        var end = buffer.count
        if end > 0, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let tail = buffer[0..<end]
        return Self.isBlank(tail) ? nil : Array(tail)
    }

    private static func isBlank(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }
}

/// A watch stream carried something that is not a watch event.
public struct WatchDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { "invalid watch stream: \(message)" }
}
