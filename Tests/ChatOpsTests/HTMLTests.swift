import ChatOps
import Testing

@Suite struct HTMLTests {
    @Test func markupCharactersBecomeEntities() {
        #expect(HTML.escape("<b>a & \"b\"</b>") == "&lt;b&gt;a &amp; &quot;b&quot;&lt;/b&gt;")
    }

    @Test func helpersEscapeTheirContent() {
        #expect(HTML.code("x<y") == "<code>x&lt;y</code>")
        #expect(HTML.bold("R&D") == "<b>R&amp;D</b>")
    }
}
