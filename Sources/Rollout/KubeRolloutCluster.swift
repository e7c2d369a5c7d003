import Foundation
import JSON
import Kube
import KubeRuntime
import SlipwayAPI

/// `RolloutCluster` over the Kubernetes API.
///
/// Reads come from the controller's indexed watch caches when it passes them (`caches`), as
/// controller-runtime's cached client does: the request, its target, the Deployments and the
/// Services. Only routing objects and pods are read from the API, where a decision needs the
/// live object. Every write keeps its precondition, so a decision made on a cached copy that is
/// already outdated fails with a conflict and is retried on fresh objects; and every write's
/// result goes back into the cache (`Store.keepWritten`), so the next reconcile of the same
/// request does not trip over its own previous write. An object the cache does not hold is
/// asked of the API before it counts as missing: a target created a moment before its request
/// may not have reached the cache yet, and "does not exist" ends a request for good.
///
/// Status writes go through the status subresource with the object's resourceVersion, so a
/// write based on a stale read fails with 409 and the reconcile is retried on fresh objects.
/// Changes where a precondition matters are JSON patches (RFC 6902) whose `test` operation
/// makes the API server refuse the change when the object is not as the reconciler saw it.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#patch-and-apply and
/// https://www.rfc-editor.org/rfc/rfc6902#section-4.6
public struct KubeRolloutCluster: RolloutCluster {
    public let client: KubeClient
    private let events: EventRecorder
    private let lookup: KubeClusterLookup
    private let caches: RolloutCaches?

    /// - Parameter caches: the controller's synced watch caches, read instead of the API; nil
    ///   asks the API for everything.
    public init(client: KubeClient, events: EventRecorder, caches: RolloutCaches? = nil) {
        self.client = client
        self.events = events
        self.lookup = KubeClusterLookup(client: client)
        self.caches = caches
    }

    // MARK: ClusterLookup

    public func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool {
        if let caches {
            if resource == Deployment.resource, caches.deployments.get(name: name, namespace: namespace) != nil { return true }
            if resource == Service.resource, caches.services.get(name: name, namespace: namespace) != nil { return true }
        }
        return try await lookup.exists(resource, name: name, namespace: namespace)
    }

    public func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]? {
        if let cached = caches?.deployments.get(name: name, namespace: namespace) {
            return cached.spec?.template.spec?.containers.map(\.name) ?? []
        }
        return try await lookup.containerNames(ofDeployment: name, namespace: namespace)
    }

    /// The pull secret a target's imagePolicy names, always from the API (Secrets are not
    /// watched: the controller may read only those targets name).
    public func dockerConfigJSON(namespace: String, name: String) async throws -> [UInt8]? {
        try await KubePullSecretSource(client: client).dockerConfigJSON(namespace: namespace, name: name)
    }

    // MARK: Requests and targets

    public func request(namespace: String, name: String) async throws -> DeploymentRequest? {
        if let caches { return caches.requests.get(name: name, namespace: namespace) }
        return try await orNil { () async throws(KubeError) in try await client.get(DeploymentRequest.self, name: name, namespace: namespace) }
    }

    public func requests(namespace: String, target: String) async throws -> [DeploymentRequest] {
        if let caches { return caches.requests(namespace: namespace, target: target) }
        return try await client.listAll(DeploymentRequest.self, namespace: namespace).items.filter { $0.effectiveTarget == target }
    }

    public func updateRequestStatus(_ request: DeploymentRequest) async throws -> DeploymentRequest {
        let written = try await client.updateStatus(request, namespace: request.metadata.namespace)
        caches?.requests.keepWritten(written, basedOn: request.metadata.resourceVersion)
        return written
    }

    public func removeAnnotation(_ key: String, from request: DeploymentRequest) async throws -> DeploymentRequest {
        let patch: JSONValue = ["metadata": ["annotations": .object([key: .null])]]
        let written = try await client.patch(DeploymentRequest.self, name: request.metadata.name ?? "", namespace: request.metadata.namespace,
                                             patch: .merge(patch))
        caches?.requests.keepWritten(written, basedOn: request.metadata.resourceVersion)
        return written
    }

    public func deleteRequest(namespace: String, name: String) async throws {
        do {
            _ = try await client.delete(DeploymentRequest.self, name: name, namespace: namespace)
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    public func target(namespace: String, name: String) async throws -> DeploymentTarget? {
        if let cached = caches?.targets.get(name: name, namespace: namespace) { return cached }
        return try await orNil { () async throws(KubeError) in try await client.get(DeploymentTarget.self, name: name, namespace: namespace) }
    }

    public func updateTargetStatus(_ target: DeploymentTarget) async throws -> DeploymentTarget {
        let written = try await client.updateStatus(target, namespace: target.metadata.namespace)
        caches?.targets.keepWritten(written, basedOn: target.metadata.resourceVersion)
        return written
    }

    // MARK: Deployments

    public func workload(namespace: String, name: String, container: String) async throws -> WorkloadState? {
        guard let deployment = try await deployment(namespace: namespace, name: name) else { return nil }
        let spec = deployment.spec
        let status = deployment.status
        let replicas = spec?.replicas ?? 1
        return WorkloadState(
            name: name,
            image: spec?.template.spec?.containers.first { $0.name == container }?.image,
            replicas: replicas,
            generation: deployment.metadata.generation ?? 0,
            observedGeneration: status?.observedGeneration ?? 0,
            statusReplicas: status?.replicas ?? 0,
            updatedReplicas: status?.updatedReplicas ?? 0,
            readyReplicas: status?.readyReplicas ?? 0,
            availableReplicas: status?.availableReplicas ?? 0,
            podLabels: spec?.template.metadata?.labels ?? [:],
            selector: spec?.selector)
    }

    private func deployment(namespace: String, name: String) async throws -> Deployment? {
        if let cached = caches?.deployments.get(name: name, namespace: namespace) { return cached }
        return try await orNil { () async throws(KubeError) in try await client.get(Deployment.self, name: name, namespace: namespace) }
    }

    /// Container restarts over the pods the Deployment's selector matches, listed from the API
    /// when a readiness gate measures (pods are not cached: a controller watching every pod
    /// would pay for each pod's every change to answer a question asked once per gate interval).
    public func restarts(of workload: WorkloadState, namespace: String) async throws -> Int? {
        guard let selector = workload.selector, !selector.queryString.isEmpty else { return nil }
        let pods = try await client.listAll(Pod.self, namespace: namespace, options: ListOptions(labelSelector: selector.queryString))
        return pods.items.reduce(0) { total, pod in
            total + (pod.status?.containerStatuses?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
        }
    }

    public func setImage(namespace: String, deployment: String, container: String, image: String) async throws {
        guard let current = try await self.deployment(namespace: namespace, name: deployment) else {
            throw RolloutClusterError.notFound(kind: "Deployment", name: deployment, namespace: namespace)
        }
        guard let index = current.spec?.template.spec?.containers.firstIndex(where: { $0.name == container }) else {
            throw RolloutClusterError.noSuchContainer(deployment: deployment, container: container)
        }
        // The test makes a cached copy that is out of date (containers reordered) fail instead of
        // changing another container.
        let base = "/spec/template/spec/containers/\(index)"
        let written = try await client.patch(Deployment.self, name: deployment, namespace: namespace, patch: .json([
            ["op": "test", "path": .string("\(base)/name"), "value": .string(container)],
            ["op": "replace", "path": .string("\(base)/image"), "value": .string(image)],
        ]))
        caches?.deployments.keepWritten(written, basedOn: current.metadata.resourceVersion)
    }

    public func scale(namespace: String, deployment: String, replicas: Int) async throws {
        let basedOn = caches?.deployments.get(name: deployment, namespace: namespace)?.metadata.resourceVersion
        let written = try await client.patch(Deployment.self, name: deployment, namespace: namespace,
                                             patch: .merge(["spec": ["replicas": .int(replicas)]]))
        caches?.deployments.keepWritten(written, basedOn: basedOn)
    }

    // MARK: Services

    public func serviceSelector(namespace: String, name: String) async throws -> [String: String]? {
        if let cached = caches?.services.get(name: name, namespace: namespace) { return cached.spec?.selector ?? [:] }
        let service = try await orNil { () async throws(KubeError) in try await client.get(Service.self, name: name, namespace: namespace) }
        return service.map { $0.spec?.selector ?? [:] }
    }

    public func setServiceSelector(namespace: String, name: String, expected: [String: String], selector: [String: String]) async throws {
        let basedOn = caches?.services.get(name: name, namespace: namespace)?.metadata.resourceVersion
        do {
            let written = try await client.patch(Service.self, name: name, namespace: namespace, patch: .json([
                ["op": "test", "path": "/spec/selector", "value": Self.json(expected)],
                ["op": "replace", "path": "/spec/selector", "value": Self.json(selector)],
            ]))
            caches?.services.keepWritten(written, basedOn: basedOn)
        } catch {
            if error.isInvalid || error.isConflict {
                throw RolloutClusterError.conflict("the selector of Service \(name) is no longer \(BlueGreenView.describe(expected)): someone changed it")
            }
            throw error
        }
    }

    // MARK: Routing objects

    public func routingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws -> JSONValue? {
        try await orNil { () async throws(KubeError) in try await client.get(resource, name: name, namespace: namespace).value }
    }

    public func patchRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String, operations: [JSONValue]) async throws {
        do {
            _ = try await client.patch(resource, name: name, namespace: namespace, patch: .json(operations))
        } catch {
            if error.isInvalid || error.isConflict {
                throw RolloutClusterError.conflict("\(resource.kind) \(name) is no longer as it was read: someone changed it")
            }
            if error.isNotFound { throw RolloutClusterError.notFound(kind: resource.kind, name: name, namespace: namespace) }
            throw error
        }
    }

    public func createRoutingObject(_ resource: ResourceDescriptor, namespace: String, object: JSONValue) async throws {
        do {
            _ = try await client.create(resource, DynamicObject(object), namespace: namespace)
        } catch {
            if error.isAlreadyExists || error.isConflict {
                throw RolloutClusterError.conflict("\(resource.kind) \(object[path: "metadata", "name"]?.stringValue ?? "") exists already")
            }
            throw error
        }
    }

    public func deleteRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws {
        do {
            _ = try await client.delete(resource, name: name, namespace: namespace)
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    // MARK: Events

    public func emit(_ type: EventType, reason: String, message: String, regarding request: DeploymentRequest) async {
        await events.record(type, reason: reason, message: message, regarding: request)
    }

    // MARK: Conversions

    private static func json(_ labels: [String: String]) -> JSONValue {
        var object = OrderedDictionary<String, JSONValue>()
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { object[key] = .string(value) }
        return .object(object)
    }

    private func orNil<T>(_ body: () async throws(KubeError) -> T) async throws -> T? {
        do {
            return try await body()
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }
}
