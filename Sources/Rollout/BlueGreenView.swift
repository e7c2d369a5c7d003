import SlipwayAPI

/// The live objects of a blue/green target, read at the start of a reconcile.
///
/// The active Service's selector is the source of truth for which slot serves traffic: a slot
/// is selected when every key of the selector matches its pod template's labels and the other
/// slot's do not.
/// See https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
struct BlueGreenView: Sendable {
    let strategy: BlueGreenStrategy
    let blue: WorkloadState
    let green: WorkloadState
    let activeSelector: [String: String]
    let previewSelector: [String: String]

    /// Reads the slots and Services; throws `notFound` when one is missing.
    static func read(_ strategy: BlueGreenStrategy, container: String, namespace: String, cluster: any RolloutCluster) async throws -> BlueGreenView {
        func workload(_ name: String) async throws -> WorkloadState {
            guard let state = try await cluster.workload(namespace: namespace, name: name, container: container) else {
                throw RolloutClusterError.notFound(kind: "Deployment", name: name, namespace: namespace)
            }
            return state
        }
        func selector(_ name: String) async throws -> [String: String] {
            guard let selector = try await cluster.serviceSelector(namespace: namespace, name: name) else {
                throw RolloutClusterError.notFound(kind: "Service", name: name, namespace: namespace)
            }
            return selector
        }
        return BlueGreenView(strategy: strategy, blue: try await workload(strategy.blueDeployment), green: try await workload(strategy.greenDeployment),
                             activeSelector: try await selector(strategy.activeService), previewSelector: try await selector(strategy.previewService))
    }

    func workload(_ slot: Slot) -> WorkloadState { slot == .blue ? blue : green }

    /// The slot the active Service sends traffic to, or nil when it selects neither or both.
    var activeSlot: Slot? {
        let blueSelected = Self.selects(activeSelector, blue.podLabels)
        let greenSelected = Self.selects(activeSelector, green.podLabels)
        switch (blueSelected, greenSelected) {
        case (true, false): return .blue
        case (false, true): return .green
        default: return nil
        }
    }

    /// The replicas a release runs with: those of the slot serving traffic (at least one).
    var liveReplicas: Int {
        max(1, activeSlot.map { workload($0).replicas } ?? 0)
    }

    /// `base` changed to select `slot`: each key the slot's pod labels carry takes their value
    /// (`{app: web, slot: blue}` becomes `{app: web, slot: green}`); other keys stay.
    func selector(_ base: [String: String], toward slot: Slot) -> [String: String] {
        let labels = workload(slot).podLabels
        var selector = base
        for key in base.keys { if let value = labels[key] { selector[key] = value } }
        return selector
    }

    static func selects(_ selector: [String: String], _ labels: [String: String]) -> Bool {
        !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// Why this target cannot be released blue/green as it stands, naming the field; nil when it can.
    var problem: String? {
        let field = "spec.strategy.blueGreen.activeService"
        guard let live = activeSlot else {
            return "\(field): Service \(strategy.activeService) selects \(Self.describe(activeSelector)), which matches "
                + "\(Self.selects(activeSelector, blue.podLabels) ? "both" : "neither of the") Deployments \(blue.name) and \(green.name); "
                + "its selector must match exactly one slot's pod labels"
        }
        let switched = selector(activeSelector, toward: live.other)
        if !Self.selects(switched, workload(live.other).podLabels) || Self.selects(switched, workload(live).podLabels) {
            return "\(field): the pod labels of \(blue.name) and \(green.name) do not differ in a key of Service \(strategy.activeService)'s selector "
                + "\(Self.describe(activeSelector)); give each slot a distinguishing label (e.g. slot: blue / slot: green)"
        }
        return nil
    }

    static func describe(_ selector: [String: String]) -> String {
        "{" + selector.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
