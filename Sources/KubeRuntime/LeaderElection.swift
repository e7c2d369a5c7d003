import Foundation

/// Timing and identity of a leader-election candidate. The defaults are client-go's
/// (`tools/leaderelection`): a 15 s lease, renewed within 10 s, tried every 2 s.
public struct LeaderElectionConfiguration: Sendable {
    /// Who this candidate is; written to `holderIdentity`. Unique per process.
    public var identity: String
    /// How long others wait, after they last saw the Lease change, before taking it over.
    public var leaseDuration: Duration
    /// How long a leader keeps acting without a successful renewal. Shorter than
    /// `leaseDuration`, so a leader stops before anyone else may start.
    public var renewDeadline: Duration
    /// The pause between attempts to acquire or renew.
    public var retryPeriod: Duration
    /// Clear the holder when stopping, so another candidate takes over at once instead of
    /// waiting out the lease.
    public var releaseOnShutdown: Bool

    public init(identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                retryPeriod: Duration = .seconds(2), releaseOnShutdown: Bool = true) throws(LeaderElectionError) {
        guard !identity.isEmpty else {
            throw .invalidConfiguration("the candidate identity is empty; use a unique name such as the pod name")
        }
        guard leaseDuration > renewDeadline else {
            throw .invalidConfiguration("the lease duration (\(leaseDuration)) must be longer than the renew deadline (\(renewDeadline))")
        }
        guard renewDeadline > retryPeriod, retryPeriod > .zero else {
            throw .invalidConfiguration("the renew deadline (\(renewDeadline)) must be longer than the retry period (\(retryPeriod)), which must be positive")
        }
        guard leaseDuration >= .seconds(1) else {
            throw .invalidConfiguration("the lease duration must be at least one second (Leases count whole seconds)")
        }
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnShutdown = releaseOnShutdown
    }

    /// `hostname_random`, as client-go suggests: unique even for two processes on one host.
    public static func defaultIdentity() -> String {
        let host = ProcessInfo.processInfo.hostName
        return "\(host.isEmpty ? "candidate" : host)_\(UUID().uuidString.lowercased())"
    }

    /// The duration written to the Lease, which the other candidates wait out. A Lease counts
    /// whole seconds, so a fraction is rounded up: rounding down would let a standby take over
    /// before this leader's renew deadline has passed.
    var leaseDurationSeconds: Int {
        let components = leaseDuration.components
        return Int(components.seconds) + (components.attoseconds > 0 ? 1 : 0)
    }
}

public enum LeaderElectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "invalid leader election configuration: \(message)"
        }
    }
}
