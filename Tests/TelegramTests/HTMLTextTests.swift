import Telegram
import Testing

@Suite("HTML message text")
struct HTMLTextTests {
    @Test("escaping makes user text inert: no tag, no entity survives")
    func escape() {
        let hostile = "<script>alert(1)</script> & <b>bold</b> \"q\""
        let escaped = HTMLText.escape(hostile)
        #expect(!escaped.contains("<") && !escaped.contains(">"))
        #expect(HTMLText.visibleText(escaped) == hostile)
    }

    @Test("a short message is not split")
    func short() {
        #expect(HTMLText.split("<b>ok</b>") == ["<b>ok</b>"])
    }

    @Test("splitting prefers line ends, keeps entities whole and re-opens tags cut at a boundary")
    func splitsOnLines() {
        let line = "<code>abc &amp; def</code> line\n"
        let html = "<b>" + String(repeating: line, count: 50) + "</b>"
        let parts = HTMLText.split(html, limit: 200)
        #expect(parts.count > 1)
        for part in parts {
            #expect(part.utf16.count <= 200)
            #expect(part.hasPrefix("<b>"), "part lost the open <b>: \(part)")
            #expect(part.hasSuffix("</b>"), "part does not close <b>: \(part)")
            #expect(part.components(separatedBy: "<code>").count == part.components(separatedBy: "</code>").count)
            #expect(!part.contains("&am;") && !part.hasSuffix("&"))
        }
        let visible = parts.map(HTMLText.visibleText).joined()
        #expect(visible.replacingOccurrences(of: "\n", with: "") == HTMLText.visibleText(html).replacingOccurrences(of: "\n", with: ""))
    }

    @Test("one line longer than the limit is cut at spaces, never inside a word's entity")
    func longLine() {
        let html = String(repeating: "word &lt;x&gt; ", count: 100)
        let parts = HTMLText.split(html, limit: 120)
        #expect(parts.allSatisfy { $0.utf16.count <= 120 })
        #expect(parts.joined() == html)
    }
}

import Foundation
