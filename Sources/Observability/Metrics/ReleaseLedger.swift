import Foundation
import Kube
import SlipwayAPI

/// Turns successive looks at the DeploymentRequests into what the release counters must add:
/// each release that finished (once, however often it is seen afterwards) and each new gate
/// measurement.
///
/// Counting follows the requests' status, written by whichever replica leads, so it does not
/// depend on the reconciler's code paths. The first look is a baseline: requests that finished
/// before it are history, not news, and are not counted (a restart must not count every kept
/// request again). A request first seen after the baseline already finished is counted when it
/// finished after `since` (it was created and finished between two looks).
struct ReleaseLedger {
    /// One release that reached a terminal phase.
    struct Finished: Equatable {
        var environment: String
        /// success, failed, rolled_back, aborted or rejected.
        var status: String
        /// From status.startedAt to status.finishedAt, when both are known.
        var seconds: Double?
    }

    /// New measurements of one gate of one target.
    struct GateMeasurements: Equatable {
        var namespace: String
        var target: String
        var environment: String
        var gate: String
        /// success, failure or inconclusive.
        var result: String
        var count: Int
    }

    private struct Known {
        var finished: Bool
        var gates: [String: GateCounts]
    }

    private struct GateCounts: Equatable {
        var successes = 0, failures = 0, inconclusive = 0
        init(_ status: GateStatus) {
            successes = status.successes ?? 0
            failures = status.failures ?? 0
            inconclusive = status.inconclusive ?? 0
        }
        init() {}
    }

    let since: Date
    private var baselineTaken = false
    private var known: [String: Known] = [:]

    init(since: Date) {
        self.since = since
    }

    /// The outcome label of a terminal phase, in the words of the manual's `deployments_total{status}`.
    static func outcome(of phase: Phase) -> String? {
        switch phase {
        case .succeeded: "success"
        case .failed: "failed"
        case .rolledBack: "rolled_back"
        case .aborted: "aborted"
        case .rejected: "rejected"
        case .pending, .queued, .awaitingApproval, .progressing, .paused: nil
        }
    }

    static let outcomes = ["success", "failed", "rolled_back", "aborted", "rejected"]

    /// Looks at every request now; returns what finished and what was measured since the last look.
    /// - Parameter environment: the environment of a target (namespace, name); nil when unknown.
    mutating func update(requests: [DeploymentRequest], environment: (String, String) -> String?)
        -> (finished: [Finished], gates: [GateMeasurements]) {
        var finished: [Finished] = []
        var gates: [GateMeasurements] = []
        var seen: [String: Known] = [:]
        for request in requests {
            let id = request.metadata.uid ?? "\(request.metadata.namespace ?? "")/\(request.metadata.name ?? "")"
            let namespace = request.metadata.namespace ?? ""
            let environmentName = environment(namespace, request.spec.target) ?? "unknown"
            let phase = request.phase
            let currentGates = Dictionary((request.status?.gates ?? []).map { ($0.name, GateCounts($0)) }) { first, _ in first }
            let previous = known[id]

            if !baselineTaken {
                seen[id] = Known(finished: phase.isTerminal, gates: currentGates)
                continue
            }
            var alreadyFinished = previous?.finished ?? false
            if previous == nil, phase.isTerminal {
                // Seen for the first time, already over: news only if it ended after `since`.
                let end = KubeTime.parse(request.status?.finishedAt) ?? KubeTime.parse(request.metadata.creationTimestamp)
                alreadyFinished = end.map { $0 < since } ?? true
            }
            if phase.isTerminal, !alreadyFinished, let status = Self.outcome(of: phase) {
                var seconds: Double?
                if let start = KubeTime.parse(request.status?.startedAt), let end = KubeTime.parse(request.status?.finishedAt) {
                    seconds = max(0, end.timeIntervalSince(start))
                }
                finished.append(Finished(environment: environmentName, status: status, seconds: seconds))
            }
            if previous != nil || !alreadyFinished {
                for (gate, counts) in currentGates.sorted(by: { $0.key < $1.key }) {
                    let before = previous?.gates[gate] ?? GateCounts()
                    for (result, now, then) in [("success", counts.successes, before.successes),
                                                ("failure", counts.failures, before.failures),
                                                ("inconclusive", counts.inconclusive, before.inconclusive)] where now > then {
                        gates.append(GateMeasurements(namespace: namespace, target: request.spec.target, environment: environmentName,
                                                      gate: gate, result: result, count: now - then))
                    }
                }
            }
            seen[id] = Known(finished: phase.isTerminal, gates: currentGates)
        }
        // Requests that are gone (deleted by the history limit) are forgotten: the ledger stays
        // as small as the store.
        known = seen
        baselineTaken = true
        return (finished, gates)
    }
}
