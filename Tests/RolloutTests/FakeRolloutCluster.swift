import ClusterCore
import Foundation
import JSON
import Kube
import KubeRuntime
@testable import Rollout
import SlipwayAPI
import Synchronization

/// An in-memory `RolloutCluster` for the reconciler's tests.
///
/// Deployments behave by image: by default a Deployment becomes fully available `readyAfter`
/// after its spec last changed; `behavior` can make an image crash-loop (never available,
/// restarts growing). Every change is appended to `history` in order, so tests can prove that
/// each step and each traffic switch happened exactly once. `crash(afterMutations:)` makes every
/// change after the next `n` fail with `SimulatedCrash`, which is how the crash-safety tests stop
/// a controller between two calls.
public final class FakeRolloutCluster: RolloutCluster {
    /// One change, in the order made.
    public enum Mutation: Sendable, Equatable, CustomStringConvertible {
        case requestStatus(request: String, phase: Phase, lastAction: String?)
        case targetStatus(target: String)
        case setImage(deployment: String, image: String)
        case scale(deployment: String, replicas: Int)
        case setSelector(service: String, selector: [String: String])
        case deleteRequest(request: String)
        case removeAnnotation(request: String, key: String)
        /// A routing object created, patched (the operations, as compact JSON) or deleted.
        case createObject(kind: String, name: String)
        case patchObject(kind: String, name: String, operations: String)
        case deleteObject(kind: String, name: String)

        /// A change to a workload or to traffic (not a status write).
        public var isWorkloadOrTraffic: Bool {
            switch self {
            case .setImage, .scale, .setSelector, .createObject, .patchObject, .deleteObject: true
            default: false
            }
        }

        public var description: String {
            switch self {
            case .requestStatus(let request, let phase, let action): "status \(request) \(phase.rawValue) \(action ?? "-")"
            case .targetStatus(let target): "target status \(target)"
            case .setImage(let deployment, let image): "image \(deployment)=\(image)"
            case .scale(let deployment, let replicas): "scale \(deployment)=\(replicas)"
            case .setSelector(let service, let selector): "selector \(service)=\(BlueGreenView.describe(selector))"
            case .deleteRequest(let request): "delete \(request)"
            case .removeAnnotation(let request, let key): "unannotate \(request) \(key)"
            case .createObject(let kind, let name): "create \(kind)/\(name)"
            case .patchObject(let kind, let name, let operations): "patch \(kind)/\(name) \(operations)"
            case .deleteObject(let kind, let name): "delete \(kind)/\(name)"
            }
        }
    }

    /// How pods of an image behave.
    public enum WorkloadBehavior: Sendable, Equatable {
        /// Every pod ready and available this long after the spec changed.
        case healthy(readyAfter: Duration)
        /// Never ready; each pod restarts every 10 seconds.
        case crashLoop
        /// Ready only once a test calls `makeAvailable(_:)` after the spec last changed.
        case whenTold
        /// One more pod available every `perPod` after the spec changed.
        case gradual(perPod: Duration)
    }

    /// Thrown by a change made after the crash point.
    public struct SimulatedCrash: Error, Sendable, Equatable {}

    /// An Event as emitted.
    public struct RecordedEvent: Sendable, Equatable {
        public var type: EventType
        public var reason: String
        public var message: String
        public var request: String
    }

    private struct FakeDeployment {
        var container: String
        var image: String
        var replicas: Int
        var generation: Int
        var labels: [String: String]
        var changedAt: Duration
        /// The generation `makeAvailable(_:)` released, for `whenTold`.
        var releasedGeneration: Int?
    }

    private struct State {
        var requests: [String: DeploymentRequest] = [:]
        var targets: [String: DeploymentTarget] = [:]
        var deployments: [String: FakeDeployment] = [:]
        var services: [String: [String: String]] = [:]
        /// Routing objects by `Kind/name`.
        var objects: [String: JSONValue] = [:]
        /// Every routing object after each change made to it (by the controller or a test), in order.
        var objectVersions: [(key: String, object: JSONValue?)] = []
        var history: [Mutation] = []
        var events: [RecordedEvent] = []
        var crashAfter: Int?
        var version = 0
        var created = 0
        var behavior: @Sendable (String) -> WorkloadBehavior
    }

    public let namespace: String
    private let clock: any RuntimeClock
    private let state: Mutex<State>

    /// - Parameter behavior: how each image behaves; healthy after 5 s unless told otherwise.
    public init(namespace: String = "shop", clock: any RuntimeClock,
                behavior: @escaping @Sendable (String) -> WorkloadBehavior = { _ in .healthy(readyAfter: .seconds(5)) }) {
        self.namespace = namespace
        self.clock = clock
        self.state = Mutex(State(behavior: behavior))
    }

    // MARK: Setting up

    public func setBehavior(_ behavior: @escaping @Sendable (String) -> WorkloadBehavior) {
        state.withLock { $0.behavior = behavior }
    }

    /// Adds a Deployment that is already fully rolled out.
    public func addDeployment(_ name: String, container: String, image: String, replicas: Int, labels: [String: String]) {
        state.withLock { $0.deployments[name] = FakeDeployment(container: container, image: image, replicas: replicas, generation: 1, labels: labels, changedAt: .seconds(-3600)) }
    }

    /// Lets the pods of the Deployment's current spec become available (behaviour `whenTold`).
    public func makeAvailable(_ deployment: String) {
        state.withLock { state in
            let generation = state.deployments[deployment]?.generation
            state.deployments[deployment]?.releasedGeneration = generation
        }
    }

    public func addService(_ name: String, selector: [String: String]) {
        state.withLock { $0.services[name] = selector }
    }

    /// Adds a routing object (Ingress, VirtualService, HTTPRoute) as stored by the API server.
    public func addObject(_ object: JSONValue) {
        state.withLock { state in
            var object = object
            state.version += 1
            object[path: "metadata", "namespace"] = .string(namespace)
            object[path: "metadata", "resourceVersion"] = .string(String(state.version))
            let key = Self.key(object["kind"]?.stringValue ?? "", object[path: "metadata", "name"]?.stringValue ?? "")
            state.objects[key] = object
            state.objectVersions.append((key, object))
        }
    }

    /// Someone else edits a routing object (`kubectl edit`): not a change the controller made,
    /// so not in `history`.
    public func editObject(kind: String, name: String, _ change: (inout JSONValue) -> Void) {
        state.withLock { state in
            let key = Self.key(kind, name)
            guard var object = state.objects[key] else { return }
            change(&object)
            state.version += 1
            object[path: "metadata", "resourceVersion"] = .string(String(state.version))
            state.objects[key] = object
            state.objectVersions.append((key, object))
        }
    }

    public func object(kind: String, name: String) -> JSONValue? { state.withLock { $0.objects[Self.key(kind, name)] } }
    /// Every stored version of one routing object, oldest first (nil: deleted).
    public func versions(kind: String, name: String) -> [JSONValue?] {
        let key = Self.key(kind, name)
        return state.withLock { $0.objectVersions.filter { $0.key == key }.map(\.object) }
    }

    static func key(_ kind: String, _ name: String) -> String { "\(kind)/\(name)" }

    public func addTarget(_ target: DeploymentTarget) {
        state.withLock { state in
            var target = target
            target.metadata.namespace = namespace
            state.version += 1
            target.metadata.resourceVersion = String(state.version)
            target.metadata.generation = 1
            state.targets[target.metadata.name ?? ""] = target
        }
    }

    /// Creates a request as the API server would: namespace, uid, creation time, generation.
    @discardableResult
    public func create(_ request: DeploymentRequest) -> DeploymentRequest {
        let now = clock.wallClock()
        return state.withLock { state in
            var request = request
            state.created += 1
            state.version += 1
            request.metadata.namespace = namespace
            request.metadata.uid = "uid-\(state.created)"
            request.metadata.creationTimestamp = RFC3339.string(from: now)
            request.metadata.resourceVersion = String(state.version)
            request.metadata.generation = 1
            state.requests[request.metadata.name ?? ""] = request
            return request
        }
    }

    /// Sets an annotation on a request, as `kubectl annotate` would.
    public func annotate(_ request: String, _ key: String, _ value: String) {
        state.withLock { state in
            guard var object = state.requests[request] else { return }
            var annotations = object.metadata.annotations ?? [:]
            annotations[key] = value
            object.metadata.annotations = annotations
            state.version += 1
            object.metadata.resourceVersion = String(state.version)
            state.requests[request] = object
        }
    }

    /// Every change after the next `count` fails with `SimulatedCrash`; nil lifts the limit.
    public func crash(afterMutations count: Int?) {
        state.withLock { state in state.crashAfter = count.map { state.history.count + $0 } }
    }

    // MARK: Reading for assertions

    public var history: [Mutation] { state.withLock { $0.history } }
    public var events: [RecordedEvent] { state.withLock { $0.events } }
    public func storedRequest(_ name: String) -> DeploymentRequest? { state.withLock { $0.requests[name] } }
    public var requestNames: [String] { state.withLock { $0.requests.keys.sorted() } }
    public func storedTarget(_ name: String) -> DeploymentTarget? { state.withLock { $0.targets[name] } }
    public func selector(of service: String) -> [String: String]? { state.withLock { $0.services[service] } }
    public func deploymentImage(_ name: String) -> String? { state.withLock { $0.deployments[name]?.image } }
    public func deploymentReplicas(_ name: String) -> Int? { state.withLock { $0.deployments[name]?.replicas } }

    // MARK: ClusterLookup

    public func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool {
        guard namespace == self.namespace else { return false }
        return state.withLock { state in
            switch resource.kind {
            case "Service": state.services[name] != nil
            case "Deployment": state.deployments[name] != nil
            case "DeploymentTarget": state.targets[name] != nil
            default: state.objects[Self.key(resource.kind, name)] != nil
            }
        }
    }

    public func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]? {
        guard namespace == self.namespace else { return nil }
        return state.withLock { state in state.deployments[name].map { [$0.container] } }
    }

    /// No pull secrets: the fake's targets name none.
    public func dockerConfigJSON(namespace: String, name: String) async throws -> [UInt8]? { nil }

    // MARK: RolloutCluster

    public func request(namespace: String, name: String) async throws -> DeploymentRequest? {
        guard namespace == self.namespace else { return nil }
        return state.withLock { $0.requests[name] }
    }

    public func requests(namespace: String, target: String) async throws -> [DeploymentRequest] {
        guard namespace == self.namespace else { return [] }
        return state.withLock { state in state.requests.values.filter { $0.spec.target == target }.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") } }
    }

    public func updateRequestStatus(_ request: DeploymentRequest) async throws -> DeploymentRequest {
        let name = request.metadata.name ?? ""
        return try mutate(.requestStatus(request: name, phase: request.phase, lastAction: request.status?.timeline?.last?.action)) { state in
            guard var stored = state.requests[name] else { throw RolloutClusterError.notFound(kind: "DeploymentRequest", name: name, namespace: namespace) }
            guard stored.metadata.resourceVersion == request.metadata.resourceVersion else {
                throw RolloutClusterError.conflict("DeploymentRequest \(name) changed since it was read")
            }
            stored.status = request.status
            state.version += 1
            stored.metadata.resourceVersion = String(state.version)
            state.requests[name] = stored
            return stored
        }
    }

    public func removeAnnotation(_ key: String, from request: DeploymentRequest) async throws -> DeploymentRequest {
        let name = request.metadata.name ?? ""
        return try mutate(.removeAnnotation(request: name, key: key)) { state in
            guard var stored = state.requests[name] else { throw RolloutClusterError.notFound(kind: "DeploymentRequest", name: name, namespace: namespace) }
            stored.metadata.annotations?[key] = nil
            state.version += 1
            stored.metadata.resourceVersion = String(state.version)
            state.requests[name] = stored
            var updated = request
            updated.metadata = stored.metadata
            return updated
        }
    }

    public func deleteRequest(namespace: String, name: String) async throws {
        try mutate(.deleteRequest(request: name)) { state in
            state.requests[name] = nil
        }
    }

    public func target(namespace: String, name: String) async throws -> DeploymentTarget? {
        guard namespace == self.namespace else { return nil }
        return state.withLock { $0.targets[name] }
    }

    public func updateTargetStatus(_ target: DeploymentTarget) async throws -> DeploymentTarget {
        let name = target.metadata.name ?? ""
        return try mutate(.targetStatus(target: name)) { state in
            guard var stored = state.targets[name] else { throw RolloutClusterError.notFound(kind: "DeploymentTarget", name: name, namespace: namespace) }
            guard stored.metadata.resourceVersion == target.metadata.resourceVersion else {
                throw RolloutClusterError.conflict("DeploymentTarget \(name) changed since it was read")
            }
            stored.status = target.status
            state.version += 1
            stored.metadata.resourceVersion = String(state.version)
            state.targets[name] = stored
            return stored
        }
    }

    public func workload(namespace: String, name: String, container: String) async throws -> WorkloadState? {
        guard namespace == self.namespace else { return nil }
        let now = clock.now()
        return state.withLock { state in
            guard let deployment = state.deployments[name] else { return nil }
            let image = deployment.container == container ? deployment.image : nil
            let replicas = deployment.replicas
            var workload = WorkloadState(name: name, image: image, replicas: replicas, generation: deployment.generation,
                                         observedGeneration: deployment.generation, statusReplicas: replicas, updatedReplicas: replicas,
                                         readyReplicas: replicas, availableReplicas: replicas, podLabels: deployment.labels, restarts: 0)
            guard replicas > 0 else { return workload }
            let elapsed = now - deployment.changedAt
            switch state.behavior(deployment.image) {
            case .healthy(let readyAfter):
                if elapsed < readyAfter {
                    workload.readyReplicas = 0
                    workload.availableReplicas = 0
                }
            case .gradual(let perPod):
                let ready = perPod > .zero ? min(replicas, Int(elapsed / perPod)) : replicas
                workload.readyReplicas = max(0, ready)
                workload.availableReplicas = max(0, ready)
            case .whenTold:
                if deployment.releasedGeneration != deployment.generation {
                    workload.readyReplicas = 0
                    workload.availableReplicas = 0
                }
            case .crashLoop:
                workload.readyReplicas = 0
                workload.availableReplicas = 0
                workload.restarts = replicas * Int(max(0, elapsed.components.seconds) / 10)
            }
            return workload
        }
    }

    public func setImage(namespace: String, deployment: String, container: String, image: String) async throws {
        let now = clock.now()
        try mutate(.setImage(deployment: deployment, image: image)) { state in
            guard var object = state.deployments[deployment] else { throw RolloutClusterError.notFound(kind: "Deployment", name: deployment, namespace: namespace) }
            guard object.container == container else { throw RolloutClusterError.noSuchContainer(deployment: deployment, container: container) }
            if object.image != image {
                object.image = image
                object.generation += 1
                object.changedAt = now
            }
            state.deployments[deployment] = object
        }
    }

    public func scale(namespace: String, deployment: String, replicas: Int) async throws {
        let now = clock.now()
        try mutate(.scale(deployment: deployment, replicas: replicas)) { state in
            guard var object = state.deployments[deployment] else { throw RolloutClusterError.notFound(kind: "Deployment", name: deployment, namespace: namespace) }
            if object.replicas != replicas {
                object.replicas = replicas
                object.generation += 1
                object.changedAt = now
            }
            state.deployments[deployment] = object
        }
    }

    public func serviceSelector(namespace: String, name: String) async throws -> [String: String]? {
        guard namespace == self.namespace else { return nil }
        return state.withLock { $0.services[name] }
    }

    public func setServiceSelector(namespace: String, name: String, expected: [String: String], selector: [String: String]) async throws {
        try mutate(.setSelector(service: name, selector: selector)) { state in
            guard let current = state.services[name] else { throw RolloutClusterError.notFound(kind: "Service", name: name, namespace: namespace) }
            guard current == expected else { throw RolloutClusterError.conflict("the selector of Service \(name) is no longer \(BlueGreenView.describe(expected))") }
            state.services[name] = selector
        }
    }

    public func routingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws -> JSONValue? {
        guard namespace == self.namespace else { return nil }
        return state.withLock { $0.objects[Self.key(resource.kind, name)] }
    }

    public func patchRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String, operations: [JSONValue]) async throws {
        let key = Self.key(resource.kind, name)
        try mutate(.patchObject(kind: resource.kind, name: name, operations: JSONValue.array(operations).jsonString(pretty: false))) { state in
            guard let object = state.objects[key] else { throw RolloutClusterError.notFound(kind: resource.kind, name: name, namespace: namespace) }
            var patched: JSONValue
            do {
                patched = try JSONPatch.apply(.array(operations), to: object)
            } catch {
                throw RolloutClusterError.conflict("\(resource.kind) \(name) is no longer as it was read: \((error as? APIError)?.details?.causes.first?.message ?? "a failed test")")
            }
            state.version += 1
            patched[path: "metadata", "resourceVersion"] = .string(String(state.version))
            state.objects[key] = patched
            state.objectVersions.append((key, patched))
        }
    }

    public func createRoutingObject(_ resource: ResourceDescriptor, namespace: String, object: JSONValue) async throws {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let key = Self.key(resource.kind, name)
        try mutate(.createObject(kind: resource.kind, name: name)) { state in
            guard state.objects[key] == nil else { throw RolloutClusterError.conflict("\(resource.kind) \(name) exists already") }
            var object = object
            state.version += 1
            object[path: "metadata", "resourceVersion"] = .string(String(state.version))
            state.objects[key] = object
            state.objectVersions.append((key, object))
        }
    }

    public func deleteRoutingObject(_ resource: ResourceDescriptor, namespace: String, name: String) async throws {
        let key = Self.key(resource.kind, name)
        try mutate(.deleteObject(kind: resource.kind, name: name)) { state in
            if state.objects.removeValue(forKey: key) != nil { state.objectVersions.append((key, nil)) }
        }
    }

    public func emit(_ type: EventType, reason: String, message: String, regarding request: DeploymentRequest) async {
        state.withLock { $0.events.append(RecordedEvent(type: type, reason: reason, message: message, request: request.metadata.name ?? "")) }
    }

    /// Applies a change and appends it to the history, unless the crash point has been reached.
    private func mutate<T>(_ mutation: Mutation, _ change: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            if let crashAfter = state.crashAfter, state.history.count >= crashAfter { throw SimulatedCrash() }
            let result = try change(&state)
            state.history.append(mutation)
            return result
        }
    }
}
