import Testing
import JSON
import YAML

@Suite struct YAMLSmokeTests {
    @Test func parsesAMapping() throws {
        #expect(try YAML.parse("a: 1\nb: [x, y]\n") == ["a": 1, "b": ["x", "y"]])
    }
}
