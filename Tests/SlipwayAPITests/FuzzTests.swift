import ClusterCore
import JSON
import SlipwayAPI
import Testing

/// A small deterministic generator (SplitMix64), so that every run mutates the same way.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("SlipwayAPI fuzzed objects")
struct SlipwayAPIFuzzTests {
    static let replacements: [JSONValue?] = [
        nil, .null, "", "X", "a b", "-", "web", "0", "Mon", "25:00", "http://", "registry.example.com/shop/web:1",
        .string(String(repeating: "a", count: 300)), -1, 0, 1, 7, 100, 101, 86401, 1_000_000, 0.5, -0.5, 1e300,
        true, false, [], [:], ["x"], [1], ["name": "x"],
    ]

    /// Spec paths of `document`: every leaf and every object or list on the way to one.
    static func specPaths(_ document: JSONValue) -> [String] {
        var paths = Set<String>()
        for leaf in document.leafPaths() where leaf.hasPrefix("spec.") {
            var prefix = ""
            for component in JSONValue.components(leaf) {
                switch component {
                case .key(let key): prefix = prefix.isEmpty ? key : "\(prefix).\(key)"
                case .index(let index): prefix += "[\(index)]"
                }
                if prefix != "spec" { paths.insert(prefix) }
            }
        }
        return paths.sorted()
    }

    static func mutations(of document: JSONValue, count: Int, seed: UInt64) -> [(String, JSONValue)] {
        var generator = SeededGenerator(state: seed)
        let paths = specPaths(document)
        return (0..<count).map { _ in
            var mutated = document
            var changes: [String] = []
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let path = paths.randomElement(using: &generator) ?? "spec"
                let replacement = replacements.randomElement(using: &generator) ?? nil
                mutated = mutated.setting(path, to: replacement)
                changes.append("\(path) = \(replacement?.jsonString() ?? "(removed)")")
            }
            return (changes.joined(separator: ", "), mutated)
        }
    }

    @Test("whatever the schema rejects in a target's spec, the Swift validation rejects too; nothing crashes",
          arguments: ["web-production", "api-staging", "checkout-production", "catalog-production", "search-production"])
    func targets(name: String) throws {
        let schema = try Fixtures.targetSchema()
        let document = try Fixtures.example(kind: "DeploymentTarget", named: name)
        var disagreements: [String] = []
        for (change, mutated) in Self.mutations(of: document, count: 300, seed: UInt64(name.utf8.count) &* 7919) {
            let causes = Fixtures.schemaCauses(mutated, schema: schema)
            let issues: [ValidationIssue]
            do {
                issues = try SlipwayDecoding.decode(DeploymentTarget.self, from: mutated).validationIssues()
            } catch {
                issues = error.issues
            }
            #expect(issues.allSatisfy { !$0.message.isEmpty })
            if !causes.isEmpty && issues.isEmpty {
                disagreements.append("\(change): schema says \(causes.map { "\($0.field): \($0.message)" })")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) accepted by Swift only:\n\(disagreements.prefix(15).joined(separator: "\n"))")
    }

    @Test("whatever the schema rejects in a request's spec, the Swift validation rejects too",
          arguments: ["web-production-1-4-2", "web-production-rollback"])
    func requests(name: String) throws {
        let schema = try Fixtures.requestSchema()
        let document = try Fixtures.example(kind: "DeploymentRequest", named: name)
        var disagreements: [String] = []
        for (change, mutated) in Self.mutations(of: document, count: 300, seed: UInt64(name.utf8.count)) {
            let causes = Fixtures.schemaCauses(mutated, schema: schema)
            let issues: [ValidationIssue]
            do {
                issues = try SlipwayDecoding.decode(DeploymentRequest.self, from: mutated).validationIssues()
            } catch {
                issues = error.issues
            }
            if !causes.isEmpty && issues.isEmpty {
                disagreements.append("\(change): schema says \(causes.map { "\($0.field): \($0.message)" })")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) accepted by Swift only:\n\(disagreements.prefix(15).joined(separator: "\n"))")
    }
}
