import SlipwayAPI

/// No router: one Service selects the pods of both Deployments, so the canary's share of the
/// traffic is its share of the ready pods. The release's replicas (the stable Deployment's when
/// it started) are split between the two in proportion to the weight.
///
/// A split grows before it shrinks: the Deployment that gains pods is scaled up and must be
/// available before the other loses pods, so capacity never drops during a step. There is no
/// routing object to edit concurrently; the replica counts are the routing.
struct ReplicaRatioRouter: TrafficRouter {
    var summary: String { "the replica ratio" }
    var scalesWorkloads: Bool { true }

    /// Canary and stable replicas for `weight` percent of `total`: the canary rounds up (any
    /// weight above 0 gets a pod) and, below 100 %, the stable keeps at least one pod.
    static func split(total: Int, weight: Int) -> (canary: Int, stable: Int) {
        let total = max(1, total)
        let weight = min(100, max(0, weight))
        let canary = weight == 0 ? 0 : max(1, (total * weight + 99) / 100)
        let stable = weight == 100 ? 0 : max(1, total - canary)
        return (canary, stable)
    }

    func liveWeight(_ context: RouterContext) async throws -> Int? {
        let sum = context.canary.replicas + context.stable.replicas
        return sum == 0 ? nil : (context.canary.replicas * 100 + sum / 2) / sum
    }

    func route(to: Int, from: Int, _ context: RouterContext) async throws -> RouteProgress {
        let (canary, stable) = Self.split(total: context.baseReplicas, weight: to)
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
