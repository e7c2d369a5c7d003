import JSON
import Kube
import SlipwayAPI
import Testing

@Suite("SlipwayAPI live-object checks")
struct SlipwayAPILiveValidationTests {
    static func cluster(without kind: String, named name: String) throws -> FakeCluster {
        FakeCluster(objects: try Fixtures.exampleDocuments().map(\.document).filter {
            !($0["kind"]?.stringValue == kind && $0[path: "metadata", "name"]?.stringValue == name)
        })
    }

    @Test("a missing object is named with its field", arguments: [
        ("web-production", "Deployment", "web-green", "spec.strategy.blueGreen.greenDeployment"),
        ("web-production", "Service", "web-preview", "spec.strategy.blueGreen.previewService"),
        ("api-staging", "Deployment", "api-canary", "spec.strategy.canary.canaryDeployment"),
        ("checkout-production", "Ingress", "checkout", "spec.strategy.canary.trafficRouting.nginx.stableIngress"),
        ("checkout-production", "Service", "checkout-canary", "spec.strategy.canary.canaryService"),
        ("catalog-production", "VirtualService", "catalog", "spec.strategy.canary.trafficRouting.istio.virtualService"),
        ("search-production", "HTTPRoute", "search", "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute"),
        ("search-production", "Service", "search-canary", "spec.strategy.canary.trafficRouting.gatewayAPI.canaryBackend"),
    ])
    func missing(target name: String, kind: String, object: String, field: String) async throws {
        let target = try Fixtures.example(kind: "DeploymentTarget", named: name).decode(as: DeploymentTarget.self)
        let issues = try await target.liveIssues(in: "shop", lookup: try Self.cluster(without: kind, named: object))
        #expect(issues.map(\.field) == [field])
        #expect(issues.first?.message == #"\#(kind) "\#(object)" does not exist in namespace "shop"; create it or fix the name"#)
    }

    @Test("a Deployment without the target's container is reported")
    func missingContainer() async throws {
        var target = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        target.spec.container = "frontend"
        let cluster = FakeCluster(objects: try Fixtures.exampleDocuments().map(\.document))
        let issues = try await target.liveIssues(in: "shop", lookup: cluster)
        #expect(issues.map(\.field) == ["spec.strategy.blueGreen.blueDeployment", "spec.strategy.blueGreen.greenDeployment"])
        #expect(issues.first?.message.contains(#"has no container "frontend" (it has "web")"#) == true)
    }

    @Test("objects in another namespace do not count")
    func otherNamespace() async throws {
        let target = try Fixtures.example(kind: "DeploymentTarget", named: "api-staging").decode(as: DeploymentTarget.self)
        let cluster = FakeCluster(objects: try Fixtures.exampleDocuments().map(\.document))
        let issues = try await target.liveIssues(in: "other", lookup: cluster)
        #expect(issues.count == 3)
    }

    @Test("an unreachable API is an error, not a verdict on the target")
    func unreachable() async throws {
        let target = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        await #expect(throws: UnreachableCluster.Down.self) {
            _ = try await target.liveIssues(in: "shop", lookup: UnreachableCluster())
        }
    }
}
