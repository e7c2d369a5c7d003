import SlipwayAPI

/// No router: one Service selects the pods of both Deployments, so the canary's share of the
/// traffic is its share of the ready pods. The release's replicas (the stable Deployment's when
/// it started) are split between the two in proportion to the weight.
///
/// A split grows before it shrinks: the Deployment that gains pods is scaled up and must be
/// available before the other loses pods, so capacity never drops during a step. The replica
/// counts are the routing: before moving traffic to the canary the router checks that each
/// Deployment has the replicas of the old or the new split, and stops for a human when someone
/// scaled one of them to anything else. Returning all traffic to stable (promotion, undo) is
/// always done, since it is the safe state.
struct ReplicaRatioRouter: TrafficRouter {
    var summary: String { "the replica ratio" }
    var scalesWorkloads: Bool { true }

    func describe(weight: Int) -> String { "the replicas of a \(weight) % split" }

    /// Canary and stable replicas for `weight` percent of `total`: the canary rounds up (any
    /// weight above 0 gets a pod) and, below 100 %, the stable keeps at least one pod.
    static func split(total: Int, weight: Int) -> (canary: Int, stable: Int) {
        let total = max(1, total)
        let weight = min(100, max(0, weight))
        let canary = weight == 0 ? 0 : max(1, (total * weight + 99) / 100)
        let stable = weight == 100 ? 0 : max(1, total - canary)
        return (canary, stable)
    }

    /// The weight whose split the Deployments' replicas are, or nil when they are no split of
    /// the release's replicas.
    func liveWeight(_ context: RouterContext) async throws -> Int? {
        (0...100).first { weight in
            let split = Self.split(total: context.baseReplicas, weight: weight)
            return split.canary == context.canary.replicas && split.stable == context.stable.replicas
        }
    }

    func route(to: Int, from: Int, _ context: RouterContext) async throws -> RouteProgress {
        let (canary, stable) = Self.split(total: context.baseReplicas, weight: to)
        if to > 0 {
            let old = Self.split(total: context.baseReplicas, weight: from)
            if ![old.canary, canary].contains(context.canary.replicas) || ![old.stable, stable].contains(context.stable.replicas) {
                throw ExternalRoutingEdit(
                    object: "Deployments \(context.stable.name) and \(context.canary.name)",
                    found: "\(context.stable.replicas) stable / \(context.canary.replicas) canary replicas",
                    expected: "\(old.stable) / \(old.canary) (\(from) %)" + (from == to ? "" : " or \(stable) / \(canary) (\(to) %)"))
            }
        }
        let cluster = context.cluster
        let namespace = context.namespace
        if context.canary.replicas < canary {
            try await cluster.scale(namespace: namespace, deployment: context.canary.name, replicas: canary)
            return .waiting("scaled \(context.canary.name) to \(canary) replicas")
        }
        if context.stable.replicas < stable {
            try await cluster.scale(namespace: namespace, deployment: context.stable.name, replicas: stable)
            return .waiting("scaled \(context.stable.name) to \(stable) replicas")
        }
        if canary > 0 && !context.canary.isFullyAvailable {
            return .waiting("waiting for \(context.canary.name) to become available: \(context.canary.progressSummary)")
        }
        if stable > 0 && !context.stable.isFullyAvailable {
            return .waiting("waiting for \(context.stable.name) to become available: \(context.stable.progressSummary)")
        }
        if context.canary.replicas > canary {
            try await cluster.scale(namespace: namespace, deployment: context.canary.name, replicas: canary)
        }
        if context.stable.replicas > stable {
            try await cluster.scale(namespace: namespace, deployment: context.stable.name, replicas: stable)
        }
        return .done
    }

    func problem(_ context: RouterContext) async throws -> String? {
        guard let selector = try await context.cluster.serviceSelector(namespace: context.namespace, name: context.strategy.service) else {
            return "Service \(context.strategy.service) does not exist in namespace \(context.namespace)"
        }
        for workload in [context.stable, context.canary] where !BlueGreenView.selects(selector, workload.podLabels) {
            return "Service \(context.strategy.service) selects \(BlueGreenView.describe(selector)), which does not match the pods of \(workload.name) "
                + "(\(BlueGreenView.describe(workload.podLabels))); with replicaRatio routing the Service must select the pods of both Deployments"
        }
        return nil
    }
}
