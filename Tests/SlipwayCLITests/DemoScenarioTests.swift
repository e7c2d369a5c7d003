import Foundation
import JSON
import Kube
import SlipwayAPI
import SlipwayCLI
import Testing
import YAML

@Suite("The demo's scenario")
struct DemoScenarioTests {
    @Test("the demo's targets are valid DeploymentTargets: a blue/green web and a canary api")
    func targetsAreValid() throws {
        for scenario in [DemoScenario(pace: .normal), DemoScenario(pace: .fast), DemoScenario(pace: .fast, prometheus: "http://127.0.0.1:9090")] {
            let documents = try YAML.parseAll(scenario.manifests)
            let targets = try documents.filter { $0["kind"]?.stringValue == "DeploymentTarget" }.map { try $0.decode(as: DeploymentTarget.self) }
            #expect(targets.count == 2)
            for target in targets {
                #expect(target.validationIssues().isEmpty, "\(target.metadata.name ?? ""): \(target.validationIssues())")
            }
            #expect(targets.first { $0.metadata.name == DemoScenario.webTarget }?.spec.strategy.blueGreen != nil)
            let api = try #require(targets.first { $0.metadata.name == DemoScenario.apiTarget })
            #expect(api.spec.strategy.canary != nil)
            let promQL = api.spec.gates?.first { $0.name == "error-rate" }?.prometheus
            #expect((promQL != nil) == (scenario.prometheus != nil))
            if let promQL {
                #expect(promQL.query == DemoScenario.errorRateQuery)
                let analysis = api.spec.strategy.canary?.steps.compactMap(\.analysis).first
                #expect(analysis?.gates == ["api-healthy", "error-rate"])
            }
        }
    }

    @Test("with the registry, a third target, cart, requires and pins its images there, and the fourth story passes only when the registry refused the image")
    func registryStory() throws {
        let registry = DemoScenario.Registry(host: "127.0.0.1:5443", caCertificatePEM: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        let scenario = DemoScenario(pace: .fast, registry: registry)
        let targets = try YAML.parseAll(scenario.manifests).filter { $0["kind"]?.stringValue == "DeploymentTarget" }
            .map { try $0.decode(as: DeploymentTarget.self) }
        #expect(targets.count == 3)
        let cart = try #require(targets.first { $0.metadata.name == DemoScenario.cartTarget })
        #expect(cart.validationIssues().isEmpty, "\(cart.validationIssues())")
        #expect(cart.spec.imagePolicy?.effectivePinDigest == true)
        #expect(cart.spec.imagePolicy?.registry?.caBundle?.trimmingCharacters(in: .whitespacesAndNewlines) == registry.caCertificatePEM.trimmingCharacters(in: .whitespacesAndNewlines))
        let story = try #require(scenario.releases.last)
        #expect(story.target == DemoScenario.cartTarget && story.expected == [.rejected])
        let refused = DemoOutcome(release: story, requestName: "d", phase: .rejected,
                                  message: "spec.image: \(story.image) is not in the registry 127.0.0.1:5443 (it answered: HTTP 404 MANIFEST_UNKNOWN: manifest unknown); push it first or fix the tag; nothing was changed", seconds: 0)
        #expect(refused.verdict == .asExpected)
        var otherReason = refused
        otherReason.message = "spec.image: the registry 127.0.0.1:5443 refused the certificate"
        #expect(otherReason.verdict != .asExpected)
    }

    @Test("every release is a valid request for its target")
    func releasesAreValid() throws {
        let scenario = DemoScenario(pace: .fast)
        let targets = try YAML.parseAll(scenario.manifests).filter { $0["kind"]?.stringValue == "DeploymentTarget" }
            .map { try $0.decode(as: DeploymentTarget.self) }
        for release in scenario.releases {
            let request = try RequestDraft.make(target: release.target, action: .deploy, image: release.image, commit: release.commit,
                                                reason: release.reason, namespace: DemoScenario.namespace, requestedBy: "demo", entropy: 1)
            let target = try #require(targets.first { $0.metadata.name == release.target })
            #expect(request.validationIssues(against: target).isEmpty)
        }
    }

    @Test("the demo passes only when every release ends as it should; an unsupported canary is skipped, not passed")
    func verdicts() {
        let releases = DemoScenario(pace: .fast).releases
        let good = [
            DemoOutcome(release: releases[0], requestName: "a", phase: .succeeded, message: nil, seconds: 5),
            DemoOutcome(release: releases[1], requestName: "b", phase: .succeeded, message: nil, seconds: 5),
            DemoOutcome(release: releases[2], requestName: "c", phase: .rolledBack, message: "gate failed", seconds: 5),
        ]
        #expect(DemoSummary.passed(good))
        var skipped = good
        skipped[1].phase = .rejected
        skipped[1].message = "spec.target: DeploymentTarget api-staging uses the canary strategy, which this controller does not release yet; use a blueGreen target"
        #expect(skipped[1].verdict == .skipped("this controller does not release canary targets yet"))
        #expect(DemoSummary.passed(skipped))
        var broken = good
        broken[2].phase = .succeeded
        #expect(!DemoSummary.passed(broken))
        var unfinished = good
        unfinished[0].phase = nil
        #expect(!DemoSummary.passed(unfinished))
        let table = DemoSummary.table(broken).render()
        #expect(table.contains("UNEXPECTED: ended Succeeded, expected RolledBack"))
    }
}
