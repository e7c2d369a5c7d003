/// Exponential backoff with jitter for network failures, so that many bots cut off at once do
/// not come back in lockstep ("equal jitter": half the delay fixed, half random).
/// See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The pause before retry number `attempt` (0 for the first retry).
    public func delay(attempt: Int) -> Duration {
        let base = initial.seconds * pow(multiplier, Double(min(attempt, 30)))
        let capped = min(base, maximum.seconds)
        let jittered = capped / 2 + Double.random(in: 0...(capped / 2))
        return .milliseconds(Int64(jittered * 1000))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= base }
        return result
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
