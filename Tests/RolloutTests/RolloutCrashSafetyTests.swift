import Foundation
import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing

/// The controller is killed between two calls to the cluster (after the first k changes) and a
/// new one, knowing only what the cluster says, takes over. Every run must end exactly like the
/// uninterrupted one: same final state, the same workload and traffic changes in the same order
/// (so no step done twice or skipped), and the same timeline.
@Suite("Rollout crash safety")
struct RolloutCrashSafetyTests {
    enum Scenario: String, CaseIterable, Sendable {
        case goodRelease, unhealthyPreview, failsAfterSwitch, promotedByHand

        func makeWorld() -> RolloutWorld {
            let world = RolloutWorld(target: self == .promotedByHand ? RolloutWorld.target(autoPromote: false) : RolloutWorld.target())
            switch self {
            case .promotedByHand:
                world.request("r1", tag: "1.4.2")
            case .goodRelease:
                world.request("r1", tag: "1.4.2", commit: "abcdef1")
            case .unhealthyPreview:
                world.request("r1", tag: "1.4.2-unhealthy")
            case .failsAfterSwitch:
                let bad = "\(RolloutWorld.repository):1.4.2"
                world.prober.setOverride { url, image in
                    url == RolloutWorld.liveURL && image == bad ? HTTPProbeResponse(status: 500) : nil
                }
                world.request("r1", tag: "1.4.2")
            }
            return world
        }

        var expectedPhase: Phase {
            switch self {
            case .goodRelease, .promotedByHand: .succeeded
            case .unhealthyPreview: .failed
            case .failsAfterSwitch: .rolledBack
            }
        }
    }

    struct Outcome: Equatable, CustomStringConvertible {
        var phase: Phase?
        var changes: [String]
        var timeline: [String]
        var liveSlot: String?
        var currentImage: String?
        var previousImage: String?
        var activeSlot: Slot?
        var activeRequest: String?
        var blue: Int?
        var green: Int?
        var greenImage: String?

        init(_ world: RolloutWorld) {
            phase = world.phase("r1")
            changes = world.workloadChanges
            timeline = world.timeline("r1")
            liveSlot = world.liveSlot
            currentImage = world.target?.currentImage
            previousImage = world.target?.previousImage
            activeSlot = world.target?.activeSlot
            activeRequest = world.target?.activeRequest
            blue = world.cluster.deploymentReplicas("web-blue")
            green = world.cluster.deploymentReplicas("web-green")
            greenImage = world.cluster.deploymentImage("web-green")
        }

        var description: String { "\(phase?.rawValue ?? "-") live=\(liveSlot ?? "-") changes=\(changes) timeline=\(timeline)" }
    }

    /// Runs the scenario to the end, killing the controller after each count of changes in `kills`.
    static func run(_ scenario: Scenario, kills: [Int]) async throws -> (outcome: Outcome, crashes: Int) {
        let world = scenario.makeWorld()
        let crashes = try await CrashDriver(world: world, rounds: 5).run(kills: kills)
        return (Outcome(world), crashes)
    }

    /// How many changes an uninterrupted run makes.
    static func baselineChanges(_ scenario: Scenario) async throws -> Int {
        let world = scenario.makeWorld()
        try await CrashDriver(world: world, rounds: 5).finish()
        return world.cluster.history.count
    }

    @Test("killed at every step boundary, a fresh controller finishes the release exactly as an uninterrupted one", arguments: Scenario.allCases)
    func everyBoundary(_ scenario: Scenario) async throws {
        let (baseline, _) = try await Self.run(scenario, kills: [])
        let boundaries = try await Self.baselineChanges(scenario)
        #expect(baseline.phase == scenario.expectedPhase)
        #expect(Set(baseline.timeline).count == baseline.timeline.count, "no step recorded twice")
        #expect(boundaries > 10)

        for k in 0..<boundaries {
            let (outcome, crashes) = try await Self.run(scenario, kills: [k])
            #expect(crashes == 1, "the controller was killed after \(k) changes")
            #expect(outcome == baseline, "killed after \(k) changes: \(outcome) differs from \(baseline)")
        }
    }

    @Test("killed many times at random moments (seeded), every run ends right with each traffic switch made once", arguments: Scenario.allCases)
    func randomKills(_ scenario: Scenario) async throws {
        let (baseline, _) = try await Self.run(scenario, kills: [])

        for seed in UInt64(1)...25 {
            var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(scenario.rawValue.count))
            let kills = (0..<Int(random.next() % 6 + 2)).map { _ in Int(random.next() % 5) }
            let (outcome, _) = try await Self.run(scenario, kills: kills)
            #expect(outcome == baseline, "seed \(seed), kills \(kills): \(outcome)")
            let switches = outcome.changes.filter { $0.hasPrefix("selector web=") }
            #expect(switches == baseline.changes.filter { $0.hasPrefix("selector web=") })
        }
    }

    @Test("a switch made by a controller that died before recording it is recorded, not repeated, and an abort then switches back once")
    func diedAfterSwitchThenAborted() async throws {
        let world = RolloutWorld(target: RolloutWorld.target(scaleDownDelaySeconds: 600))
        world.request("r1", tag: "1.4.2")
        try await world.run("r1") { $0.status?.timeline?.last?.action == "SwitchingTraffic" }
        // The next change is the switch; the status write after it fails.
        world.cluster.crash(afterMutations: 1)
        await #expect(throws: FakeRolloutCluster.SimulatedCrash.self) { try await world.step("r1") }
        world.cluster.crash(afterMutations: nil)
        #expect(world.liveSlot == "green")
        #expect(!world.timeline("r1").contains("SwitchedTraffic"))

        world.cluster.annotate("r1", SlipwayAnnotation.abort, "stop")
        try await world.settle()
        #expect(world.phase("r1") == .aborted)
        #expect(world.trafficSwitches == ["green", "blue"])
        #expect(world.timeline("r1").filter { $0 == "SwitchedTraffic" }.count == 1)
        #expect(world.timeline("r1").filter { $0 == "SwitchedTrafficBack" }.count == 1)
        #expect(world.cluster.deploymentImage("web-green") == "\(RolloutWorld.repository):1.4.1")
    }
}

/// A small seeded generator (SplitMix64), so random kill points are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
