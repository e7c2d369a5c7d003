import Foundation
import Synchronization

/// A clock that moves only when told to, so that backoff, requeue-after and lease expiry can be
/// tested without waiting. Sleepers resume when `advance(by:)` moves time past their deadline.
public final class ManualClock: RuntimeClock {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        /// Every sleep asked for, as its length from the moment it was asked, in order: lets tests
        /// read backoff delays.
        var requestedSleeps: [Duration] = []
    }

    private let state = Mutex(State())
    private let wallOrigin: Date

    /// - Parameter wallOrigin: what `wallClock()` answers at monotonic time zero.
    public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_780_000_000)) {
        self.wallOrigin = wallOrigin
    }

    public func now() -> Duration {
        state.withLock { $0.now }
    }

    public func wallClock() -> Date {
        let elapsed = now()
        return wallOrigin.addingTimeInterval(elapsed.timeInterval)
    }

    public func sleep(until deadline: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.requestedSleeps.append(deadline - state.now)
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if Task.isCancelled { return .some(CancellationError()) }
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .none
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and resumes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// How many tasks are currently waiting on this clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The earliest deadline anyone waits for, if any.
    public var nextDeadline: Duration? {
        state.withLock { $0.sleepers.values.map(\.deadline).min() }
    }

    /// The durations of every sleep asked for so far, in order.
    public var requestedSleeps: [Duration] {
        state.withLock { $0.requestedSleeps }
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    /// `seconds` as a Duration, for values that come from configuration as Doubles.
    static func seconds(fractional seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
