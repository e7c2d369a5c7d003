import ClusterCore
import JSON
import Kube
import SlipwayAPI
import Testing

@Suite("SlipwayAPI examples")
struct SlipwayAPIExampleTests {
    @Test("there is a blue/green target, a canary target per router, a deploy and a rollback request")
    func coverage() throws {
        let targets = try Fixtures.examples(kind: "DeploymentTarget").map { try $0.decode(as: DeploymentTarget.self) }
        let blueGreen = targets.first { $0.name == "web-production" }
        #expect(blueGreen?.spec.strategy.blueGreen != nil)
        var routers: Set<String> = []
        for target in targets {
            switch target.spec.strategy.canary?.trafficRouting.kind {
            case .replicaRatio?: routers.insert("replicaRatio")
            case .nginx?: routers.insert("nginx")
            case .istio?: routers.insert("istio")
            case .gatewayAPI?: routers.insert("gatewayAPI")
            case nil: break
            }
        }
        #expect(routers == ["replicaRatio", "nginx", "istio", "gatewayAPI"])
        let actions = try Fixtures.examples(kind: "DeploymentRequest").map { try $0.decode(as: DeploymentRequest.self).spec.effectiveAction }
        #expect(Set(actions) == [.deploy, .rollback])
    }

    @Test("every example target and request is valid against its CRD schema, with nothing pruned")
    func schemaValid() throws {
        let schemas = ["DeploymentTarget": try Fixtures.targetSchema(), "DeploymentRequest": try Fixtures.requestSchema()]
        var checked = 0
        for (file, document) in try Fixtures.exampleDocuments() {
            guard let kind = document["kind"]?.stringValue, let schema = schemas[kind] else { continue }
            let name = document[path: "metadata", "name"]?.stringValue ?? "?"
            #expect(document["apiVersion"]?.stringValue == SlipwayGroup.apiVersion, "\(file): \(name)")
            #expect(Fixtures.schemaCauses(document, schema: schema).isEmpty, "\(file): \(kind) \(name)")
            var processed = document
            schema.applyDefaultsAndPrune(&processed)
            // metadata is the API server's, never pruned by the schema; its annotation keys hold dots.
            #expect(processed["metadata"] == document["metadata"])
            let pruned = document.leafPaths().filter { !$0.hasPrefix("metadata.") && processed.value(at: $0) == nil }
            #expect(pruned.isEmpty, "\(file): \(kind) \(name) has fields the schema does not declare: \(pruned)")
            checked += 1
        }
        #expect(checked == 7)
    }

    @Test("every example target and request passes the Swift validation")
    func swiftValid() throws {
        for document in try Fixtures.examples(kind: "DeploymentTarget") {
            let target = try SlipwayDecoding.target(from: document)
            #expect(target.validationIssues().isEmpty, "\(target.name ?? "?"): \(target.validationIssues())")
        }
        var webProduction = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        webProduction.status = DeploymentTargetStatus(currentImage: "registry.example.com/shop/web:1.4.1",
                                                      previousImage: "registry.example.com/shop/web:1.4.0")
        for document in try Fixtures.examples(kind: "DeploymentRequest") {
            let request = try SlipwayDecoding.request(from: document)
            #expect(request.validationIssues().isEmpty, "\(request.name ?? "?")")
            #expect(request.spec.target == "web-production")
            #expect(request.validationIssues(against: webProduction).isEmpty, "\(request.name ?? "?")")
        }
    }

    @Test("examples decode and encode again without losing or changing a field")
    func roundTrip() throws {
        for document in try Fixtures.examples(kind: "DeploymentTarget") {
            let target = try document.decode(as: DeploymentTarget.self)
            let encoded = try JSONValue(encoding: target)
            #expect(encoded.sameJSON(as: document), "\(target.name ?? "?")")
            #expect(try encoded.decode(as: DeploymentTarget.self) == target)
        }
        for document in try Fixtures.examples(kind: "DeploymentRequest") {
            let request = try document.decode(as: DeploymentRequest.self)
            #expect(try JSONValue(encoding: request).sameJSON(as: document), "\(request.name ?? "?")")
        }
    }

    @Test("a fully populated status round-trips and is valid against the schema")
    func statusRoundTrip() throws {
        var request = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-1-4-2").decode(as: DeploymentRequest.self)
        var status = DeploymentRequestStatus(
            observedGeneration: 1, phase: .progressing, previousImage: "registry.example.com/shop/web:1.4.1", previousCommit: "a1b2c3d",
            slot: .green, trafficSwitchedAt: "2026-11-25T10:01:00Z", currentStep: 2, canaryWeight: 25,
            gates: [GateStatus(name: "error-rate", phase: .running, successes: 2, failures: 1, inconclusive: 0, lastValue: "0.004",
                               lastError: "connection refused", lastChecked: "2026-11-25T10:00:00Z",
                               measurements: [Measurement(time: "2026-11-25T10:00:00Z", outcome: .success, value: "0.004")])],
            approvals: [Approval(by: "telegram:123456789", at: "2026-11-25T09:59:00Z")],
            startedAt: "2026-11-25T09:59:30Z", message: "running gate error-rate",
            conditions: [Condition(type: "Progressing", status: "True", reason: "GatesRunning", message: "gates running",
                                   lastTransitionTime: "2026-11-25T09:59:30Z", observedGeneration: 1)])
        status.record(TimelineEntry(time: "2026-11-25T09:59:30Z", action: "ScaledUp", detail: "web-green to 3 replicas"))
        request.status = status
        let encoded = try JSONValue(encoding: request)
        #expect(try encoded.decode(as: DeploymentRequest.self) == request)
        #expect(Fixtures.schemaCauses(encoded, schema: try Fixtures.requestSchema()).isEmpty)

        var target = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        target.status = DeploymentTargetStatus(
            observedGeneration: 3, strategy: .blueGreen, currentImage: "registry.example.com/shop/web:1.4.2", currentCommit: "3f9c2ab",
            previousImage: "registry.example.com/shop/web:1.4.1", previousCommit: "a1b2c3d", activeSlot: .green, health: .healthy,
            activeRequest: "web-production-1-4-2", queue: ["web-production-1-4-3"], lastDeployedAt: "2026-11-25T10:02:00Z",
            conditions: [Condition(type: "Ready", status: "True", lastTransitionTime: "2026-11-25T10:02:00Z")])
        let encodedTarget = try JSONValue(encoding: target)
        #expect(try encodedTarget.decode(as: DeploymentTarget.self) == target)
        #expect(Fixtures.schemaCauses(encodedTarget, schema: try Fixtures.targetSchema()).isEmpty)
    }

    @Test("the workloads the examples ship satisfy every example target's live checks")
    func liveObjectsPresent() async throws {
        let cluster = FakeCluster(objects: try Fixtures.exampleDocuments().map(\.document))
        for document in try Fixtures.examples(kind: "DeploymentTarget") {
            let target = try document.decode(as: DeploymentTarget.self)
            let issues = try await target.liveIssues(in: "shop", lookup: cluster)
            #expect(issues.isEmpty, "\(target.name ?? "?"): \(issues)")
        }
    }
}
