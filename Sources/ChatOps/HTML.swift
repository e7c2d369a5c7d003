/// Escaping for Telegram's HTML parse mode, which accepts a few tags and exactly the entities
/// `&lt;`, `&gt;`, `&amp;` and `&quot;`: every `<`, `>` and `&` that is not markup must be
/// written as an entity, or the message is refused ("can't parse entities").
/// See https://core.telegram.org/bots/api#html-style
public enum HTML {
    /// `text` with `&`, `<`, `>` and `"` replaced by entities.
    public static func escape(_ text: some StringProtocol) -> String {
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

    public static func bold(_ text: some StringProtocol) -> String { "<b>\(escape(text))</b>" }
    public static func code(_ text: some StringProtocol) -> String { "<code>\(escape(text))</code>" }
    public static func italic(_ text: some StringProtocol) -> String { "<i>\(escape(text))</i>" }
}
