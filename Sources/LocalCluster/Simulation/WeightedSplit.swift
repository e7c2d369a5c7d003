/// Smooth weighted round robin, as NGINX balances weighted upstreams: over every run of
/// `sum(weights)` picks each backend is chosen exactly its weight's number of times, and the
/// picks are interleaved rather than bunched. Deterministic, so a test that sends N requests
/// through a 30/70 split sees 30 % and 70 % (to within one request), not roughly.
/// https://github.com/phusion/nginx/commit/27e94984486058d73157038f7950a0a36ecc6e35
struct WeightedSplit<Backend: Equatable & Sendable>: Sendable {
    private var backends: [Backend] = []
    private var current: [Int] = []

    init() {}

    /// The index of the backend the next request goes to (one weight per backend); nil when no
    /// weight is positive.
    mutating func next(_ backends: [Backend], weights: [Int]) -> Int? {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0, backends.count == weights.count else { return nil }
        // Another set of backends starts afresh; a changed weight takes effect from here on.
        if backends != self.backends {
            self.backends = backends
            current = Array(repeating: 0, count: backends.count)
        }
        var best: Int?
        for index in weights.indices where weights[index] > 0 {
            current[index] += weights[index]
            if best.map({ current[index] > current[$0] }) ?? true { best = index }
        }
        if let best { current[best] -= total }
        return best
    }
}
