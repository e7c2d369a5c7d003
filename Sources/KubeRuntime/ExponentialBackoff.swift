/// Delays between retries that double from `initial` up to `maximum`, with jitter so that many
/// clients failing together do not retry in lockstep, and a reset once failures stop for
/// `resetAfter` (a long-lived watch that fails once a day starts again from `initial`).
///
/// The defaults are kube-rs `DefaultBackoff` (kube-runtime `utils/backoff_reset_timer.rs` and
/// `watcher.rs`): 0.8 s doubling to 30 s, reset after 120 s without failure.
public struct ExponentialBackoff: Sendable {
    /// How far a delay may be moved either way: 0.5 means anywhere in 50 %…150 % of the nominal
    /// delay (never beyond `maximum`). Zero disables jitter.
    public var jitter: Double
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    public var resetAfter: Duration

    private var current: Duration?
    private var lastFailure: Duration?
    private var random: SplitMix64
    private let seeded: Bool

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), multiplier: Double = 2,
                jitter: Double = 0.5, resetAfter: Duration = .seconds(120), seed: UInt64? = nil) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(0, jitter), 1)
        self.resetAfter = resetAfter
        self.random = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
        self.seeded = seed != nil
    }

    /// A copy with its own random jitter sequence (unless a seed was given), so that watchers
    /// configured from one value do not retry in lockstep.
    func independentCopy() -> ExponentialBackoff {
        guard !seeded else { return self }
        var copy = self
        copy.random = SplitMix64(seed: UInt64.random(in: .min ... .max))
        return copy
    }

    /// The delay before the next attempt after a failure observed at monotonic time `now`.
    public mutating func next(at now: Duration) -> Duration {
        if let lastFailure, now - lastFailure >= resetAfter {
            current = nil
        }
        lastFailure = now
        let nominal: Duration
        if let current {
            let grown = current * multiplier
            nominal = grown > maximum ? maximum : grown
        } else {
            nominal = initial > maximum ? maximum : initial
        }
        current = nominal
        guard jitter > 0 else { return nominal }
        let factor = 1 - jitter + 2 * jitter * random.nextUnitInterval()
        let jittered = nominal * factor
        return jittered > maximum ? maximum : jittered
    }

    /// Forgets past failures: the next delay is `initial` again.
    public mutating func reset() {
        current = nil
        lastFailure = nil
    }
}

/// A tiny seedable generator so that jitter is reproducible when a test asks for it.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<1.
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }
}
