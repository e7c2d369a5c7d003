/// One step of a canary release: exactly one of `setWeight`, `pause`, `analysis` or
/// `setCanaryScale`. Optional members, so that a step with none or several still decodes and
/// validation can name it; act on `kind`.
public struct CanaryStep: Codable, Sendable, Equatable {
    /// The percentage of traffic sent to the canary, 0...100.
    public var setWeight: Int?
    public var pause: PauseStep?
    public var analysis: AnalysisStep?
    public var setCanaryScale: CanaryScale?

    public init(setWeight: Int? = nil, pause: PauseStep? = nil, analysis: AnalysisStep? = nil, setCanaryScale: CanaryScale? = nil) {
        self.setWeight = setWeight
        self.pause = pause
        self.analysis = analysis
        self.setCanaryScale = setCanaryScale
    }

    public static func setWeight(_ weight: Int) -> CanaryStep { CanaryStep(setWeight: weight) }
    public static func pause(seconds: Int? = nil) -> CanaryStep { CanaryStep(pause: PauseStep(durationSeconds: seconds)) }
    public static func analysis(_ gates: [String]) -> CanaryStep { CanaryStep(analysis: AnalysisStep(gates: gates)) }
    public static func setCanaryScale(_ scale: CanaryScale) -> CanaryStep { CanaryStep(setCanaryScale: scale) }

    public enum Kind: Sendable, Equatable {
        case setWeight(Int)
        /// nil: until the request has `slipway.dev/promote`.
        case pause(durationSeconds: Int?)
        case analysis(gates: [String])
        case setCanaryScale(CanaryScale.Kind)
    }

    /// The one action set, or nil when none or several are (or the scale is itself ambiguous).
    public var kind: Kind? {
        guard setMembers.count == 1 else { return nil }
        if let setWeight { return .setWeight(setWeight) }
        if let pause { return .pause(durationSeconds: pause.durationSeconds) }
        if let analysis { return .analysis(gates: analysis.gates) }
        if let scale = setCanaryScale?.kind { return .setCanaryScale(scale) }
        return nil
    }

    var setMembers: [String] {
        [("setWeight", setWeight != nil), ("pause", pause != nil), ("analysis", analysis != nil), ("setCanaryScale", setCanaryScale != nil)]
            .filter(\.1).map(\.0)
    }
}

/// Wait `durationSeconds`, or without it until the request has `slipway.dev/promote`.
public struct PauseStep: Codable, Sendable, Equatable {
    public var durationSeconds: Int?

    public init(durationSeconds: Int? = nil) { self.durationSeconds = durationSeconds }
}

/// Run the named gates now; the step ends when they all pass.
public struct AnalysisStep: Codable, Sendable, Equatable {
    public var gates: [String]

    public init(gates: [String]) { self.gates = gates }
}

/// Scale the canary independently of its traffic weight (only with a traffic router: with
/// replica ratio routing the scale *is* the weight). Exactly one member.
public struct CanaryScale: Codable, Sendable, Equatable {
    public var replicas: Int?
    /// Replicas as a percentage of the stable Deployment's, 0...100.
    public var weight: Int?
    /// `true`: back to the default, replicas following the traffic weight.
    public var matchTrafficWeight: Bool?

    public init(replicas: Int? = nil, weight: Int? = nil, matchTrafficWeight: Bool? = nil) {
        self.replicas = replicas
        self.weight = weight
        self.matchTrafficWeight = matchTrafficWeight
    }

    public enum Kind: Sendable, Equatable {
        case replicas(Int)
        case weight(Int)
        case matchTrafficWeight
    }

    public var kind: Kind? {
        guard setMembers.count == 1 else { return nil }
        if let replicas { return .replicas(replicas) }
        if let weight { return .weight(weight) }
        return matchTrafficWeight == true ? .matchTrafficWeight : nil
    }

    var setMembers: [String] {
        [("replicas", replicas != nil), ("weight", weight != nil), ("matchTrafficWeight", matchTrafficWeight != nil)]
            .filter(\.1).map(\.0)
    }
}
