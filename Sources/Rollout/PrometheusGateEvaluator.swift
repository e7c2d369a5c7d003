import Kube
import SlipwayAPI

/// Measures a Prometheus gate: renders the query template with the target, namespace, canary
/// and stable names, runs it as an instant query, and checks the samples against the gate's
/// condition and sample rule. An empty result (or only NaN, PromQL's 0/0 when there is no
/// traffic) follows the gate's explicit no-data policy instead of silently counting as failure.
public struct PrometheusGateEvaluator: GateEvaluator {
    public let client: any PrometheusQuerying
    /// How long one query may take.
    public let timeout: Duration

    public init(client: any PrometheusQuerying = PrometheusClient(), timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// The query as sent for `context`.
    public static func renderedQuery(_ gate: PrometheusGate, context: GateContext) -> String {
        QueryTemplate.render(gate.query, target: context.target.metadata.name ?? "", namespace: context.namespace,
                             canary: context.releaseWorkload.name, stable: context.stableName ?? "")
    }

    public func measure(_ gate: Gate, context: GateContext) async -> GateMeasurement {
        guard let prometheus = gate.prometheus else { return .failure(nil, "gate \(gate.name) has no prometheus check") }
        guard let comparison = prometheus.condition.comparison else {
            return GateMeasurement(outcome: .error, error: "gate \(gate.name): the condition must set exactly one comparison or range", failsGate: true)
        }
        let query = Self.renderedQuery(prometheus, context: context)
        let result: PrometheusResult
        do {
            result = try await client.query(query, address: prometheus.address, timeout: timeout)
        } catch {
            return GateMeasurement(outcome: .error, error: "\(error.description) (query sent: \(query.prefix(300)))")
        }
        let samples = result.values
        let numbers = samples.filter { !$0.isNaN }
        let value = Self.describe(numbers, series: samples.count)
        let condition = Self.describe(comparison) + (numbers.count > 1 ? " for \(prometheus.condition.effectiveSamples == .all ? "all" : "any") of \(numbers.count) series" : "")
        switch prometheus.outcome(samples: samples) {
        case .success:
            return .success(value)
        case .inconclusive:
            return GateMeasurement(outcome: .inconclusive, value: value,
                                   error: "the query returned no data (noDataPolicy: inconclusive); check that the canary receives traffic and the query's labels")
        case .failure where numbers.isEmpty:
            return .failure(value, "the query returned no data, which fails the gate (noDataPolicy: fail)")
        case .failure, .error:
            return .failure(value, "\(value) does not satisfy \(condition)")
        }
    }

    static func describe(_ numbers: [Double], series: Int) -> String {
        guard !numbers.isEmpty else { return series == 0 ? "no data" : "no data (NaN)" }
        let shown = numbers.prefix(5).map(format).joined(separator: ", ")
        return numbers.count > 5 ? "\(shown), … (\(numbers.count) series)" : shown
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    static func describe(_ comparison: MetricCondition.Comparison) -> String {
        switch comparison {
        case .lessThan(let bound): "< \(format(bound))"
        case .lessThanOrEqual(let bound): "<= \(format(bound))"
        case .greaterThan(let bound): "> \(format(bound))"
        case .greaterThanOrEqual(let bound): ">= \(format(bound))"
        case .equal(let value): "== \(format(value))"
        case .notEqual(let value): "!= \(format(value))"
        case .inRange(let range): "in [\(format(range.min)), \(format(range.max))]"
        case .outsideRange(let range): "outside [\(format(range.min)), \(format(range.max))]"
        }
    }
}
