/// Text for `parse_mode: HTML` messages: escaping and splitting.
///
/// Telegram accepts a small set of tags and only the entities `&lt; &gt; &amp; &quot;` and
/// numeric ones; every other `<`, `>` and `&` must be escaped. A message holds at most 4,096
/// characters, so longer text is sent as several messages, each valid HTML on its own.
/// See https://core.telegram.org/bots/api#html-style and https://core.telegram.org/bots/api#sendmessage
public enum HTMLText {
    /// Telegram's limit on a message's text, in UTF-16 code units after entity parsing.
    public static let messageLimit = 4096

    /// `text` with `&`, `<`, `>` and `"` escaped, safe anywhere in an HTML message.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Splits `html` into messages of at most `limit` UTF-16 code units of markup each (so the
    /// visible text is within the limit too), preferring line boundaries, then spaces. A tag or
    /// an entity is never cut; tags open at a cut are closed at the end of one part and opened
    /// again at the start of the next.
    public static func split(_ html: String, limit: Int = messageLimit) -> [String] {
        guard html.utf16.count > limit else { return [html] }
        let atoms = Atom.parse(html)
        var parts: [String] = []
        var current: [Atom] = []
        var currentLength = 0
        var open: [Atom] = []          // tags open at the end of `current`
        var prefixCount = 0            // atoms of `current` that only re-open tags
        // The best place to cut so far: atom count, the tags open there, and how good it is.
        var cut: (index: Int, open: [Atom], quality: Int)?

        func closing(_ tags: [Atom]) -> String { tags.reversed().map { "</\($0.tagName)>" }.joined() }
        func closingLength(_ tags: [Atom]) -> Int { tags.reduce(0) { $0 + $1.tagName.utf16.count + 3 } }

        func emit(upTo index: Int, openThere: [Atom]) {
            let text = current[..<index].map(\.text).joined() + closing(openThere)
            if !text.isEmpty { parts.append(text) }
            let rest = Array(current[index...])
            current = openThere + rest
            prefixCount = openThere.count
            currentLength = current.reduce(0) { $0 + $1.length }
            open = openThere
            for atom in rest { atom.apply(to: &open) }
            cut = nil
        }

        for atom in atoms {
            var after = open
            atom.apply(to: &after)
            if currentLength + atom.length + closingLength(after) > limit, current.count > prefixCount {
                if let best = cut, best.index > prefixCount {
                    emit(upTo: best.index, openThere: best.open)
                } else {
                    emit(upTo: current.count, openThere: open)
                }
                after = open
                atom.apply(to: &after)
            }
            current.append(atom)
            currentLength += atom.length
            open = after
            // Cut after the latest line break; after the latest space when there is none.
            if case .character(let c) = atom.kind {
                if c == "\n" {
                    cut = (current.count, open, 2)
                } else if c == " ", cut?.quality != 2 {
                    cut = (current.count, open, 1)
                }
            }
        }
        let last = current.map(\.text).joined()
        if current.count > prefixCount, !last.isEmpty { parts.append(last + closing(open)) }
        return parts
    }

    /// The visible text of `html`: tags removed and entities decoded. Unknown entities stay as written.
    public static func visibleText(_ html: String) -> String {
        Atom.parse(html).map { atom -> String in
            switch atom.kind {
            case .openTag, .closeTag: return ""
            case .entity: return decodeEntity(atom.text) ?? atom.text
            case .character(let c): return String(c)
            }
        }.joined()
    }

    static func decodeEntity(_ entity: String) -> String? {
        switch entity {
        case "&lt;": return "<"
        case "&gt;": return ">"
        case "&amp;": return "&"
        case "&quot;": return "\""
        default:
            guard entity.hasPrefix("&#"), entity.hasSuffix(";") else { return nil }
            let body = entity.dropFirst(2).dropLast()
            let value = body.hasPrefix("x") || body.hasPrefix("X") ? UInt32(body.dropFirst(), radix: 16) : UInt32(body)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}

/// An indivisible piece of HTML markup: a tag, an entity or one character.
struct Atom {
    enum Kind: Equatable {
        case openTag(String)
        case closeTag(String)
        case entity
        case character(Character)
    }

    var kind: Kind
    var text: String
    var length: Int { text.utf16.count }

    var tagName: String {
        switch kind {
        case .openTag(let name), .closeTag(let name): return name
        default: return ""
        }
    }

    /// Tracks which tags are open after this atom.
    func apply(to open: inout [Atom]) {
        switch kind {
        case .openTag: open.append(self)
        case .closeTag(let name):
            if let index = open.lastIndex(where: { $0.tagName == name }) { open.remove(at: index) }
        default: break
        }
    }

    static func parse(_ html: String) -> [Atom] {
        var atoms: [Atom] = []
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let end = html[index...].firstIndex(of: ">") {
                let text = String(html[index...end])
                let inner = text.dropFirst().dropLast()
                let closing = inner.hasPrefix("/")
                let name = (closing ? inner.dropFirst() : inner).prefix { $0.isLetter || $0.isNumber || $0 == "-" }.lowercased()
                atoms.append(Atom(kind: closing ? .closeTag(name) : .openTag(name), text: text))
                index = html.index(after: end)
            } else if character == "&", let end = html[index...].prefix(12).firstIndex(of: ";") {
                atoms.append(Atom(kind: .entity, text: String(html[index...end])))
                index = html.index(after: end)
            } else {
                atoms.append(Atom(kind: .character(character), text: String(character)))
                index = html.index(after: index)
            }
        }
        return atoms
    }
}
