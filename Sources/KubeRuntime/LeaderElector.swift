import Foundation
import Kube
import Logging
import Synchronization

/// Leader election on a coordination.k8s.io/v1 Lease, after client-go `tools/leaderelection`.
///
/// - A candidate creates the Lease if absent, or takes it over once it has expired. Expiry is
///   judged as client-go does: by the local monotonic clock, `leaseDurationSeconds` after this
///   candidate last *saw the Lease change*, never by comparing another machine's timestamps.
/// - Every write is an update carrying the resourceVersion read, so two candidates cannot
///   both win; the loser gets a conflict and stays a candidate.
/// - The leader renews every `retryPeriod`. If it has not renewed within `renewDeadline` of
///   the start of its last successful renewal, it stops leading at that moment (the work is
///   cancelled and `leadershipChanges()` reports it). Others wait at least `leaseDuration`
///   (longer) from when they saw that renewal, so the old leader has stopped before anyone
///   else may start.
/// - Stopping (`run`'s task cancelled) releases the Lease: the holder is cleared so another
///   candidate takes over at its next try.
///
/// See https://kubernetes.io/docs/concepts/architecture/leases/#leader-election
public final class LeaderElector: Sendable {
    public let configuration: LeaderElectionConfiguration
    private let lock: any LeaseLock
    private let clock: any RuntimeClock
    private let logger: Logger

    private struct State {
        /// The Lease as last read or written, and when (monotonic) its spec was last seen to change.
        var observed: Lease?
        var observedAt: Duration = .zero
        var leading = false
        var nextSubscriberID = 0
        var subscribers: [Int: AsyncStream<Bool>.Continuation] = [:]
    }

    private let state = Mutex(State())

    public init(lock: any LeaseLock, configuration: LeaderElectionConfiguration, clock: any RuntimeClock = SystemClock(),
                logger: Logger = Logger(label: "slipway.runtime.leader-election")) {
        self.lock = lock
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Whether this candidate leads right now.
    public var isLeader: Bool {
        state.withLock { $0.leading }
    }

    /// The holder named by the Lease as last seen (nil when free or not read yet).
    public var observedLeader: String? {
        state.withLock { state in
            guard let holder = state.observed?.spec?.holderIdentity, !holder.isEmpty else { return nil }
            return holder
        }
    }

    /// Leadership as it changes: the current value first, then every change.
    public func leadershipChanges() -> AsyncStream<Bool> {
        AsyncStream { continuation in
            let id = state.withLock { state -> Int in
                state.nextSubscriberID += 1
                state.subscribers[state.nextSubscriberID] = continuation
                continuation.yield(state.leading)
                return state.nextSubscriberID
            }
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            }
        }
    }

    /// Competes for the Lease until the calling task is cancelled. Each time this candidate
    /// becomes leader, `work` runs in a child task; it is cancelled the moment leadership is
    /// lost, and awaited before competing again. If `work` returns by itself the elector
    /// releases the Lease and `run` returns.
    public func run(_ work: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            guard let acquiredAt = await acquire() else { break }
            let outcome = await lead(work, renewedAt: acquiredAt)
            switch outcome {
            case .lost:
                continue
            case .stopped, .workFinished:
                if configuration.releaseOnShutdown {
                    // Not a child of this (possibly cancelled) task, so the write is not cut short.
                    await Task { await self.release() }.value
                }
                return
            }
        }
    }

    // MARK: Candidate

    /// Tries every `retryPeriod` until this candidate leads. Returns the monotonic time the
    /// successful attempt started, or nil when cancelled.
    private func acquire() async -> Duration? {
        while true {
            let start = clock.now()
            do {
                if try await tryAcquireOrRenew() {
                    logger.debug("acquired the lease", metadata: ["identity": "\(configuration.identity)"])
                    return start
                }
            } catch {
                if Task.isCancelled { return nil }
                logger.debug("could not acquire the lease", metadata: ["error": "\(error)"])
            }
            do {
                try await clock.sleep(for: configuration.retryPeriod)
            } catch {
                return nil
            }
        }
    }

    // MARK: Leader

    private enum LeadOutcome {
        case lost, stopped, workFinished
    }

    private enum AttemptOutcome: Sendable {
        case renewed, failed, deadlinePassed
    }

    /// Leads until the Lease is lost, the task is cancelled, or `work` returns by itself
    /// (whichever comes first); `work` has ended when this returns.
    private func lead(_ work: @escaping @Sendable () async -> Void, renewedAt acquiredAt: Duration) async -> LeadOutcome {
        setLeading(true)
        return await withTaskGroup(of: LeadOutcome.self) { group in
            group.addTask {
                await work()
                return .workFinished
            }
            group.addTask { await self.renew(from: acquiredAt) }
            let outcome = await group.next() ?? .stopped
            // Stop acting first: leadership is reported lost before the work is told to end.
            setLeading(false)
            if outcome == .lost {
                logger.debug("lost the lease: could not renew within the renew deadline",
                             metadata: ["identity": "\(configuration.identity)", "renewDeadline": "\(configuration.renewDeadline)"])
            }
            group.cancelAll()
            await group.waitForAll()
            return outcome
        }
    }

    /// Renews every `retryPeriod` until a renewal has not succeeded within `renewDeadline`
    /// of the start of the last successful one (`.lost`), or the task is cancelled (`.stopped`).
    private func renew(from acquiredAt: Duration) async -> LeadOutcome {
        var lastRenewal = acquiredAt
        var nextAttempt = clock.now() + configuration.retryPeriod
        while true {
            let deadline = lastRenewal + configuration.renewDeadline
            do {
                try await clock.sleep(until: min(nextAttempt, deadline))
            } catch {
                return .stopped
            }
            if clock.now() >= deadline { return .lost }
            let start = clock.now()
            switch await attemptRenewal(before: deadline) {
            case .renewed: lastRenewal = start
            case .failed: break
            case .deadlinePassed: return .lost
            }
            if Task.isCancelled { return .stopped }
            nextAttempt = clock.now() + configuration.retryPeriod
        }
    }

    /// One renewal, abandoned when `deadline` comes first.
    private func attemptRenewal(before deadline: Duration) async -> AttemptOutcome {
        await withTaskGroup(of: AttemptOutcome?.self) { group in
            group.addTask {
                do {
                    return try await self.tryAcquireOrRenew() ? .renewed : .failed
                } catch {
                    self.logger.debug("could not renew the lease", metadata: ["error": "\(error)"])
                    return .failed
                }
            }
            group.addTask {
                do {
                    try await self.clock.sleep(until: deadline)
                    return .deadlinePassed
                } catch {
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .deadlinePassed
        }
    }

    // MARK: The Lease

    /// client-go `tryAcquireOrRenew`: true when this candidate holds the Lease afterwards.
    private func tryAcquireOrRenew() async throws -> Bool {
        let identity = configuration.identity
        let now = KubeTimestamp.microTime(clock.wallClock())
        guard let lease = try await lock.get() else {
            let created = try await lock.create(LeaseSpec(holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                                                          acquireTime: now, renewTime: now, leaseTransitions: 0))
            observe(created)
            return true
        }
        observe(lease)
        let spec = lease.spec ?? LeaseSpec()
        let holder = spec.holderIdentity ?? ""
        if !holder.isEmpty && holder != identity {
            let observedAt = state.withLock { $0.observedAt }
            let duration = Duration.seconds(max(1, spec.leaseDurationSeconds ?? configuration.leaseDurationSeconds))
            if observedAt + duration > clock.now() { return false }
        }
        var renewed = lease
        let heldByUs = holder == identity
        renewed.spec = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                                 acquireTime: heldByUs ? (spec.acquireTime ?? now) : now, renewTime: now,
                                 leaseTransitions: heldByUs ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1)
        let stored = try await lock.update(renewed)
        observe(stored)
        return true
    }

    /// Remembers `lease`; restarts the expiry clock only when its spec changed.
    private func observe(_ lease: Lease) {
        let now = clock.now()
        state.withLock { state in
            if state.observed?.spec != lease.spec {
                state.observedAt = now
            }
            state.observed = lease
        }
    }

    /// Clears the holder (client-go `release`) so another candidate need not wait out the lease.
    private func release() async {
        guard let lease = state.withLock({ $0.observed }), lease.spec?.holderIdentity == configuration.identity else { return }
        let now = KubeTimestamp.microTime(clock.wallClock())
        var released = lease
        released.spec = LeaseSpec(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
                                  leaseTransitions: lease.spec?.leaseTransitions)
        do {
            observe(try await lock.update(released))
            logger.debug("released the lease", metadata: ["identity": "\(configuration.identity)"])
        } catch {
            logger.debug("could not release the lease; others take over when it expires", metadata: ["error": "\(error)"])
        }
    }

    private func setLeading(_ leading: Bool) {
        let subscribers = state.withLock { state -> [AsyncStream<Bool>.Continuation] in
            guard state.leading != leading else { return [] }
            state.leading = leading
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(leading) }
    }
}
