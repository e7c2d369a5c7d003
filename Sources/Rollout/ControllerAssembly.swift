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
    /// The targets' watch cache (the release metrics read it).
    public var targets: Store<DeploymentTarget> { caches.targets }
    /// The indexed caches the mappings and the reconciler read.
    public let caches: RolloutCaches

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
        // The stores exist before their watches, so that every mapping reads the indexed caches.
        let caches = RolloutCaches(requests: controller.store, targets: Store(transform: Store.stripManagedFields),
                                   deployments: Store(transform: Store.stripManagedFields), services: Store(transform: Store.stripManagedFields))
        controller.watches(KubeWatchSource(client: client, DeploymentTarget.self, namespace: namespace), into: caches.targets) { target in
            caches.requestKeys(of: target)
        }
        controller.watches(KubeWatchSource(client: client, Deployment.self, namespace: namespace), into: caches.deployments) { deployment in
            caches.requestKeys(forDeployment: deployment)
        }
        controller.watches(KubeWatchSource(client: client, Service.self, namespace: namespace), into: caches.services) { service in
            caches.requestKeys(forService: service)
        }
        let cluster = KubeRolloutCluster(client: client, events: events, caches: caches)
        self.controller = controller
        self.caches = caches
        self.reconciler = RequestReconciler(cluster: cluster, gates: .standard(prober: prober, prometheus: prometheus), configuration: rollout, logger: logger)
    }

    /// Returns once every watch cache has its first full list (or the task is cancelled).
    public func waitUntilSynced() async {
        await caches.requests.waitUntilSynced()
        await caches.targets.waitUntilSynced()
        await caches.deployments.waitUntilSynced()
        await caches.services.waitUntilSynced()
    }

    /// The watch caches still waiting for their first full list, by resource; empty once synced.
    public var unsyncedCaches: [String] {
        [("deploymentrequests", caches.requests.hasSynced), ("deploymenttargets", caches.targets.hasSynced),
         ("deployments", caches.deployments.hasSynced), ("services", caches.services.hasSynced)]
            .filter { !$0.1 }.map(\.0)
    }

    /// Runs the controller until `controller.shutdown()` has drained it or the task is cancelled.
    public func run() async {
        let reconciler = self.reconciler
        await controller.run { key in try await reconciler.reconcile(key) }
    }
}
