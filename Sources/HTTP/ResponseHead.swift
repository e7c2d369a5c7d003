/// Collects the header lines libcurl hands over one by one and tells when a block ends.
///
/// One transfer can see several header blocks: interim `1xx` responses, redirects that are
/// followed, and chunked trailers after the body. Only the final response's block is kept
/// (a status line starts a new block; lines after the final block, i.e. trailers, are ignored).
/// Header syntax: RFC 9112 §5 (https://www.rfc-editor.org/rfc/rfc9112#section-5).
struct ResponseHead {
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var isFinal = false

    /// Consumes one line as libcurl delivers it (with its CRLF). Returns true when the line is
    /// the blank line that ends a header block that is not yet known to be final.
    mutating func consume(line raw: UnsafeRawBufferPointer) -> Bool {
        var bytes = raw[...]
        while let last = bytes.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") {
            bytes = bytes.dropLast()
        }
        if bytes.isEmpty {
            return !isFinal
        }
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            isFinal = false
            return false
        }
        guard !isFinal else { return false }
        if let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // Obsolete line folding: the line continues the previous value.
            if !headers.isEmpty {
                headers[headers.count - 1].value += " " + Self.trimmed(bytes)
            }
            return false
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let name = Self.trimmed(bytes[..<colon])
        let value = Self.trimmed(bytes[bytes.index(after: colon)...])
        if !name.isEmpty {
            headers.append((name: name, value: value))
        }
        return false
    }

    /// The block that just ended is the response the caller gets.
    mutating func acceptAsFinal() {
        isFinal = true
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
