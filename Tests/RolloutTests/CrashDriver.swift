import Rollout
import SlipwayAPI

/// A simulated world whose controller can be killed between two calls to the cluster.
protocol CrashableWorld: Sendable {
    var cluster: FakeRolloutCluster { get }
    func settle(maxRounds: Int) async throws
}

extension RolloutWorld: CrashableWorld {}
extension CanaryWorld: CrashableWorld {}

/// Drives request `r1` of a world to its end, killing the controller after the given numbers
/// of cluster changes, the way the blue/green and canary crash-safety tests both need: after
/// each kill a fresh controller, knowing only what the cluster says, takes over, and an
/// operator promotes whatever waits for them.
struct CrashDriver<World: CrashableWorld> {
    let world: World
    /// Settle rounds per kill and at the end: enough for every pause an operator promotes.
    var rounds: Int

    /// What an operator does: promote a release paused for promotion.
    func operatorActs() {
        guard let request = world.cluster.storedRequest("r1"), request.phase == .paused, !request.isPromoteRequested else { return }
        world.cluster.annotate("r1", SlipwayAnnotation.promote, "true")
    }

    var isFinished: Bool { world.cluster.storedRequest("r1")?.phase.isTerminal ?? true }

    /// Runs to the end without killing anything.
    func finish() async throws {
        for _ in 0..<rounds where !isFinished {
            try await world.settle(maxRounds: 2000)
            operatorActs()
        }
    }

    /// Runs to the end, killing the controller after each count of changes in `kills`; returns
    /// how many kills happened before the request finished.
    func run(kills: [Int]) async throws -> Int {
        var crashes = 0
        for kill in kills {
            world.cluster.crash(afterMutations: kill)
            // Until the kill happens, the operator keeps promoting what waits for them.
            for _ in 0..<rounds where !isFinished {
                do {
                    try await world.settle(maxRounds: 2000)
                    operatorActs()
                } catch is FakeRolloutCluster.SimulatedCrash {
                    crashes += 1
                    operatorActs()
                    break
                }
            }
        }
        world.cluster.crash(afterMutations: nil)
        try await finish()
        return crashes
    }
}
