import Kube
import KubeRuntime
import Logging
import SlipwayAPI

/// The request controller put together: a `Controller<DeploymentRequest>` whose reconcile is a
/// `RequestReconciler` over the Kubernetes API, with the secondary watches that wake a request
/// when something it depends on changes.
///
/// What wakes a request (after controller-runtime's `Watches` with a mapping function):
/// - the request itself (spec, annotations such as approvals, promote and abort);
/// - its target (spec or status, e.g. the active request finishing frees the queue);
/// - the target's Deployments and Services (availability of a slot, a selector change).
/// Routing objects (Ingress, VirtualService, HTTPRoute) are not watched: a canary stopped by an
/// external edit of one looks again on its own (`RolloutConfiguration.availabilityPoll`).
/// Waiting requests also look again on their own (`RolloutConfiguration.waitingRecheck`).
///
/// A `Controller` runs once; a process that leads several times (leader election) builds a
/// fresh assembly for each term.
public struct ControllerAssembly: Sendable {
    public let controller: Controller<DeploymentRequest>
    public let reconciler: RequestReconciler
    public let targets: Store<DeploymentTarget>
    private let deployments: Store<Deployment>
    private let services: Store<Service>

    /// - Parameters:
    ///   - namespace: the namespace to watch; nil watches every namespace.
    ///   - prometheus: where Prometheus gates send their queries (each gate names its server).
    public init(client: KubeClient, events: EventRecorder, prober: any GateProber, namespace: String?,
                configuration: ControllerConfiguration = ControllerConfiguration(),
                rollout: RolloutConfiguration = RolloutConfiguration(), prometheus: any PrometheusQuerying = PrometheusClient(),
                logger: Logger) {
        let controller = Controller<DeploymentRequest>(
            primary: KubeWatchSource(client: client, DeploymentRequest.self, namespace: namespace),
            configuration: configuration, logger: logger)
        let requests = controller.store
        let cluster = KubeRolloutCluster(client: client, events: events, requestLister: { namespace, target in
            requests.list { $0.metadata.namespace == namespace && $0.effectiveTarget == target }
        })
        let targets = controller.watches(KubeWatchSource(client: client, DeploymentTarget.self, namespace: namespace)) { target in
            Self.requestKeys(of: target, in: requests)
        }
        self.deployments = controller.watches(KubeWatchSource(client: client, Deployment.self, namespace: namespace)) { deployment in
            Self.targets(in: targets, namespace: deployment.metadata.namespace) { strategy in
                strategy.usesDeployment(deployment.metadata.name)
            }.flatMap { Self.requestKeys(of: $0, in: requests) }
        }
        self.services = controller.watches(KubeWatchSource(client: client, Service.self, namespace: namespace)) { service in
            Self.targets(in: targets, namespace: service.metadata.namespace) { strategy in
                strategy.usesService(service.metadata.name)
            }.flatMap { Self.requestKeys(of: $0, in: requests) }
        }
        self.controller = controller
        self.targets = targets
        self.reconciler = RequestReconciler(cluster: cluster, gates: .standard(prober: prober, prometheus: prometheus), configuration: rollout, logger: logger)
    }

    /// Returns once every watch cache has its first full list (or the task is cancelled).
    public func waitUntilSynced() async {
        await controller.store.waitUntilSynced()
        await targets.waitUntilSynced()
        await deployments.waitUntilSynced()
        await services.waitUntilSynced()
    }

    /// The watch caches still waiting for their first full list, by resource; empty once synced.
    public var unsyncedCaches: [String] {
        [("deploymentrequests", controller.store.hasSynced), ("deploymenttargets", targets.hasSynced),
         ("deployments", deployments.hasSynced), ("services", services.hasSynced)]
            .filter { !$0.1 }.map(\.0)
    }

    /// Runs the controller until `controller.shutdown()` has drained it or the task is cancelled.
    public func run() async {
        let reconciler = self.reconciler
        await controller.run { key in try await reconciler.reconcile(key) }
    }

    /// The unfinished requests of `target` and its active request: the ones a change to the
    /// target, or to the objects it names, may let move on.
    static func requestKeys(of target: DeploymentTarget, in requests: Store<DeploymentRequest>) -> [ObjectKey] {
        guard let name = target.metadata.name else { return [] }
        let namespace = target.metadata.namespace
        var keys = requests.list { request in
            request.metadata.namespace == namespace && request.effectiveTarget == name && !request.phase.isTerminal
        }.compactMap { ObjectKey($0) }
        if let active = target.status?.activeRequest, !active.isEmpty {
            let key = ObjectKey(namespace: namespace, name: active)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    static func targets(in store: Store<DeploymentTarget>, namespace: String?,
                        where uses: (ReleaseStrategy) -> Bool) -> [DeploymentTarget] {
        store.list { $0.metadata.namespace == namespace && uses($0.spec.strategy) }
    }
}

extension ReleaseStrategy {
    func usesDeployment(_ name: String?) -> Bool {
        guard let name else { return false }
        if let blueGreen, blueGreen.blueDeployment == name || blueGreen.greenDeployment == name { return true }
        if let canary, canary.stableDeployment == name || canary.canaryDeployment == name { return true }
        return false
    }

    func usesService(_ name: String?) -> Bool {
        guard let name else { return false }
        if let blueGreen, blueGreen.activeService == name || blueGreen.previewService == name { return true }
        if let canary, canary.service == name || canary.canaryService == name { return true }
        return false
    }
}
