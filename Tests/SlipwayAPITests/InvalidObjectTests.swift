import ClusterCore
import JSON
import Kube
import SlipwayAPI
import Testing

/// One broken object: an example with one change, the field validation must name, and whether
/// the CRD schema alone also rejects it as the embedded cluster applies it (when it cannot, only
/// the Swift validation protects the controller). Duplicates in `x-kubernetes-list-type: set`
/// lists are rejected by a real API server but not by the embedded cluster's schema validation.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    var example: String
    var change: String
    var value: JSONValue?
    var expectedField: String
    var schemaRejects: Bool

    init(_ example: String, _ change: String, _ value: JSONValue?, field: String? = nil, schema: Bool) {
        self.example = example
        self.change = change
        self.value = value
        self.expectedField = field ?? change
        self.schemaRejects = schema
    }

    var testDescription: String { "\(example): \(change) = \(value?.jsonString() ?? "(removed)")" }
}

@Suite("SlipwayAPI invalid objects")
struct SlipwayAPIInvalidObjectTests {
    static let targetCases: [InvalidCase] = [
        InvalidCase("web-production", "spec.environment", "Production", schema: true),
        InvalidCase("web-production", "spec.container", nil, schema: true),
        InvalidCase("web-production", "spec.source.imageRepository", "registry.example.com/shop/web:1.4", schema: true),
        InvalidCase("web-production", "spec.source.branch", "feature..x", schema: false),
        InvalidCase("web-production", "spec.source.github.owner", "-example", schema: true),
        InvalidCase("web-production", "spec.strategy.canary", ["stableDeployment": "a", "canaryDeployment": "b", "service": "c",
                                                              "trafficRouting": ["replicaRatio": [:]], "steps": [["setWeight": 10]]],
                    field: "spec.strategy", schema: true),
        InvalidCase("web-production", "spec.strategy.blueGreen", nil, field: "spec.strategy", schema: true),
        InvalidCase("web-production", "spec.strategy.blueGreen.greenDeployment", "web-blue", schema: false),
        InvalidCase("web-production", "spec.strategy.blueGreen.previewService", "web", schema: false),
        InvalidCase("web-production", "spec.strategy.blueGreen.scaleDownDelaySeconds", -5, schema: true),
        InvalidCase("web-production", "spec.strategy.blueGreen.prePromotionGates[0]", "missing", schema: false),
        InvalidCase("web-production", "spec.strategy.blueGreen.postPromotionGates[1]", "live-healthy", schema: false),
        InvalidCase("web-production", "spec.gates[1].name", "preview-healthy", schema: false),
        InvalidCase("web-production", "spec.gates[0].readiness", [:], field: "spec.gates[0]", schema: true),
        InvalidCase("web-production", "spec.gates[1].readiness", nil, field: "spec.gates[1]", schema: true),
        InvalidCase("web-production", "spec.gates[0].intervalSeconds", 0, schema: true),
        InvalidCase("web-production", "spec.gates[0].http.expectedStatus[0]", 700, schema: true),
        InvalidCase("web-production", "spec.gates[0].http.url", "ftp://example.com/healthz", schema: true),
        InvalidCase("web-production", "spec.gates[0].http.method", "DELETE", schema: true),
        InvalidCase("web-production", "spec.gates[0].http.timeoutSeconds", 30, schema: false),
        InvalidCase("web-production", "spec.gates[3].prometheus.query", "up{job=\"{{job}}\"}", schema: false),
        InvalidCase("web-production", "spec.gates[3].prometheus.condition", ["lessThan": 1, "greaterThan": 0], schema: true),
        InvalidCase("web-production", "spec.gates[3].prometheus.condition", ["samples": "All"], schema: true),
        InvalidCase("web-production", "spec.gates[3].prometheus.condition", ["inRange": ["min": 5, "max": 1]],
                    field: "spec.gates[3].prometheus.condition.inRange.max", schema: false),
        InvalidCase("web-production", "spec.gates[3].prometheus.count", 1, schema: false),
        InvalidCase("web-production", "spec.gates[3].prometheus.noDataPolicy", "ignore", schema: true),
        InvalidCase("web-production", "spec.gates[3].prometheus.address", "prometheus:9090", schema: true),
        InvalidCase("web-production", "spec.onGateFailure", "retry", schema: true),
        InvalidCase("web-production", "spec.approval.minApprovers", 0, schema: true),
        InvalidCase("web-production", "spec.access.approvers[1]", "12ab", schema: true),
        InvalidCase("web-production", "spec.access.deployers[0]", "Admin", schema: true),
        InvalidCase("web-production", "spec.access.rollbackers", ["admin", "admin"], field: "spec.access.rollbackers[1]", schema: false),
        InvalidCase("web-production", "spec.windows.timezone", "Mars/Olympus_Mons", schema: false),
        InvalidCase("web-production", "spec.windows.allowed[0].start", "9:00", schema: true),
        InvalidCase("web-production", "spec.windows.allowed[0].end", "09:00", schema: false),
        InvalidCase("web-production", "spec.windows.allowed[0].days", ["Mon", "Mon"], schema: false),
        InvalidCase("web-production", "spec.windows.allowed[1].days", ["Friday"], field: "spec.windows.allowed[1].days[0]", schema: true),
        InvalidCase("web-production", "spec.windows.freezes[0].start", "tomorrow", schema: true),
        InvalidCase("web-production", "spec.windows.freezes[0].end", "2026-12-01T00:00:00Z", schema: false),
        InvalidCase("web-production", "spec.windows.outsideWindow", "queue", schema: true),
        InvalidCase("web-production", "spec.historyLimit", -1, schema: true),
        InvalidCase("web-production", "spec.progressDeadlineSeconds", 0, schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[3].setWeight", 5, schema: false),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[1].setWeight", 120, schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[1].setWeight", "ten", schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[1].pause", [:], field: "spec.strategy.canary.steps[1]", schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[2].analysis.gates[0]", "nope", schema: false),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[6].pause.durationSeconds", -1, schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[0].setCanaryScale", ["replicas": 2, "weight": 10], schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.steps[7].setCanaryScale.matchTrafficWeight", false, schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.canaryService", nil, schema: false),
        InvalidCase("checkout-production", "spec.strategy.canary.canaryService", "checkout", schema: false),
        InvalidCase("checkout-production", "spec.strategy.canary.trafficRouting.replicaRatio", [:],
                    field: "spec.strategy.canary.trafficRouting", schema: true),
        InvalidCase("checkout-production", "spec.strategy.canary.trafficRouting.nginx", nil,
                    field: "spec.strategy.canary.trafficRouting", schema: true),
        InvalidCase("api-staging", "spec.strategy.canary.steps[0]", ["setCanaryScale": ["replicas": 1]],
                    field: "spec.strategy.canary.steps[0].setCanaryScale", schema: false),
        InvalidCase("api-staging", "spec.strategy.canary.steps", [["pause": [:]]], schema: false),
        InvalidCase("api-staging", "spec.strategy.canary.steps", [], schema: true),
        InvalidCase("api-staging", "spec.strategy.canary.canaryDeployment", "api-stable", schema: false),
        InvalidCase("api-staging", "spec.strategy.canary.stableDeployment", "API", schema: true),
        InvalidCase("catalog-production", "spec.strategy.canary.trafficRouting.istio.canary", ["host": "catalog-stable"], schema: false),
        InvalidCase("catalog-production", "spec.strategy.canary.trafficRouting.istio.route", nil, schema: true),
        InvalidCase("search-production", "spec.strategy.canary.trafficRouting.gatewayAPI.ruleName", "main",
                    field: "spec.strategy.canary.trafficRouting.gatewayAPI", schema: true),
        InvalidCase("search-production", "spec.strategy.canary.trafficRouting.gatewayAPI.canaryBackend", "search", schema: false),
        InvalidCase("search-production", "spec.strategy.canary.trafficRouting.gatewayAPI.ruleIndex", -1, schema: true),
        InvalidCase("search-production", "spec.gates[0].readiness.maxRestarts", -1, schema: true),
        InvalidCase("search-production", "spec.gates[1].http.expectedStatus", [], schema: true),
        InvalidCase("web-production", "spec.imagePolicy", ["requireInRegistry": false, "pinDigest": true],
                    field: "spec.imagePolicy.requireInRegistry", schema: false),
        InvalidCase("web-production", "spec.imagePolicy", ["registry": ["caBundle": "not a certificate"]],
                    field: "spec.imagePolicy.registry.caBundle", schema: false),
        InvalidCase("web-production", "spec.imagePolicy", ["registry": ["pullSecret": "Reg_Cred"]],
                    field: "spec.imagePolicy.registry.pullSecret", schema: true),
        InvalidCase("web-production", "spec.imagePolicy", ["signatures": ["publicKeys": []]],
                    field: "spec.imagePolicy.signatures.publicKeys", schema: true),
        InvalidCase("web-production", "spec.imagePolicy", ["signatures": ["publicKeys": ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]]],
                    field: "spec.imagePolicy.signatures.publicKeys[0]", schema: false),
    ]

    static let requestCases: [InvalidCase] = [
        InvalidCase("web-production-1-4-2", "spec.target", "web_production", schema: true),
        InvalidCase("web-production-1-4-2", "spec.target", nil, schema: true),
        InvalidCase("web-production-1-4-2", "spec.image", "registry.example.com/shop/web", schema: true),
        InvalidCase("web-production-1-4-2", "spec.image", "registry.example.com/Shop/web:1.4.2", schema: true),
        InvalidCase("web-production-1-4-2", "spec.image", "shop/web:1.4.2@sha256:abc", schema: true),
        InvalidCase("web-production-1-4-2", "spec.image", "shop/web:1.4.2; rm -rf /", schema: true),
        InvalidCase("web-production-1-4-2", "spec.image", nil, schema: false),
        InvalidCase("web-production-1-4-2", "spec.commit", "3F9C2AB", schema: true),
        InvalidCase("web-production-1-4-2", "spec.commit", "abc12", schema: true),
        InvalidCase("web-production-1-4-2", "spec.commit", .string(String(repeating: "a", count: 41)), schema: true),
        InvalidCase("web-production-1-4-2", "spec.action", "promote", schema: true),
        InvalidCase("web-production-1-4-2", "spec.reason", .string(String(repeating: "x", count: 1025)), schema: true),
        InvalidCase("web-production-rollback", "spec.image", "registry.example.com/shop/web:1.4.1", schema: false),
        InvalidCase("web-production-rollback", "spec.commit", "3f9c2ab", schema: false),
    ]

    /// The fields named when `document` is decoded and validated as the controller does it.
    static func swiftFields<T: Decodable>(_ document: JSONValue, as type: T.Type,
                                          validate: (T) -> [ValidationIssue]) -> [ValidationIssue] {
        do {
            return validate(try SlipwayDecoding.decode(type, from: document))
        } catch {
            return error.issues
        }
    }

    @Test("each invalid target is rejected, naming the field", arguments: targetCases)
    func invalidTarget(_ invalid: InvalidCase) throws {
        let document = try Fixtures.example(kind: "DeploymentTarget", named: invalid.example).setting(invalid.change, to: invalid.value)
        let issues = Self.swiftFields(document, as: DeploymentTarget.self) { $0.validationIssues() }
        #expect(issues.map(\.field).contains(invalid.expectedField), "issues: \(issues)")
        #expect(issues.allSatisfy { !$0.message.isEmpty })
        let causes = Fixtures.schemaCauses(document, schema: try Fixtures.targetSchema())
        #expect(!causes.isEmpty == invalid.schemaRejects, "schema causes: \(causes.map { "\($0.field): \($0.message)" })")
    }

    @Test("each invalid request is rejected, naming the field", arguments: requestCases)
    func invalidRequest(_ invalid: InvalidCase) throws {
        let document = try Fixtures.example(kind: "DeploymentRequest", named: invalid.example).setting(invalid.change, to: invalid.value)
        let issues = Self.swiftFields(document, as: DeploymentRequest.self) { $0.validationIssues() }
        #expect(issues.map(\.field).contains(invalid.expectedField), "issues: \(issues)")
        let causes = Fixtures.schemaCauses(document, schema: try Fixtures.requestSchema())
        #expect(!causes.isEmpty == invalid.schemaRejects, "schema causes: \(causes.map { "\($0.field): \($0.message)" })")
    }

    @Test("messages say what to do")
    func messages() throws {
        let document = try Fixtures.example(kind: "DeploymentTarget", named: "checkout-production")
            .setting("spec.strategy.canary.steps[3].setWeight", to: 5)
            .setting("spec.strategy.canary.steps[2].analysis.gates[0]", to: "nope")
        let error = try #require(throws: ValidationError.self) { try SlipwayDecoding.target(from: document) }
        #expect(error.description.contains("spec.strategy.canary.steps[3].setWeight: 5 is less than the 10 set by step 1; weights may only grow"))
        #expect(error.description.contains(#"spec.strategy.canary.steps[2].analysis.gates[0]: gate "nope" is not defined in spec.gates; define it there or use one of "checkout-errors", "checkout-latency""#))

        let request = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-1-4-2")
            .setting("spec.image", to: "registry.example.com/shop/web")
        let requestError = try #require(throws: ValidationError.self) { try SlipwayDecoding.request(from: request) }
        #expect(requestError.description == #"spec.image: "registry.example.com/shop/web" has no tag or digest; pin the release, e.g. registry.example.com/shop/web:1.4.2"#)

        let wrongType = try Fixtures.example(kind: "DeploymentTarget", named: "checkout-production")
            .setting("spec.strategy.canary.steps[1].setWeight", to: "ten")
        let typeError = try #require(throws: ValidationError.self) { try SlipwayDecoding.target(from: wrongType) }
        #expect(typeError.description == "spec.strategy.canary.steps[1].setWeight: has the wrong type; expected an integer")

        let unsupported = try Fixtures.example(kind: "DeploymentTarget", named: "web-production")
            .setting("spec.gates[3].prometheus.noDataPolicy", to: "ignore")
        let enumError = try #require(throws: ValidationError.self) { try SlipwayDecoding.target(from: unsupported) }
        #expect(enumError.description == #"spec.gates[3].prometheus.noDataPolicy: Unsupported value: "ignore": supported values: "fail", "pass", "inconclusive""#)
    }

    @Test("a request is checked against its target: repository and something to roll back to")
    func againstTarget() throws {
        var target = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        let deploy = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-1-4-2")
            .setting("spec.image", to: "registry.example.com/shop/api:1.4.2").decode(as: DeploymentRequest.self)
        #expect(deploy.validationIssues().isEmpty)
        #expect(deploy.validationIssues(against: target).map(\.field) == ["spec.image"])

        let rollback = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-rollback").decode(as: DeploymentRequest.self)
        #expect(rollback.validationIssues(against: target).map(\.field) == ["spec.action"])
        target.status = DeploymentTargetStatus(currentImage: "registry.example.com/shop/web:1.4.2", previousImage: "registry.example.com/shop/web:1.4.1")
        #expect(rollback.validationIssues(against: target).isEmpty)
    }

    @Test("image references: registries with ports, digests, tags")
    func imageReferences() {
        let valid = ["shop/web:1.4.2", "registry.example.com:5000/shop/web:1.4.2-errors20", "web:latest",
                     "ghcr.io/example/shop-web@sha256:" + String(repeating: "ab", count: 32),
                     "localhost:5000/a/b/c:v1@sha256:" + String(repeating: "0", count: 64), "shop/my_app__x:1", "localhost/web:1", "Registry.Example.com/shop/web:1", "registry:5000/web:1"]
        let invalid = ["shop/web", "Shop/web:1", "Registry/web:1", "shop/web:", "shop/web:-x", "shop//web:1", "shop/web@sha256:123",
                       ":1", "shop/web:1 ", "http://shop/web:1", "shop/web:" + String(repeating: "a", count: 129)]
        for reference in valid { #expect(Patterns.imageReference.matches(reference), "\(reference)") }
        for reference in invalid { #expect(!Patterns.imageReference.matches(reference), "\(reference)") }
        #expect(ImageReference.repository(of: "registry.example.com:5000/shop/web:1.4.2") == "registry.example.com:5000/shop/web")
        #expect(ImageReference.repository(of: "registry.example.com:5000/shop/web") == "registry.example.com:5000/shop/web")
        #expect(ImageReference.repository(of: "shop/web:1@sha256:" + String(repeating: "0", count: 64)) == "shop/web")
        #expect(ImageReference.tag(of: "shop/web:1.4.2@sha256:" + String(repeating: "0", count: 64)) == "1.4.2")
        #expect(ImageReference.tag(of: "localhost:5000/web") == nil)
    }
}
