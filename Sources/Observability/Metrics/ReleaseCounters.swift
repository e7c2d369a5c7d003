/// The release counters (`deployments_total`, `slipway_gate_results_total`) and the release
/// duration histogram, kept as plain values and rendered at scrape time.
///
/// Their label sets grow with environments and targets (a gate's results are per target), and
/// registering each as a swift-prometheus series cost O(series²) (see `PrometheusText`).
/// Counters only grow, and a label set once seen is reported from then on, at 0 if need be,
/// so that `increase()` sees the first change.
struct ReleaseCounters {
    typealias Labels = [PrometheusText.Label]

    struct Histogram {
        var bucketCounts: [Int]
        var sum = 0.0
        var count = 0

        init(buckets: Int) { bucketCounts = Array(repeating: 0, count: buckets) }
    }

    let durationBuckets: [Double]
    private(set) var deployments: [Labels: Int] = [:]
    private(set) var gateResults: [Labels: Int] = [:]
    private(set) var durations: [String: Histogram] = [:]

    init(durationBuckets: [Double]) {
        self.durationBuckets = durationBuckets.sorted()
    }

    private static func deploymentLabels(_ environment: String, _ status: String) -> Labels {
        [.init(name: "env", value: environment), .init(name: "status", value: status)]
    }

    /// Makes an environment's series exist at 0.
    mutating func addEnvironment(_ environment: String, outcomes: [String]) {
        for status in outcomes { deployments[Self.deploymentLabels(environment, status), default: 0] += 0 }
        if durations[environment] == nil { durations[environment] = Histogram(buckets: durationBuckets.count) }
    }

    mutating func finished(environment: String, status: String, seconds: Double?) {
        deployments[Self.deploymentLabels(environment, status), default: 0] += 1
        guard let seconds else { return }
        var histogram = durations[environment] ?? Histogram(buckets: durationBuckets.count)
        for (index, bound) in durationBuckets.enumerated() where seconds <= bound { histogram.bucketCounts[index] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        durations[environment] = histogram
    }

    mutating func gateMeasured(_ labels: Labels, count: Int) {
        gateResults[labels, default: 0] += count
    }

    func write(into buffer: inout [UInt8]) {
        PrometheusText.family(MetricName.deployments, type: "counter",
                              series: deployments.map { ($0.key, "\($0.value)") }, into: &buffer)
        writeDurations(into: &buffer)
        PrometheusText.family(MetricName.gateResults, type: "counter",
                              series: gateResults.map { ($0.key, "\($0.value)") }, into: &buffer)
    }

    /// Per environment its cumulative buckets, sum and count, under one HELP and TYPE.
    private func writeDurations(into buffer: inout [UInt8]) {
        guard !durations.isEmpty else { return }
        let name = MetricName.deploymentDuration
        var text = ""
        if let help = MetricCatalogue.help[name], !help.isEmpty { text += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n" }
        text += "# TYPE \(name) histogram\n"
        for environment in durations.keys.sorted() {
            guard let histogram = durations[environment] else { continue }
            let env = PrometheusText.labelText([.init(name: "env", value: environment)])
            for (index, bound) in durationBuckets.enumerated() {
                text += PrometheusText.line(name + "_bucket", env + ",le=\"\(bound)\"", "\(histogram.bucketCounts[index])")
            }
            text += PrometheusText.line(name + "_bucket", env + ",le=\"+Inf\"", "\(histogram.count)")
            text += PrometheusText.line(name + "_sum", env, "\(histogram.sum)")
            text += PrometheusText.line(name + "_count", env, "\(histogram.count)")
        }
        buffer.append(contentsOf: Array(text.utf8))
    }
}
