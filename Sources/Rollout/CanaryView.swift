import SlipwayAPI

/// The live Deployments of a canary target, read at the start of a reconcile.
struct CanaryView: Sendable {
    let strategy: CanaryStrategy
    let stable: WorkloadState
    let canary: WorkloadState

    static func read(_ strategy: CanaryStrategy, container: String, namespace: String, cluster: any RolloutCluster) async throws -> CanaryView {
        func workload(_ name: String) async throws -> WorkloadState {
            guard let state = try await cluster.workload(namespace: namespace, name: name, container: container) else {
                throw RolloutClusterError.notFound(kind: "Deployment", name: name, namespace: namespace)
            }
            return state
        }
        return CanaryView(strategy: strategy, stable: try await workload(strategy.stableDeployment), canary: try await workload(strategy.canaryDeployment))
    }
}
