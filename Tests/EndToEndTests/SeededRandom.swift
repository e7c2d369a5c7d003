import Foundation

/// A small pseudo-random generator with a fixed seed, so that a run of a randomised test can
/// be repeated exactly (SplitMix64, as in https://prng.di.unimi.it/splitmix64.c).
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// The seed in `variable` of the environment (decimal or 0x hexadecimal) when set, else `fallback`:
    /// a failure seen once can be replayed with the seed it printed.
    static func seed(from variable: String, default fallback: UInt64) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment[variable] else { return fallback }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? fallback }
        return UInt64(text) ?? fallback
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &self)]
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }
}
