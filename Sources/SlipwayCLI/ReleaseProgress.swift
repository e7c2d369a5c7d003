import Kube
import SlipwayAPI

/// What a person watching a release wants to see, read from a request's status: how far it
/// is, the step it is on, the canary weight, and how each gate stands. Pure, so that the bar,
/// the plain log line and the chat front-end can agree on it.
public struct ReleaseProgress: Sendable, Equatable {
    public var name: String
    public var target: String
    public var action: RequestAction
    /// The image being released; nil for a rollback until the controller names it.
    public var image: String?
    public var phase: Phase
    /// 0...1; 1 once the request has ended, however it ended.
    public var fraction: Double
    /// The step in words: `gates on the preview`, `step 2/5 (pause 30s)`.
    public var step: String
    /// Canary: the share of traffic on the new release.
    public var weight: Int?
    public var gates: [GateStatus]
    public var message: String?

    /// The steps of a blue/green release in the order the controller records them, with how far
    /// along the release is once each is done.
    static let blueGreenStages: [(action: String, fraction: Double, next: String)] = [
        ("Started", 0.05, "setting the image on the idle slot"),
        ("ImageSet", 0.10, "scaling up the idle slot"),
        ("ScaledUp", 0.20, "pointing the preview Service"),
        ("PreviewPointed", 0.25, "waiting for the new pods"),
        ("Available", 0.40, "gates on the preview"),
        ("PrePromotionGatesPassed", 0.60, "switching traffic"),
        ("PrePromotionGatesOverridden", 0.60, "switching traffic"),
        ("SwitchingTraffic", 0.70, "switching traffic"),
        ("SwitchedTraffic", 0.75, "gates on live traffic"),
        ("PostPromotionGatesPassed", 0.90, "scaling down the old slot"),
        ("PostPromotionGatesOverridden", 0.90, "scaling down the old slot"),
        ("ScaledDownPrevious", 0.95, "finishing"),
        ("Completed", 0.98, "finishing"),
    ]

    static let rollbackActions: Set<String> = [
        "RollbackStarted", "ScaledUpPrevious", "SwitchingTrafficBack", "SwitchedTrafficBack", "ScaledDownRelease", "RestoredImage",
    ]

    /// - Parameter canarySteps: the target's canary steps, when it is a canary target and known.
    public init(request: DeploymentRequest, canarySteps: [CanaryStep]? = nil) {
        name = request.metadata.name ?? ""
        target = request.spec.target
        action = request.spec.effectiveAction
        image = request.spec.image
        phase = request.phase
        let status = request.status
        weight = status?.canaryWeight
        gates = status?.gates ?? []
        message = status?.message
        let actions = status?.timeline?.map(\.action) ?? []

        if phase.isTerminal {
            fraction = 1
            step = Self.ending(phase)
            return
        }
        switch phase {
        case .pending:
            fraction = 0
            step = "waiting for the controller"
            return
        case .queued:
            fraction = 0
            step = "queued"
            return
        case .awaitingApproval:
            fraction = 0
            step = "waiting for approval"
            return
        case .paused:
            step = "paused: continue with `slipway request promote \(name)`"
        default:
            step = ""
        }
        if let rollback = actions.last(where: { Self.rollbackActions.contains($0) }) {
            fraction = 0.99
            step = "rolling back (\(Self.words(rollback)))"
            return
        }
        if let canarySteps, !canarySteps.isEmpty {
            guard let current = status?.currentStep else {
                fraction = 0.02
                if step.isEmpty { step = "starting the canary" }
                return
            }
            let index = min(max(current, 0), canarySteps.count)
            // The steps take the bar to 95%; promoting the canary is the rest.
            fraction = 0.95 * Double(index) / Double(canarySteps.count)
            if step.isEmpty {
                step = index < canarySteps.count
                    ? "step \(index + 1)/\(canarySteps.count) (\(Self.describe(canarySteps[index])))"
                    : "promoting the canary"
            }
            return
        }
        if let weight = status?.canaryWeight {
            fraction = Double(min(max(weight, 0), 100)) / 100
            if step.isEmpty { step = status?.currentStep.map { "step \($0 + 1)" } ?? "canary" }
            return
        }
        let done = actions.compactMap { action in Self.blueGreenStages.first { $0.action == action } }
        fraction = done.map(\.fraction).max() ?? 0.02
        if step.isEmpty {
            let latest = done.max { $0.fraction < $1.fraction }
            step = latest?.next ?? "starting"
        }
    }

    /// One canary step in words.
    static func describe(_ step: CanaryStep) -> String {
        switch step.kind {
        case .setWeight(let weight): "set weight \(weight)%"
        case .pause(let seconds): seconds.map { "pause \($0)s" } ?? "pause until promoted"
        case .analysis(let gates): "analysis: \(gates.joined(separator: ", "))"
        case .setCanaryScale: "set canary scale"
        case nil: "step"
        }
    }

    static func ending(_ phase: Phase) -> String {
        switch phase {
        case .succeeded: "released"
        case .failed: "failed before traffic moved; target unchanged"
        case .rolledBack: "rolled back to the previous release"
        case .aborted: "aborted; previous release restored"
        case .rejected: "rejected"
        default: phase.rawValue
        }
    }

    /// `SwitchedTrafficBack` → `switched traffic back`.
    static func words(_ action: String) -> String {
        var text = ""
        for character in action {
            if character.isUppercase && !text.isEmpty { text.append(" ") }
            text.append(contentsOf: character.lowercased())
        }
        return text
    }
}

extension GateStatus {
    /// `preview-healthy Passed 3/3`: the gate, its phase and its successes over the threshold
    /// when known, or its counts.
    public var summary: String {
        var parts = [name, (phase ?? .pending).rawValue]
        let counts = [("ok", successes), ("failed", failures), ("inconclusive", inconclusive)]
            .compactMap { label, count in count.flatMap { $0 > 0 ? "\($0) \(label)" : nil } }
        if !counts.isEmpty { parts.append("(" + counts.joined(separator: ", ") + ")") }
        return parts.joined(separator: " ")
    }
}
