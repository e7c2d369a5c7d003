import Foundation
import JSON
import Kube
import SlipwayAPI
import Testing
import YAML

/// Seeded streams of invalid and odd DeploymentRequests and DeploymentTargets sent to the API
/// server with a `slipway controller` process running. What the schema refuses is refused by
/// the API with an error naming the field; what it accepts ends Rejected with a message naming
/// the field; the controller survives all of it and releases a good request afterwards.
@Suite("EndToEnd fuzzed requests and targets", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndFuzzTests {
    /// Replace with SLIPWAY_FUZZ_SEED=<seed> to replay a failure reported with its seed.
    static let defaultSeed: UInt64 = 0xF022_5EED_0003
    static let requestCount = 60
    static let targetCount = 40

    @Test("invalid and odd requests and targets are refused by the API or end Rejected naming the field; the controller keeps releasing")
    func fuzz() async throws {
        let seed = SeededRandom.seed(from: "SLIPWAY_FUZZ_SEED", default: Self.defaultSeed)
        var random = SeededRandom(seed: seed)
        // Keep every finished request: the target's history limit would otherwise delete the rejected ones.
        let application = Fixture.application().replacingOccurrences(of: "historyLimit: 10", with: "historyLimit: 1000")
        let validTarget = try #require(try YAML.parseAll(application).first { $0["kind"]?.stringValue == "DeploymentTarget" })
        let requests = FuzzGenerator.requests(count: Self.requestCount, random: &random, namespace: Fixture.namespace,
                                              target: Fixture.target, repository: Fixture.repository)
        let targets = FuzzGenerator.targets(count: Self.targetCount, random: &random, valid: validTarget)

        try await EndToEndCluster.with { cluster in
            try await cluster.apply(application)
            var refused = 0
            var accepted: [(fuzz: FuzzCase, request: String)] = []

            for fuzz in requests {
                if try await create(fuzz, resource: .deploymentRequests, in: cluster, seed: seed) {
                    accepted.append((fuzz, fuzz.name))
                } else {
                    refused += 1
                }
            }
            for (index, fuzz) in targets.enumerated() {
                guard try await create(fuzz, resource: .deploymentTargets, in: cluster, seed: seed) else {
                    refused += 1
                    continue
                }
                // A target is only ever used through a request: one made against it must be rejected naming the target's field.
                let probe = "probe-\(index)"
                let request = FuzzGenerator.validRequest(name: probe, namespace: Fixture.namespace, target: fuzz.name,
                                                         image: "\(Fixture.repository):2.0.0")
                _ = try await cluster.client.create(.deploymentRequests, DynamicObject(request), namespace: Fixture.namespace)
                accepted.append((FuzzCase(name: fuzz.name, mutations: fuzz.mutations, object: fuzz.object, fields: fuzz.fields), probe))
            }
            #expect(refused > 10 && accepted.count > 10, "seed \(seed): \(refused) refused, \(accepted.count) accepted; the cases should exercise both")

            // Every accepted one ends Rejected, naming one of its fields.
            var phases: [String: DeploymentRequest] = [:]
            let settled = try await waitUntil(timeout: .seconds(60)) {
                let list = try await cluster.client.list(DeploymentRequest.self, namespace: Fixture.namespace).items
                phases = Dictionary(list.compactMap { request in request.metadata.name.map { ($0, request) } }) { first, _ in first }
                return accepted.allSatisfy { phases[$0.request]?.phase.isTerminal == true }
            }
            for (fuzz, name) in accepted {
                let request = phases[name]
                let message = request?.status?.message ?? ""
                #expect(request?.phase == .rejected, "seed \(seed), \(fuzz) via \(name): \(request?.phase.rawValue ?? "gone") \(message)")
                #expect(fuzz.fields.contains { message.contains($0) },
                        "seed \(seed), \(fuzz) via \(name): the message names none of \(fuzz.fields): \(message)")
                #expect(!message.isEmpty && message.count < 20_000, "seed \(seed), \(fuzz): a message that is empty or unbounded")
            }
            #expect(settled, "seed \(seed): some accepted requests never finished")
            // The target the fuzz ran against is untouched.
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            #expect(try await cluster.target().status?.activeRequest == nil)

            // The controller survived every one of them, and still releases.
            let controller = try #require(cluster.controller)
            #expect(controller.isRunning, "seed \(seed): the controller exited: \(controller.stderr.suffix(2000))")
            #expect(!controller.stderr.contains("Fatal error"), "\(controller.stderr.suffix(2000))")
            try await cluster.apply(Fixture.request("release-good", image: "shop/app:2.0.0"))
            let good = try await cluster.waitForRequest("release-good", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(good.phase == .succeeded, "\(good.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(controller.isRunning)
        }
    }

    /// Creates the object; true when the API server accepted it. A refusal must be a 4xx
    /// validation answer naming one of the case's fields.
    private func create(_ fuzz: FuzzCase, resource: ResourceDescriptor, in cluster: EndToEndCluster, seed: UInt64,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        do {
            _ = try await cluster.client.create(resource, DynamicObject(fuzz.object), namespace: Fixture.namespace)
            return true
        } catch {
            guard case .api(let status) = error else {
                Issue.record("seed \(seed), \(fuzz): not an API refusal: \(error)", sourceLocation: sourceLocation)
                return false
            }
            #expect(status.code == 422 || status.code == 400, "seed \(seed), \(fuzz): HTTP \(status.code ?? 0): \(status.message ?? "")",
                    sourceLocation: sourceLocation)
            let message = status.message ?? ""
            #expect(fuzz.fields.contains { message.contains($0) },
                    "seed \(seed), \(fuzz): the API's refusal names none of \(fuzz.fields): \(message)", sourceLocation: sourceLocation)
            return false
        }
    }
}
