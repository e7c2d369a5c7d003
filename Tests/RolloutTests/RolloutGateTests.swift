import Foundation
import Kube
@testable import Rollout
import SlipwayAPI
import Synchronization
import Testing

/// Answers from a script, one response per probe, the last one repeated.
final class ScriptedProber: GateProber {
    private let script: Mutex<[Result<HTTPProbeResponse, RolloutClusterError>]>

    init(_ script: [Result<HTTPProbeResponse, RolloutClusterError>]) { self.script = Mutex(script) }

    func probe(_ gate: HTTPGate) async throws -> HTTPProbeResponse {
        let next = script.withLock { script in script.count > 1 ? script.removeFirst() : script.first }
        guard let next else { throw RolloutClusterError.conflict("no scripted answer") }
        return try next.get()
    }
}

@Suite("Rollout gates")
struct RolloutGateTests {
    let start = Date(timeIntervalSince1970: 1_795_600_800)
    let workload = WorkloadState(name: "web-green", image: "registry.example.com/shop/web:1.4.2", replicas: 3, generation: 2, observedGeneration: 2,
                                 statusReplicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, podLabels: ["slot": "green"], restarts: 0)

    func context(_ gates: [Gate], workload: WorkloadState? = nil) -> GateContext {
        var target = RolloutWorld.target(pre: gates.map(\.name), post: [])
        target.spec.gates = gates
        return GateContext(namespace: "shop", target: target, releaseWorkload: workload ?? self.workload)
    }

    /// Runs rounds at the times the runner asks for, until the stage ends.
    func runToEnd(_ runner: GateRunner, gates: [Gate], workload: WorkloadState? = nil) async -> (GateStageOutcome, [GateStatus], [Date]) {
        var statuses: [GateStatus] = []
        var now = start
        var times: [Date] = []
        for _ in 0..<100 {
            let before = statuses.first?.lastChecked
            let (outcome, _) = await runner.run(stage: .prePromotion, gateNames: gates.map(\.name), statuses: &statuses,
                                                context: context(gates, workload: workload), stageStartedAt: start, now: now)
            if statuses.first?.lastChecked != before, let checked = statuses.first?.lastChecked.flatMap(RFC3339.date(from:)) { times.append(checked) }
            switch outcome {
            case .running(let nextIn): now = now.addingTimeInterval(TimeInterval(nextIn.components.seconds) + Double(nextIn.components.attoseconds) / 1e18)
            default: return (outcome, statuses, times)
            }
        }
        return (.running(nextIn: .zero), statuses, times)
    }

    @Test("an HTTP gate passes after successThreshold successes in a row, measured after the initial delay at the interval")
    func successThreshold() async {
        let gate = Gate(name: "health", intervalSeconds: 10, initialDelaySeconds: 20, successThreshold: 3, failureLimit: 2,
                        http: HTTPGate(url: RolloutWorld.previewURL))
        let prober = ScriptedProber([.success(HTTPProbeResponse(status: 200)), .success(HTTPProbeResponse(status: 500)),
                                     .success(HTTPProbeResponse(status: 200))])
        let (outcome, statuses, times) = await runToEnd(GateRunner(evaluators: .standard(prober: prober)), gates: [gate])
        #expect(outcome == .passed)
        let status = statuses[0]
        #expect(status.name == "pre/health")
        #expect(status.successes == 4)
        #expect(status.failures == 1)
        #expect(status.lastError?.contains("answered 500") == true)
        #expect(times.map { $0.timeIntervalSince(start) } == [20, 30, 40, 50, 60])
    }

    @Test("an HTTP gate fails once failures exceed failureLimit; connection errors count as failures")
    func failureLimit() async {
        let gate = Gate(name: "health", intervalSeconds: 5, successThreshold: 1, failureLimit: 1, http: HTTPGate(url: RolloutWorld.previewURL))
        let prober = ScriptedProber([.failure(.conflict("connection refused")), .success(HTTPProbeResponse(status: 503))])
        let (outcome, statuses, _) = await runToEnd(GateRunner(evaluators: .standard(prober: prober)), gates: [gate])
        guard case .failed(let name, let message) = outcome else {
            Issue.record("expected the gate to fail, got \(outcome)")
            return
        }
        #expect(name == "health")
        #expect(message.contains("503"))
        #expect(statuses[0].failures == 2)
        #expect(statuses[0].measurements?.map(\.outcome) == [.error, .failure])
    }

    @Test("bodyContains is checked, and measurements stay bounded")
    func bodyAndBound() async {
        let gate = Gate(name: "health", intervalSeconds: 1, successThreshold: 1, failureLimit: 30,
                        http: HTTPGate(url: RolloutWorld.previewURL, bodyContains: "ok"))
        let prober = ScriptedProber(Array(repeating: .success(HTTPProbeResponse(status: 200, body: "starting")), count: 25)
                                    + [.success(HTTPProbeResponse(status: 200, body: "all ok"))])
        let (outcome, statuses, _) = await runToEnd(GateRunner(evaluators: .standard(prober: prober)), gates: [gate])
        #expect(outcome == .passed)
        #expect(statuses[0].failures == 25)
        #expect(statuses[0].measurements?.count == GateStatus.measurementLimit)
    }

    @Test("a readiness gate fails when pods restart beyond maxRestarts")
    func readinessRestarts() async {
        let gate = Gate(name: "pods", failureLimit: 0, readiness: ReadinessGate(maxRestarts: 1))
        var restarting = workload
        restarting.restarts = 4
        let (outcome, statuses, _) = await runToEnd(GateRunner(evaluators: .standard(prober: ScriptedProber([]))), gates: [gate], workload: restarting)
        guard case .failed(_, let message) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(message.contains("restarted 4 times"))
        #expect(statuses[0].lastValue == "3/3 available, 4 restarts")
    }
}
