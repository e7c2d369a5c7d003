import Kube
import SlipwayAPI

/// The exit status of `slipway request create --wait`, `rollback --wait` and `watch`, so that a
/// CI pipeline can tell the endings of a release apart without parsing output.
///
/// 1 stays the generic failure (bad input, API unreachable) and 64 the usage error that the
/// argument parser reports, as sysexits.h reserves it.
public enum ReleaseExitCode: Int32, Sendable, CaseIterable {
    /// The new release is live and every gate passed.
    case succeeded = 0
    /// Anything that is not an ending of the release: invalid input, the API unreachable.
    case error = 1
    /// The release failed before traffic reached it; the target is unchanged.
    case failed = 2
    /// The release failed after traffic reached it; traffic and workload are back on the previous release.
    case rolledBack = 3
    /// Stopped with `slipway request abort` (the `slipway.dev/abort` annotation).
    case aborted = 4
    /// The controller refused the request (invalid, target missing, outside its window).
    case rejected = 5
    /// `--timeout` passed before the request ended; it keeps running in the cluster.
    case timedOut = 6

    /// The code for a request that ended in `phase`; nil while it is still running.
    public static func forPhase(_ phase: Phase) -> ReleaseExitCode? {
        switch phase {
        case .succeeded: .succeeded
        case .failed: .failed
        case .rolledBack: .rolledBack
        case .aborted: .aborted
        case .rejected: .rejected
        case .pending, .queued, .awaitingApproval, .progressing, .paused: nil
        }
    }

    /// What the code means, for `--help` and the README.
    public var meaning: String {
        switch self {
        case .succeeded: "Succeeded: the release is live"
        case .error: "error: invalid input or the cluster could not be reached"
        case .failed: "Failed: the release failed before traffic reached it; the target is unchanged"
        case .rolledBack: "RolledBack: traffic and workload were returned to the previous release"
        case .aborted: "Aborted: stopped by `slipway request abort`"
        case .rejected: "Rejected: the controller refused the request (the message says why)"
        case .timedOut: "timed out: --timeout passed first; the request keeps running"
        }
    }

    /// The table of codes for help texts, one code a line.
    public static var helpText: String {
        allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }
}
