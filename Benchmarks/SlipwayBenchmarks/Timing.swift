import JSON

/// Wall-clock measurement and result output shared by the subcommands.
enum Timing {
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Seconds of wall time since `start` (a `ContinuousClock.now` reading).
    static func since(_ start: ContinuousClock.Instant) -> Double {
        seconds(ContinuousClock.now - start)
    }

    /// The value below which `fraction` of the samples fall (nearest rank).
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Prints one result object for `scripts/bench.sh`.
    static func emit(_ value: JSONValue) {
        print(value.jsonString())
    }
}
