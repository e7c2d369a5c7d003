import Foundation
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing

/// The controller is killed between two calls to the cluster during a canary release and a new
/// one, knowing only what the cluster says, takes over. Every run must end exactly like the
/// uninterrupted one: the same workload and routing changes in the same order (no traffic
/// change made twice or skipped), the same timeline, the same final state.
@Suite("Rollout canary crash safety")
struct RolloutCanaryCrashSafetyTests {
    struct Scenario: Sendable, CustomStringConvertible {
        enum Kind: String, CaseIterable, Sendable { case good, failsAnalysis, promotedByHand }
        var router: CanaryWorld.Router
        var kind: Kind

        var description: String { "\(router) \(kind)" }

        static var all: [Scenario] {
            CanaryWorld.Router.allCases.flatMap { router in Kind.allCases.map { Scenario(router: router, kind: $0) } }
        }

        func makeWorld() -> CanaryWorld {
            switch kind {
            case .good:
                let world = CanaryWorld(router: router)
                world.request("r1", tag: "1.4.2")
                return world
            case .failsAnalysis:
                let world = CanaryWorld(router: router)
                world.request("r1", tag: "1.4.2-errors20")
                return world
            case .promotedByHand:
                let world = CanaryWorld(router: router, steps: [.setWeight(25), .pause(), .analysis(["error-rate"]), .setWeight(75), .pause(), .setWeight(100)])
                world.request("r1", tag: "1.4.2")
                return world
            }
        }

        var expectedPhase: Phase { kind == .failsAnalysis ? .rolledBack : .succeeded }
    }

    struct Outcome: Equatable, CustomStringConvertible {
        var phase: Phase?
        var changes: [String]
        var timeline: [String]
        var weight: Int?
        var stableImage: String?
        var canaryImage: String?
        var stableReplicas: Int?
        var canaryReplicas: Int?
        var currentImage: String?
        var activeRequest: String?

        init(_ world: CanaryWorld) {
            phase = world.phase("r1")
            changes = world.workloadChanges
            timeline = world.timeline("r1")
            weight = world.liveCanaryWeight
            stableImage = world.cluster.deploymentImage("web-stable")
            canaryImage = world.cluster.deploymentImage("web-canary")
            stableReplicas = world.cluster.deploymentReplicas("web-stable")
            canaryReplicas = world.cluster.deploymentReplicas("web-canary")
            currentImage = world.target?.currentImage
            activeRequest = world.target?.activeRequest
        }

        var description: String { "\(phase?.rawValue ?? "-") weight=\(weight.map(String.init) ?? "-") changes=\(changes) timeline=\(timeline)" }
    }

    static func run(_ scenario: Scenario, kills: [Int]) async throws -> (outcome: Outcome, crashes: Int) {
        let world = scenario.makeWorld()
        let crashes = try await CrashDriver(world: world, rounds: 10).run(kills: kills)
        return (Outcome(world), crashes)
    }

    @Test("killed at every boundary between two calls, a fresh controller ends the canary exactly as an uninterrupted one",
          arguments: Scenario.all)
    func everyBoundary(_ scenario: Scenario) async throws {
        let (baseline, _) = try await Self.run(scenario, kills: [])
        #expect(baseline.phase == scenario.expectedPhase, "\(baseline)")
        let world = scenario.makeWorld()
        try await CrashDriver(world: world, rounds: 10).finish()
        let boundaries = world.cluster.history.count
        #expect(boundaries > 10)

        for k in 0..<boundaries {
            let (outcome, crashes) = try await Self.run(scenario, kills: [k])
            #expect(crashes == 1, "the controller was killed after \(k) changes")
            #expect(outcome == baseline, "killed after \(k) changes: \(outcome) differs from \(baseline)")
        }
    }

    @Test("killed many times at random moments (seeded), each traffic change is made exactly once", arguments: Scenario.all)
    func randomKills(_ scenario: Scenario) async throws {
        let (baseline, _) = try await Self.run(scenario, kills: [])
        for seed in UInt64(1)...15 {
            var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(scenario.description.count))
            let kills = (0..<Int(random.next() % 6 + 2)).map { _ in Int(random.next() % 4) }
            let (outcome, _) = try await Self.run(scenario, kills: kills)
            #expect(outcome == baseline, "seed \(seed), kills \(kills): \(outcome)")
        }
    }
}
