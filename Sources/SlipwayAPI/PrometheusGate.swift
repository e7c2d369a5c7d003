import Foundation

/// A PromQL query whose samples must satisfy a condition.
/// The query is a template: `{{target}}`, `{{namespace}}`, `{{canary}}` and `{{stable}}` are
/// replaced before it is sent (see `QueryTemplate`). In a blue/green release `canary` is the
/// slot receiving the release and `stable` the live slot.
/// See https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
public struct PrometheusGate: Codable, Sendable, Equatable {
    /// The Prometheus server (`http://prometheus.monitoring.svc:9090`).
    public var address: String
    public var query: String
    public var condition: MetricCondition
    /// Take exactly this many measurements (see `Gate` for how they are counted).
    public var count: Int?
    /// Inconclusive measurements tolerated (default 0); one more pauses the release for a human.
    public var inconclusiveLimit: Int?
    /// Default `inconclusive`.
    public var noDataPolicy: NoDataPolicy?

    public init(address: String, query: String, condition: MetricCondition, count: Int? = nil,
                inconclusiveLimit: Int? = nil, noDataPolicy: NoDataPolicy? = nil) {
        self.address = address
        self.query = query
        self.condition = condition
        self.count = count
        self.inconclusiveLimit = inconclusiveLimit
        self.noDataPolicy = noDataPolicy
    }

    public var effectiveInconclusiveLimit: Int { inconclusiveLimit ?? 0 }
    public var effectiveNoDataPolicy: NoDataPolicy { noDataPolicy ?? .inconclusive }

    /// The outcome of one measurement whose result had `samples` (a scalar is one sample, an
    /// instant vector one per series). NaN samples are dropped first: PromQL yields NaN for 0/0,
    /// which means "no traffic", not "bad". No samples left means no data, decided by
    /// `noDataPolicy`.
    public func outcome(samples: [Double]) -> MeasurementOutcome {
        let numbers = samples.filter { !$0.isNaN }
        guard !numbers.isEmpty else {
            switch effectiveNoDataPolicy {
            case .fail: return .failure
            case .pass: return .success
            case .inconclusive: return .inconclusive
            }
        }
        return condition.isSatisfied(by: numbers) ? .success : .failure
    }
}

/// The outcome of one gate measurement, as recorded in the request's status.
public enum MeasurementOutcome: String, Codable, Sendable, CaseIterable {
    case success = "Success"
    case failure = "Failure"
    case inconclusive = "Inconclusive"
    /// The measurement could not be taken (connection refused, query error); counts as a failure.
    case error = "Error"
}

/// What each sample must satisfy: exactly one comparison or range. With several samples
/// (an instant vector of several series), `samples` says whether all of them (the default) or
/// any of them must satisfy it.
public struct MetricCondition: Codable, Sendable, Equatable {
    public var lessThan: Double?
    public var lessThanOrEqual: Double?
    public var greaterThan: Double?
    public var greaterThanOrEqual: Double?
    public var equal: Double?
    public var notEqual: Double?
    /// min <= sample <= max.
    public var inRange: ValueRange?
    /// sample < min or sample > max.
    public var outsideRange: ValueRange?
    public var samples: SampleRule?

    public init(lessThan: Double? = nil, lessThanOrEqual: Double? = nil, greaterThan: Double? = nil,
                greaterThanOrEqual: Double? = nil, equal: Double? = nil, notEqual: Double? = nil,
                inRange: ValueRange? = nil, outsideRange: ValueRange? = nil, samples: SampleRule? = nil) {
        self.lessThan = lessThan
        self.lessThanOrEqual = lessThanOrEqual
        self.greaterThan = greaterThan
        self.greaterThanOrEqual = greaterThanOrEqual
        self.equal = equal
        self.notEqual = notEqual
        self.inRange = inRange
        self.outsideRange = outsideRange
        self.samples = samples
    }

    public enum Comparison: Sendable, Equatable {
        case lessThan(Double), lessThanOrEqual(Double), greaterThan(Double), greaterThanOrEqual(Double)
        case equal(Double), notEqual(Double)
        case inRange(ValueRange), outsideRange(ValueRange)

        public func isSatisfied(by sample: Double) -> Bool {
            switch self {
            case .lessThan(let bound): sample < bound
            case .lessThanOrEqual(let bound): sample <= bound
            case .greaterThan(let bound): sample > bound
            case .greaterThanOrEqual(let bound): sample >= bound
            case .equal(let value): sample == value
            case .notEqual(let value): sample != value
            case .inRange(let range): range.min <= sample && sample <= range.max
            case .outsideRange(let range): sample < range.min || sample > range.max
            }
        }
    }

    /// The one comparison set, or nil when none or several are.
    public var comparison: Comparison? {
        var set: [Comparison] = []
        if let lessThan { set.append(.lessThan(lessThan)) }
        if let lessThanOrEqual { set.append(.lessThanOrEqual(lessThanOrEqual)) }
        if let greaterThan { set.append(.greaterThan(greaterThan)) }
        if let greaterThanOrEqual { set.append(.greaterThanOrEqual(greaterThanOrEqual)) }
        if let equal { set.append(.equal(equal)) }
        if let notEqual { set.append(.notEqual(notEqual)) }
        if let inRange { set.append(.inRange(inRange)) }
        if let outsideRange { set.append(.outsideRange(outsideRange)) }
        return set.count == 1 ? set[0] : nil
    }

    public var effectiveSamples: SampleRule { samples ?? .all }

    /// Whether `samples` (non-empty, no NaN) satisfy the condition under the sample rule. An
    /// invalid condition (no comparison, or several) is never satisfied.
    public func isSatisfied(by samples: [Double]) -> Bool {
        guard let comparison, !samples.isEmpty else { return false }
        switch effectiveSamples {
        case .all: return samples.allSatisfy(comparison.isSatisfied(by:))
        case .any: return samples.contains(where: comparison.isSatisfied(by:))
        }
    }

    var setMembers: [String] {
        [("lessThan", lessThan != nil), ("lessThanOrEqual", lessThanOrEqual != nil), ("greaterThan", greaterThan != nil),
         ("greaterThanOrEqual", greaterThanOrEqual != nil), ("equal", equal != nil), ("notEqual", notEqual != nil),
         ("inRange", inRange != nil), ("outsideRange", outsideRange != nil)].filter(\.1).map(\.0)
    }
}

/// Inclusive bounds of a range condition.
public struct ValueRange: Codable, Sendable, Equatable {
    public var min: Double
    public var max: Double

    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }
}

/// Which samples of a vector must satisfy the condition.
public enum SampleRule: String, Codable, Sendable, CaseIterable {
    case all = "All"
    case any = "Any"
}

/// The placeholders of a Prometheus gate's query. Plain substitution with no expression
/// language, so that a query cannot do anything but name these four values.
public enum QueryTemplate {
    public static let variables = ["target", "namespace", "canary", "stable"]

    /// The names between `{{` and `}}` in `query`, in order of appearance (spaces inside the
    /// braces are ignored: `{{ canary }}` names `canary`).
    public static func placeholders(in query: String) -> [String] {
        var names: [String] = []
        var rest = query[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            names.append(String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// `query` with each known placeholder replaced by its value; unknown ones are left as
    /// written (validation rejects them before a query is ever sent).
    public static func render(_ query: String, target: String, namespace: String, canary: String, stable: String) -> String {
        let values = ["target": target, "namespace": namespace, "canary": canary, "stable": stable]
        var output = ""
        var rest = query[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            output += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            output += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }
}
