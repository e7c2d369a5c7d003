import JSON
import Kube
import SlipwayAPI

/// What a router needs to know about one canary release.
struct RouterContext: Sendable {
    var namespace: String
    var strategy: CanaryStrategy
    /// The request the release belongs to: owner of the objects a router creates, so that the
    /// garbage collector removes them with the request.
    var request: DeploymentRequest
    var stable: WorkloadState
    var canary: WorkloadState
    /// The stable Deployment's replicas when the release started: the total the replica ratio
    /// router splits, and what the canary's scale follows.
    var baseReplicas: Int
    var cluster: any RolloutCluster
}

/// How far a traffic change has got.
enum RouteProgress: Sendable, Equatable {
    /// The routing holds the new weight.
    case done
    /// Waiting for pods before traffic may move; the text says for what.
    case waiting(String)
}

/// A router found the routing object in a state it did not write: someone edited it. The
/// router never writes over such an edit; the release stops for a human.
struct ExternalRoutingEdit: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object, e.g. `VirtualService catalog`.
    var object: String
    /// What the router found, e.g. `stable 70 / canary 30`.
    var found: String
    /// What it expected, e.g. `stable 90 / canary 10 or stable 80 / canary 20`.
    var expected: String

    var description: String {
        "\(object) was edited by someone else: it routes \(found), where the release expected \(expected)"
    }
}

/// Splits traffic between the stable and the canary Deployment. One implementation per way of
/// routing (replica ratio, NGINX Ingress, Istio, Gateway API), after Flagger's `pkg/router`.
///
/// Every write is one API call with a precondition: the router states which weight it expects
/// to find (`from`) and the API server refuses the change when the object says otherwise, so a
/// concurrent edit is detected, never overwritten. After a write the router reads the object
/// again and checks that the weight stored is the weight it wrote.
protocol TrafficRouter: Sendable {
    /// For messages: `Ingress checkout-canary`, `VirtualService catalog route primary`.
    var summary: String { get }
    /// The routing is driven through replicas, so the canary's scale is the router's business.
    var scalesWorkloads: Bool { get }
    /// Creates what the routing needs before the first step (the canary Ingress at weight 0).
    /// Idempotent.
    func prepare(_ context: RouterContext) async throws
    /// The canary weight the routing objects hold, or nil when they hold a split the router
    /// would not write (stable and canary not adding up to 100).
    func liveWeight(_ context: RouterContext) async throws -> Int?
    /// Moves the canary's share of traffic from `from` to `to` percent. Returns `.done` when
    /// the routing already holds `to` (a change made by a controller that died before recording
    /// it is not made again). Throws `ExternalRoutingEdit` when the routing holds neither.
    func route(to: Int, from: Int, _ context: RouterContext) async throws -> RouteProgress
    /// Removes what `prepare` created, after the release. Idempotent.
    func cleanUp(_ context: RouterContext) async throws
    /// What is wrong with the routing objects for this strategy, naming the field; nil when a
    /// release can use them.
    func problem(_ context: RouterContext) async throws -> String?
    /// How a person sets the routing to `weight` percent for the canary, for messages.
    func describe(weight: Int) -> String
}

extension TrafficRouter {
    func prepare(_ context: RouterContext) async throws {}
    func cleanUp(_ context: RouterContext) async throws {}
    func describe(weight: Int) -> String { "\(WeightPair.describe(weight)) in \(summary)" }
}

enum TrafficRouters {
    /// The router a canary strategy names.
    static func router(for strategy: CanaryStrategy) -> (any TrafficRouter)? {
        switch strategy.trafficRouting.kind {
        case .replicaRatio: ReplicaRatioRouter()
        case .nginx(let nginx): NginxRouter(routing: nginx)
        case .istio(let istio): IstioRouter(routing: istio)
        case .gatewayAPI(let gateway): GatewayAPIRouter(routing: gateway)
        case nil: nil
        }
    }
}

/// Resources the routers change, at the versions they speak.
enum RoutingResources {
    /// Istio's stable API (networking.istio.io/v1, Istio 1.22 and later).
    /// See https://istio.io/latest/docs/reference/config/networking/virtual-service/
    static let virtualServices = ResourceDescriptor.istioVirtualServicesV1
    static let httpRoutes = ResourceDescriptor.httpRoutes
    static let ingresses = ResourceDescriptor.ingresses
}

/// Two weighted entries of a list in a routing object (Istio route destinations, Gateway API
/// backendRefs): where they are, and what they hold.
struct WeightPair: Sendable, Equatable {
    /// JSON pointers of the two entries (`/spec/http/0/route/1`).
    var stablePointer: String
    var canaryPointer: String
    /// The weights as stored; nil when the field is absent.
    var storedStable: Int?
    var storedCanary: Int?
    /// The weight an absent field means (Istio: 100 for a lone destination, else 0; Gateway API: 1).
    var stableDefault: Int
    var canaryDefault: Int
    var resourceVersion: String?

    var stable: Int { storedStable ?? stableDefault }
    var canary: Int { storedCanary ?? canaryDefault }

    /// The canary weight, when the pair is a split the router writes (adds up to 100).
    var canaryWeight: Int? { stable + canary == 100 && (0...100).contains(canary) ? canary : nil }

    var described: String { "stable \(stable) / canary \(canary)" }

    /// A JSON patch that moves the pair from `from` to `to`, with a `test` of each weight it
    /// changes (or of the resourceVersion, for a weight not written yet), so that the API server
    /// refuses it when anyone changed the weights since they were read.
    func patch(from: Int, to: Int) -> [JSONValue] {
        var operations: [JSONValue] = []
        var needsVersionTest = false
        for (pointer, stored, expected, wanted) in [(stablePointer, storedStable, 100 - from, 100 - to), (canaryPointer, storedCanary, from, to)] {
            if stored != nil {
                operations.append(["op": "test", "path": .string("\(pointer)/weight"), "value": .int(expected)])
                operations.append(["op": "replace", "path": .string("\(pointer)/weight"), "value": .int(wanted)])
            } else {
                needsVersionTest = true
                operations.append(["op": "add", "path": .string("\(pointer)/weight"), "value": .int(wanted)])
            }
        }
        if needsVersionTest, let resourceVersion {
            operations.insert(["op": "test", "path": "/metadata/resourceVersion", "value": .string(resourceVersion)], at: 0)
        }
        return operations
    }

    static func describe(_ weight: Int) -> String { "stable \(100 - weight) / canary \(weight)" }
}

/// The shared walk of a weighted router: read, compare, patch with preconditions, read back.
protocol WeightPairRouter: TrafficRouter {
    var resource: ResourceDescriptor { get }
    var objectName: String { get }
    /// Finds the two entries in the object, or says what is missing.
    func locate(_ object: JSONValue) -> Result<WeightPair, RoutingObjectProblem>
}

/// Why a routing object cannot be used, for validation and messages.
struct RoutingObjectProblem: Error, Sendable, Equatable {
    var message: String
}

extension WeightPairRouter {
    var scalesWorkloads: Bool { false }

    func read(_ context: RouterContext) async throws -> WeightPair {
        guard let object = try await context.cluster.routingObject(resource, namespace: context.namespace, name: objectName) else {
            throw RolloutClusterError.notFound(kind: resource.kind, name: objectName, namespace: context.namespace)
        }
        switch locate(object) {
        case .success(var pair):
            pair.resourceVersion = object[path: "metadata", "resourceVersion"]?.stringValue
            return pair
        case .failure(let problem):
            throw ExternalRoutingEdit(object: summary, found: problem.message, expected: "the entries the target names")
        }
    }

    func liveWeight(_ context: RouterContext) async throws -> Int? {
        try await read(context).canaryWeight
    }

    func route(to: Int, from: Int, _ context: RouterContext) async throws -> RouteProgress {
        let pair = try await read(context)
        if pair.canaryWeight == to { return .done }
        guard pair.canaryWeight == from else {
            throw ExternalRoutingEdit(object: summary, found: pair.described,
                                      expected: WeightPair.describe(from) + (from == to ? "" : " or " + WeightPair.describe(to)))
        }
        do {
            try await context.cluster.patchRoutingObject(resource, namespace: context.namespace, name: objectName, operations: pair.patch(from: from, to: to))
        } catch let error as RolloutClusterError {
            guard case .conflict = error else { throw error }
            let now = try? await read(context)
            throw ExternalRoutingEdit(object: summary, found: now?.described ?? "a changed object", expected: WeightPair.describe(from))
        }
        let stored = try await read(context)
        guard stored.canaryWeight == to else {
            throw ExternalRoutingEdit(object: summary, found: stored.described, expected: WeightPair.describe(to) + " (just written)")
        }
        return .done
    }

    func problem(_ context: RouterContext) async throws -> String? {
        guard let object = try await context.cluster.routingObject(resource, namespace: context.namespace, name: objectName) else {
            return "\(resource.kind) \(objectName) does not exist in namespace \(context.namespace); create it or fix the name"
        }
        switch locate(object) {
        case .success(let pair):
            if pair.canaryWeight == nil {
                return "\(summary) routes \(pair.described); the weights must add up to 100 (set stable 100 / canary 0 before the first release)"
            }
            return nil
        case .failure(let problem):
            return problem.message
        }
    }
}
