/// A named check a release must pass: exactly one of `http`, `readiness` or `prometheus`, plus
/// how often and how many times it is measured.
///
/// Counting: a measurement every `intervalSeconds` after `initialDelaySeconds`. The gate passes
/// after `successThreshold` successes in a row and fails when failures exceed `failureLimit`
/// (0: the first failure fails it). A Prometheus gate with `count` instead takes exactly `count`
/// measurements and passes if failures stay within `failureLimit` and inconclusive results
/// within `inconclusiveLimit` (as Argo Rollouts' analysis does).
public struct Gate: Codable, Sendable, Equatable {
    public var name: String
    public var intervalSeconds: Int?
    public var initialDelaySeconds: Int?
    public var successThreshold: Int?
    public var failureLimit: Int?
    public var http: HTTPGate?
    public var readiness: ReadinessGate?
    public var prometheus: PrometheusGate?

    public static let defaultIntervalSeconds = 10
    public static let defaultFailureLimit = 3

    public init(name: String, intervalSeconds: Int? = nil, initialDelaySeconds: Int? = nil, successThreshold: Int? = nil,
                failureLimit: Int? = nil, http: HTTPGate? = nil, readiness: ReadinessGate? = nil, prometheus: PrometheusGate? = nil) {
        self.name = name
        self.intervalSeconds = intervalSeconds
        self.initialDelaySeconds = initialDelaySeconds
        self.successThreshold = successThreshold
        self.failureLimit = failureLimit
        self.http = http
        self.readiness = readiness
        self.prometheus = prometheus
    }

    public var effectiveIntervalSeconds: Int { intervalSeconds ?? Self.defaultIntervalSeconds }
    public var effectiveInitialDelaySeconds: Int { initialDelaySeconds ?? 0 }
    public var effectiveSuccessThreshold: Int { successThreshold ?? 1 }
    public var effectiveFailureLimit: Int { failureLimit ?? Self.defaultFailureLimit }

    public enum Kind: Sendable, Equatable {
        case http(HTTPGate)
        case readiness(ReadinessGate)
        case prometheus(PrometheusGate)
    }

    /// The one check set, or nil when none or several are.
    public var kind: Kind? {
        guard setMembers.count == 1 else { return nil }
        if let http { return .http(http) }
        if let readiness { return .readiness(readiness) }
        if let prometheus { return .prometheus(prometheus) }
        return nil
    }

    var setMembers: [String] {
        [("http", http != nil), ("readiness", readiness != nil), ("prometheus", prometheus != nil)].filter(\.1).map(\.0)
    }
}

/// An HTTP request whose status (and optionally body) decides the measurement.
public struct HTTPGate: Codable, Sendable, Equatable {
    /// In its in-cluster form (`http://web-preview.shop.svc/healthz`).
    public var url: String
    public var method: HTTPGateMethod?
    /// Status codes that count as success (default `[200]`).
    public var expectedStatus: [Int]?
    public var bodyContains: String?
    public var timeoutSeconds: Int?

    public init(url: String, method: HTTPGateMethod? = nil, expectedStatus: [Int]? = nil, bodyContains: String? = nil,
                timeoutSeconds: Int? = nil) {
        self.url = url
        self.method = method
        self.expectedStatus = expectedStatus
        self.bodyContains = bodyContains
        self.timeoutSeconds = timeoutSeconds
    }

    public var effectiveMethod: HTTPGateMethod { method ?? .get }
    public var effectiveExpectedStatus: [Int] { expectedStatus ?? [200] }
    public var effectiveTimeoutSeconds: Int { timeoutSeconds ?? 5 }
}

public enum HTTPGateMethod: String, Codable, Sendable, CaseIterable {
    case get = "GET", head = "HEAD", post = "POST"
}

/// All pods of the new release available and none restarted (beyond `maxRestarts`) while the
/// gate runs.
public struct ReadinessGate: Codable, Sendable, Equatable {
    public var maxRestarts: Int?

    public init(maxRestarts: Int? = nil) { self.maxRestarts = maxRestarts }

    public var effectiveMaxRestarts: Int { maxRestarts ?? 0 }
}

/// What an empty Prometheus result (or one of only NaN samples) counts as. Made explicit
/// because counting "no data" as failure surprises people (Flagger's default) and counting it as
/// success hides a broken query.
public enum NoDataPolicy: String, Codable, Sendable, CaseIterable {
    case fail, pass, inconclusive
}
