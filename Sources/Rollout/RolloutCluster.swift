import JSON
import Kube
import KubeRuntime
import SlipwayAPI

/// Everything the request reconciler may read or change in the cluster, and nothing more.
///
/// Kept small on purpose: the reconciler is tested against `FakeRolloutCluster`, which records
/// every change in order, and runs against the API server through `KubeRolloutCluster`. Every
/// write is a single API call, so a process killed between two calls leaves the cluster in a
/// state the next reconcile can read and continue from.
public protocol RolloutCluster: ClusterLookup, PullSecretSource {
    /// The request, or nil when it no longer exists.
    func request(namespace: String, name: String) async throws -> DeploymentRequest?
    /// Every request in `namespace` whose target (`effectiveTarget`) is `target`, in any phase.
    func requests(namespace: String, target: String) async throws -> [DeploymentRequest]
    /// Writes `request.status` through the status subresource. The write carries the request's
    /// resourceVersion, so a stale copy fails with a conflict instead of undoing a newer status.
    func updateRequestStatus(_ request: DeploymentRequest) async throws -> DeploymentRequest
    /// Removes an annotation from the request (a consumed `slipway.dev/promote`) and returns
    /// the request as stored afterwards.
    func removeAnnotation(_ key: String, from request: DeploymentRequest) async throws -> DeploymentRequest
    /// Deletes a finished request (history pruning).
    func deleteRequest(namespace: String, name: String) async throws

    /// The target, or nil when it does not exist.
    func target(namespace: String, name: String) async throws -> DeploymentTarget?
    /// Writes `target.status` through the status subresource, with the resourceVersion as precondition.
    func updateTargetStatus(_ target: DeploymentTarget) async throws -> DeploymentTarget

    /// What the reconciler needs to know about a Deployment, or nil when it does not exist.
    func workload(namespace: String, name: String, container: String) async throws -> WorkloadState?
    /// Container restarts summed over the pods of the Deployment `workload` describes (its
    /// selector's pods); nil when it cannot tell. Asked when a readiness gate measures, not on
    /// every reconcile.
    func restarts(of workload: WorkloadState, namespace: String) async throws -> Int?
    /// Sets the image of `container` in the Deployment's pod template.
    func setImage(namespace: String, deployment: String, container: String, image: String) async throws
    /// Sets the Deployment's `spec.replicas`.
    func scale(namespace: String, deployment: String, replicas: Int) async throws

    /// The Service's `spec.selector`, or nil when the Service does not exist.
    func serviceSelector(namespace: String, name: String) async throws -> [String: String]?
    /// Replaces the Service's selector, but only if it still equals `expected`: a traffic change
    /// must never be made on top of a selector someone else changed meanwhile.
    func setServiceSelector(namespace: String, name: String, expected: [String: String], selector: [String: String]) async throws

    /// A routing object (Ingress, VirtualService, HTTPRoute) as stored, or nil when it does not
    /// exist. Routers read it whole and change only the fields they own.
    func routingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws -> JSONValue?
    /// Applies a JSON patch (RFC 6902) to a routing object. The routers' patches start with
    /// `test` operations on the values they expect, so a concurrent edit fails the whole patch
    /// with `RolloutClusterError.conflict` instead of being overwritten.
    func patchRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String, operations: [JSONValue]) async throws
    /// Creates a routing object (the NGINX router's canary Ingress); `conflict` when it exists.
    func createRoutingObject(_ resource: ResourceDescriptor, namespace: String, object: JSONValue) async throws
    /// Deletes a routing object the controller created; nothing happens when it is gone already.
    func deleteRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws

    /// Records a core/v1 Event about the request. Never fails the caller.
    func emit(_ type: EventType, reason: String, message: String, regarding request: DeploymentRequest) async
}

/// A Deployment as the reconciler sees it: the release container's image, the desired replicas,
/// and how far the Deployment controller has got.
/// See https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status
public struct WorkloadState: Sendable, Equatable {
    public var name: String
    /// The image of the target's container, nil when the Deployment has no such container.
    public var image: String?
    /// `spec.replicas` (the API's default is 1).
    public var replicas: Int
    public var generation: Int
    public var observedGeneration: Int
    /// `status.replicas`: every pod, old and new.
    public var statusReplicas: Int
    public var updatedReplicas: Int
    public var readyReplicas: Int
    public var availableReplicas: Int
    /// The pod template's labels: what a Service selector must match to reach this slot.
    public var podLabels: [String: String]
    /// Container restarts summed over the Deployment's pods, when already known; otherwise
    /// `RolloutCluster.restarts(of:namespace:)` counts them.
    public var restarts: Int?
    /// The Deployment's pod selector: which pods are its own.
    public var selector: LabelSelector?

    public init(name: String, image: String?, replicas: Int, generation: Int, observedGeneration: Int, statusReplicas: Int,
                updatedReplicas: Int, readyReplicas: Int, availableReplicas: Int, podLabels: [String: String], restarts: Int? = nil,
                selector: LabelSelector? = nil) {
        self.name = name
        self.image = image
        self.replicas = replicas
        self.generation = generation
        self.observedGeneration = observedGeneration
        self.statusReplicas = statusReplicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.podLabels = podLabels
        self.restarts = restarts
        self.selector = selector
    }

    /// The rollout of the current spec is complete: the controller has seen the latest
    /// generation and every desired pod is updated, ready and available, with no old pod left.
    /// The same test `kubectl rollout status` makes.
    public var isFullyAvailable: Bool {
        observedGeneration >= generation && updatedReplicas == replicas && readyReplicas == replicas
            && availableReplicas == replicas && statusReplicas == replicas
    }

    /// A short progress line for messages (`2/3 available`).
    public var progressSummary: String {
        "\(availableReplicas)/\(replicas) available, \(updatedReplicas) updated"
    }
}

extension RolloutCluster {
    /// The count the workload already carries.
    public func restarts(of workload: WorkloadState, namespace: String) async throws -> Int? { workload.restarts }
}

/// What went wrong talking to the cluster, in words that say what to do.
public enum RolloutClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object to change does not exist.
    case notFound(kind: String, name: String, namespace: String)
    /// The Deployment has no container of that name.
    case noSuchContainer(deployment: String, container: String)
    /// A precondition (resourceVersion, or a Service's expected selector) no longer held.
    case conflict(String)

    public var description: String {
        switch self {
        case .notFound(let kind, let name, let namespace):
            "\(kind) \(name) does not exist in namespace \(namespace); create it or fix the target"
        case .noSuchContainer(let deployment, let container):
            "Deployment \(deployment) has no container \(container); fix spec.container of the target or the Deployment"
        case .conflict(let what):
            "\(what); the next reconcile reads the object again"
        }
    }
}
