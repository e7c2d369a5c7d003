import Foundation
import Synchronization

/// The time source of the runtime: a monotonic clock for deadlines and backoff, and the wall
/// clock for the timestamps written into Leases and Events.
///
/// Everything that waits in this module waits through a `RuntimeClock`, so tests drive time
/// with `ManualClock` instead of sleeping.
public protocol RuntimeClock: Sendable {
    /// Monotonic time since an arbitrary origin; only differences are meaningful.
    func now() -> Duration
    /// Suspends until `now() >= deadline`. Throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
    /// The wall clock, for timestamps other processes read.
    func wallClock() -> Date
}

extension RuntimeClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}

/// The real clock: `ContinuousClock` (keeps counting while the machine sleeps, as lease
/// expiry must) and `Date()`.
public struct SystemClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    public init() {
        origin = ContinuousClock.now
    }

    public func now() -> Duration {
        ContinuousClock.now - origin
    }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline)
    }

    public func wallClock() -> Date {
        Date()
    }
}
