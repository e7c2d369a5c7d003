import Foundation
import SlipwayAPI

/// When a gate list runs in a blue/green release.
public enum GateStage: String, Sendable, CaseIterable {
    /// Against the preview Service, before any traffic moves.
    case prePromotion = "pre"
    /// Against the live Service, after the switch, while the old slot is still warm.
    case postPromotion = "post"

    /// The gate's entry in `status.gates`: the stage is part of the name because one gate may
    /// run in both stages (`pre/health`, `post/health`).
    public func statusName(_ gate: String) -> String { "\(rawValue)/\(gate)" }
}

/// Where a gate list stands after a round of measurements.
public enum GateStageOutcome: Sendable, Equatable {
    /// Every gate passed.
    case passed
    /// A gate failed; `message` says which and why.
    case failed(gate: String, message: String)
    /// A gate had more inconclusive measurements (no data, with `noDataPolicy: inconclusive`)
    /// than it tolerates: neither pass nor fail, so a human decides.
    case inconclusive(gate: String, message: String)
    /// Some gates still measure; the next one is due after this long.
    case running(nextIn: Duration)
}

/// Measures the gates of one stage that are due and keeps their results in `status.gates`.
///
/// Counting (the semantics `Gate` documents): the first measurement is `initialDelaySeconds`
/// after the stage started, then one every `intervalSeconds`; a gate passes after
/// `successThreshold` successes in a row and fails once its failures exceed `failureLimit`.
/// All timing comes from the recorded `lastChecked`, so a restarted controller continues the
/// schedule instead of starting over.
struct GateRunner: Sendable {
    let evaluators: GateEvaluators

    /// Runs one round. `measured` is true when any status changed (and must be written).
    func run(stage: GateStage, gateNames: [String], statuses: inout [GateStatus], context: GateContext,
             stageStartedAt: Date, now: Date) async -> (outcome: GateStageOutcome, measured: Bool) {
        await run(statusName: stage.statusName, gateNames: gateNames, statuses: &statuses, context: context,
                  stageStartedAt: stageStartedAt, now: now)
    }

    /// Runs one round; each gate's entry in `statuses` is named `statusName(gate)`.
    func run(statusName: (String) -> String, gateNames: [String], statuses: inout [GateStatus], context: GateContext,
             stageStartedAt: Date, now: Date) async -> (outcome: GateStageOutcome, measured: Bool) {
        var measured = false
        var nextIn: Duration?
        var failure: (gate: String, message: String)?
        var inconclusive: (gate: String, message: String)?

        for name in gateNames {
            let statusName = statusName(name)
            var status = statuses.first { $0.name == statusName } ?? GateStatus(name: statusName, phase: .pending, successes: 0, failures: 0)
            defer {
                if let index = statuses.firstIndex(where: { $0.name == statusName }) { statuses[index] = status } else { statuses.append(status) }
            }
            switch status.phase {
            case .passed: continue
            case .failed:
                if failure == nil { failure = (name, status.lastError ?? "gate \(name) failed") }
                continue
            case .inconclusive:
                if inconclusive == nil { inconclusive = (name, Self.inconclusiveMessage(status)) }
                continue
            default: break
            }
            guard let gate = context.target.spec.gate(named: name), let kind = gate.kind else {
                status.phase = .failed
                status.lastError = "gate \(name) is not defined, or defines not exactly one of http, readiness, prometheus, in the target's spec.gates"
                measured = true
                if failure == nil { failure = (name, status.lastError ?? "") }
                continue
            }
            let due: Date
            if let last = status.lastChecked.flatMap(RFC3339.date(from:)) {
                due = last.addingTimeInterval(TimeInterval(max(1, gate.effectiveIntervalSeconds)))
            } else {
                due = stageStartedAt.addingTimeInterval(TimeInterval(max(0, gate.effectiveInitialDelaySeconds)))
            }
            if due > now {
                nextIn = min(nextIn ?? .seconds(3600), Self.duration(due.timeIntervalSince(now)))
                continue
            }

            let measurement = await evaluators.evaluator(for: kind).measure(gate, context: context)
            measured = true
            apply(measurement, to: &status, gate: gate, at: now)
            switch status.phase {
            case .failed:
                if failure == nil { failure = (name, status.lastError ?? "gate \(name) failed") }
            case .inconclusive:
                if inconclusive == nil { inconclusive = (name, Self.inconclusiveMessage(status)) }
            case .passed:
                break
            default:
                nextIn = min(nextIn ?? .seconds(3600), .seconds(max(1, gate.effectiveIntervalSeconds)))
            }
        }

        if let failure { return (.failed(gate: failure.gate, message: failure.message), measured) }
        if let inconclusive { return (.inconclusive(gate: inconclusive.gate, message: inconclusive.message), measured) }
        let allPassed = gateNames.allSatisfy { name in statuses.first { $0.name == statusName(name) }?.phase == .passed }
        if allPassed { return (.passed, measured) }
        return (.running(nextIn: nextIn ?? .seconds(1)), measured)
    }

    private func apply(_ measurement: GateMeasurement, to status: inout GateStatus, gate: Gate, at now: Date) {
        let time = RFC3339.string(from: now)
        status.lastChecked = time
        status.lastValue = measurement.value.map { String($0.prefix(1024)) }
        status.record(Measurement(time: time, outcome: measurement.outcome, value: status.lastValue))
        switch measurement.outcome {
        case .success:
            status.successes = (status.successes ?? 0) + 1
        case .inconclusive:
            status.inconclusive = (status.inconclusive ?? 0) + 1
            status.lastError = measurement.error.map { String($0.prefix(4096)) }
        case .failure, .error:
            status.failures = (status.failures ?? 0) + 1
            status.lastError = measurement.error.map { String($0.prefix(4096)) }
        }
        let successesInARow = (status.measurements ?? []).reversed().prefix { $0.outcome == .success }.count
        let threshold = min(max(1, gate.effectiveSuccessThreshold), GateStatus.measurementLimit)
        let taken = (status.successes ?? 0) + (status.failures ?? 0) + (status.inconclusive ?? 0)
        if measurement.failsGate || (status.failures ?? 0) > max(0, gate.effectiveFailureLimit) {
            status.phase = .failed
        } else if let prometheus = gate.prometheus, (status.inconclusive ?? 0) > max(0, prometheus.effectiveInconclusiveLimit) {
            status.phase = .inconclusive
        } else if let count = gate.prometheus?.count {
            // Exactly `count` measurements, as Argo Rollouts' analysis counts them: the gate
            // passes once all are taken within the failure and inconclusive limits.
            status.phase = taken >= max(1, count) ? .passed : .running
        } else if successesInARow >= threshold {
            status.phase = .passed
        } else {
            status.phase = .running
        }
    }

    static func inconclusiveMessage(_ status: GateStatus) -> String {
        "\(status.inconclusive ?? 0) inconclusive measurement\((status.inconclusive ?? 0) == 1 ? "" : "s")"
            + (status.lastError.map { " (last: \($0))" } ?? "")
    }

    static func duration(_ interval: TimeInterval) -> Duration {
        .milliseconds(Int64((max(0, interval) * 1000).rounded(.up)))
    }
}
