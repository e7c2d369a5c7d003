import SlipwayAPI

/// What a gate measurement looks at besides the gate itself.
public struct GateContext: Sendable {
    public var namespace: String
    public var target: DeploymentTarget
    /// The Deployment receiving the release (the canary, or the blue/green slot being filled), as last read.
    public var releaseWorkload: WorkloadState
    /// The Deployment serving what was live (the stable, or the live blue/green slot): the
    /// `{{stable}}` of a Prometheus query.
    public var stableName: String?
    /// Counts the release workload's container restarts when its state does not carry them:
    /// asked only by a readiness gate that measures, so that pods are listed once per gate
    /// interval rather than on every reconcile.
    public var countRestarts: (@Sendable () async throws -> Int?)?

    public init(namespace: String, target: DeploymentTarget, releaseWorkload: WorkloadState, stableName: String? = nil,
                countRestarts: (@Sendable () async throws -> Int?)? = nil) {
        self.namespace = namespace
        self.target = target
        self.releaseWorkload = releaseWorkload
        self.stableName = stableName
        self.countRestarts = countRestarts
    }
}

/// The result of one measurement.
public struct GateMeasurement: Sendable, Equatable {
    public var outcome: MeasurementOutcome
    /// What was measured, for people (`200`, `3/3 available, 0 restarts`).
    public var value: String?
    /// Why the measurement failed or could not be taken.
    public var error: String?
    /// The gate fails at once, whatever its failure limit (a check that can never succeed).
    public var failsGate: Bool

    public init(outcome: MeasurementOutcome, value: String? = nil, error: String? = nil, failsGate: Bool = false) {
        self.outcome = outcome
        self.value = value
        self.error = error
        self.failsGate = failsGate
    }

    public static func success(_ value: String?) -> GateMeasurement { GateMeasurement(outcome: .success, value: value) }
    public static func failure(_ value: String?, _ error: String) -> GateMeasurement { GateMeasurement(outcome: .failure, value: value, error: error) }
}

/// Takes one measurement of one kind of gate. One implementation per kind (HTTP, readiness,
/// Prometheus), so that a new kind is a new type registered in `GateEvaluators`, not a change
/// to the runner.
public protocol GateEvaluator: Sendable {
    func measure(_ gate: Gate, context: GateContext) async -> GateMeasurement
}

/// The evaluator for each gate kind.
public struct GateEvaluators: Sendable {
    public var http: any GateEvaluator
    public var readiness: any GateEvaluator
    public var prometheus: any GateEvaluator

    public init(http: any GateEvaluator, readiness: any GateEvaluator = ReadinessGateEvaluator(),
                prometheus: any GateEvaluator = PrometheusGateEvaluator()) {
        self.http = http
        self.readiness = readiness
        self.prometheus = prometheus
    }

    /// The usual set: HTTP gates through `prober`, Prometheus gates through `prometheus`.
    public static func standard(prober: any GateProber, prometheus: any PrometheusQuerying = PrometheusClient()) -> GateEvaluators {
        GateEvaluators(http: HTTPGateEvaluator(prober: prober), prometheus: PrometheusGateEvaluator(client: prometheus))
    }

    func evaluator(for kind: Gate.Kind) -> any GateEvaluator {
        switch kind {
        case .http: http
        case .readiness: readiness
        case .prometheus: prometheus
        }
    }
}

/// Success when the response has an expected status and, if asked, the body contains the text.
public struct HTTPGateEvaluator: GateEvaluator {
    public let prober: any GateProber

    public init(prober: any GateProber) { self.prober = prober }

    public func measure(_ gate: Gate, context: GateContext) async -> GateMeasurement {
        guard let http = gate.http else { return .failure(nil, "gate \(gate.name) has no http check") }
        let response: HTTPProbeResponse
        do {
            response = try await prober.probe(http)
        } catch {
            return GateMeasurement(outcome: .error, error: "\(http.effectiveMethod.rawValue) \(http.url): \(error)")
        }
        let value = String(response.status)
        guard http.effectiveExpectedStatus.contains(response.status) else {
            let expected = http.effectiveExpectedStatus.map(String.init).joined(separator: ", ")
            return .failure(value, "\(http.effectiveMethod.rawValue) \(http.url) answered \(response.status), expected \(expected)")
        }
        if let needle = http.bodyContains, !response.body.contains(needle) {
            return .failure(value, "\(http.effectiveMethod.rawValue) \(http.url) answered without \"\(needle)\" in the body")
        }
        return .success(value)
    }
}

/// Success when every pod of the release slot is available and the pods have restarted no more
/// than `maxRestarts` times. The slot's pods are created by the release (the slot starts at zero
/// replicas), so their restart count is the restarts during the release.
public struct ReadinessGateEvaluator: GateEvaluator {
    public init() {}

    public func measure(_ gate: Gate, context: GateContext) async -> GateMeasurement {
        let workload = context.releaseWorkload
        let maxRestarts = gate.readiness?.effectiveMaxRestarts ?? 0
        var counted = workload.restarts
        if counted == nil, let countRestarts = context.countRestarts {
            do {
                counted = try await countRestarts()
            } catch {
                return GateMeasurement(outcome: .error, error: "counting the restarts of the pods of Deployment \(workload.name): \(error)")
            }
        }
        let restarts = counted ?? 0
        let value = "\(workload.availableReplicas)/\(workload.replicas) available, \(restarts) restarts"
        if !workload.isFullyAvailable {
            return .failure(value, "Deployment \(workload.name) is not fully available (\(workload.progressSummary))")
        }
        if restarts > maxRestarts {
            return .failure(value, "pods of Deployment \(workload.name) restarted \(restarts) times (at most \(maxRestarts) allowed)")
        }
        return .success(value)
    }
}

/// For a gate kind this controller cannot evaluate: every measurement is an error with `reason`,
/// so the gate fails closed (a check nobody ran must not pass a release) with a message that
/// says why, instead of the controller stopping.
public struct UnsupportedGateEvaluator: GateEvaluator {
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public func measure(_ gate: Gate, context: GateContext) async -> GateMeasurement {
        GateMeasurement(outcome: .error, error: reason, failsGate: true)
    }
}
