import Synchronization

/// Decides how long an item waits before it is retried, after client-go
/// `util/workqueue/default_rate_limiters.go`.
public protocol RateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable
    /// The delay before `key` is handed out again; each call counts as one more failure.
    func when(_ key: Key) -> Duration
    /// `key` succeeded: its failures no longer count.
    func forget(_ key: Key)
    /// How many times `key` has failed since it was last forgotten.
    func failures(_ key: Key) -> Int
}

/// Per-item exponential backoff: `base * 2^failures`, capped at `maximum`.
/// client-go defaults: 5 ms to 1000 s.
public final class ItemExponentialFailureRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let base: Duration
    public let maximum: Duration
    private let failuresByKey = Mutex<[Key: Int]>([:])

    public init(base: Duration = .milliseconds(5), maximum: Duration = .seconds(1000)) {
        self.base = base
        self.maximum = maximum
    }

    public func when(_ key: Key) -> Duration {
        let exponent = failuresByKey.withLock { failures -> Int in
            let exponent = failures[key, default: 0]
            failures[key] = exponent + 1
            return exponent
        }
        // 2^62 times any positive base is past every sensible maximum: avoid the overflow.
        guard exponent < 62 else { return maximum }
        let delay = base * (1 << exponent)
        return delay > maximum || delay < .zero ? maximum : delay
    }

    public func forget(_ key: Key) {
        failuresByKey.withLock { _ = $0.removeValue(forKey: key) }
    }

    public func failures(_ key: Key) -> Int {
        failuresByKey.withLock { $0[key, default: 0] }
    }
}

/// An overall token bucket shared by every item: `qps` tokens a second, up to `burst` saved.
/// Each call takes a token, waiting for it when the bucket is empty (a reservation, as Go's
/// `rate.Limiter.Reserve`). client-go defaults: 10 qps, burst 100.
public final class BucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let qps: Double
    public let burst: Int
    private let clock: any RuntimeClock

    private struct Bucket {
        var tokens: Double
        var updatedAt: Duration
    }

    private let bucket: Mutex<Bucket>

    public init(qps: Double = 10, burst: Int = 100, clock: any RuntimeClock = SystemClock()) {
        self.qps = max(qps, .leastNonzeroMagnitude)
        self.burst = max(1, burst)
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(max(1, burst)), updatedAt: clock.now()))
    }

    public func when(_ key: Key) -> Duration {
        let now = clock.now()
        return bucket.withLock { bucket -> Duration in
            let elapsed = max(0, (now - bucket.updatedAt).timeInterval)
            bucket.tokens = min(Double(burst), bucket.tokens + elapsed * qps)
            bucket.updatedAt = now
            bucket.tokens -= 1
            if bucket.tokens >= 0 { return .zero }
            return .seconds(fractional: -bucket.tokens / qps)
        }
    }

    public func forget(_ key: Key) {}

    public func failures(_ key: Key) -> Int { 0 }
}

/// The longest delay any of `limiters` asks for: per-item backoff and the overall rate limit
/// together, as client-go `DefaultControllerRateLimiter`.
public final class MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let limiters: [any RateLimiter<Key>]

    public init(_ limiters: [any RateLimiter<Key>]) {
        self.limiters = limiters
    }

    public func when(_ key: Key) -> Duration {
        limiters.map { $0.when(key) }.max() ?? .zero
    }

    public func forget(_ key: Key) {
        for limiter in limiters { limiter.forget(key) }
    }

    public func failures(_ key: Key) -> Int {
        limiters.map { $0.failures(key) }.max() ?? 0
    }
}

extension MaxOfRateLimiter {
    /// client-go's default controller rate limiter: 5 ms → 1000 s per item, 10 qps burst 100 overall.
    public static func controllerDefault(clock: any RuntimeClock = SystemClock()) -> MaxOfRateLimiter<Key> {
        MaxOfRateLimiter([ItemExponentialFailureRateLimiter<Key>(), BucketRateLimiter<Key>(clock: clock)])
    }
}
