/// The HTML check of Telegram's server (tdlib's `parse_html`), enough to answer as it does:
/// supported tags only, properly nested and closed; entities decoded; the visible text returned.
enum FakeHTML {
    static let supportedTags: Set<String> = ["a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
                                             "tg-emoji", "span", "pre", "code", "blockquote"]

    /// The visible text, or the reason the server gives after "can't parse entities: ".
    static func parse(_ html: String) -> Result<String, ParseFailure> {
        let bytes = Array(html.utf8)
        var text: [UInt8] = []
        var open: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                if let semicolon = bytes[index..<min(bytes.count, index + 12)].firstIndex(of: UInt8(ascii: ";")),
                   let decoded = decodeEntity(Array(bytes[index...semicolon])) {
                    text += decoded
                    index = semicolon + 1
                } else {
                    text.append(byte)  // an unknown entity stays as written, as tdlib does
                    index += 1
                }
                continue
            }
            guard byte == UInt8(ascii: "<") else {
                text.append(byte)
                index += 1
                continue
            }
            let start = index
            guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
                return .failure(ParseFailure("Unclosed start tag at byte offset \(start)"))
            }
            let inner = bytes[(index + 1)..<end]
            index = end + 1
            if inner.first == UInt8(ascii: "/") {
                let name = String(decoding: inner.dropFirst().prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self).lowercased()
                guard let last = open.last else {
                    return .failure(ParseFailure("Unexpected end tag at byte offset \(start)"))
                }
                guard last == name else {
                    return .failure(ParseFailure("Unmatched end tag at byte offset \(start), expected \"</\(last)>\", found \"</\(name)>\""))
                }
                open.removeLast()
            } else {
                let name = String(decoding: inner.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }, as: UTF8.self).lowercased()
                guard supportedTags.contains(name) else {
                    return .failure(ParseFailure("Unsupported start tag \"\(name)\" at byte offset \(start)"))
                }
                open.append(name)
            }
        }
        if let unclosed = open.last {
            return .failure(ParseFailure("Can't find end tag corresponding to start tag \"\(unclosed)\""))
        }
        return .success(String(decoding: text, as: UTF8.self))
    }

    struct ParseFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func decodeEntity(_ entity: [UInt8]) -> [UInt8]? {
        switch String(decoding: entity, as: UTF8.self) {
        case "&lt;": return Array("<".utf8)
        case "&gt;": return Array(">".utf8)
        case "&amp;": return Array("&".utf8)
        case "&quot;": return Array("\"".utf8)
        case let other where other.hasPrefix("&#"):
            let body = other.dropFirst(2).dropLast()
            let value = body.hasPrefix("x") ? UInt32(body.dropFirst(), radix: 16) : UInt32(body)
            return value.flatMap(Unicode.Scalar.init).map { Array(String(Character($0)).utf8) }
        default: return nil
        }
    }
}
