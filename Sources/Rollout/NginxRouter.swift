import JSON
import Kube
import SlipwayAPI

/// NGINX Ingress: a canary Ingress derived from the stable one, sending its share of traffic to
/// the canary Service. The stable Ingress is never changed; the canary Ingress is created at
/// weight 0 before the first step, owned by the request (so the garbage collector removes it
/// with the request), moved by its `canary-weight` annotation, and deleted after the release.
/// See https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
struct NginxRouter: TrafficRouter {
    static let canaryAnnotation = "nginx.ingress.kubernetes.io/canary"
    static let weightAnnotation = "nginx.ingress.kubernetes.io/canary-weight"
    /// The JSON pointers of the two annotations (RFC 6901 escapes `/` as `~1`).
    static let canaryPointer = "/metadata/annotations/nginx.ingress.kubernetes.io~1canary"
    static let weightPointer = "/metadata/annotations/nginx.ingress.kubernetes.io~1canary-weight"

    let routing: NginxRouting

    var summary: String { "Ingress \(routing.canaryIngress)" }
    var scalesWorkloads: Bool { false }

    func prepare(_ context: RouterContext) async throws {
        let cluster = context.cluster
        if let existing = try await cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress) {
            if isOwned(existing, by: context.request) { return }
            // Left by an earlier release (the garbage collector has not removed it yet): taken
            // over only while it sends nothing to the canary.
            guard Self.isCanary(existing), Self.weight(of: existing) == 0 else {
                throw ExternalRoutingEdit(object: summary, found: "an Ingress this release did not create, sending \(Self.weight(of: existing).map { "\($0) %" } ?? "an unknown share") to the canary",
                                          expected: "no Ingress of that name, or one at canary-weight 0")
            }
            var operations: [JSONValue] = []
            if let version = existing[path: "metadata", "resourceVersion"]?.stringValue {
                operations.append(["op": "test", "path": "/metadata/resourceVersion", "value": .string(version)])
            }
            operations.append(["op": "add", "path": "/metadata/ownerReferences", "value": [Self.ownerReference(context.request)]])
            try await cluster.patchRoutingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress, operations: operations)
            return
        }
        guard let stable = try await cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.stableIngress) else {
            throw RolloutClusterError.notFound(kind: "Ingress", name: routing.stableIngress, namespace: context.namespace)
        }
        guard let canaryService = context.strategy.canaryService else {
            throw RoutingObjectProblem(message: "spec.strategy.canary.canaryService is required with nginx routing")
        }
        let object = Self.derive(from: stable, name: routing.canaryIngress, stableService: context.strategy.service,
                                 canaryService: canaryService, owner: context.request)
        try await cluster.createRoutingObject(.ingresses, namespace: context.namespace, object: object)
    }

    func describe(weight: Int) -> String { "canary-weight \"\(weight)\" on Ingress \(routing.canaryIngress)" }

    func liveWeight(_ context: RouterContext) async throws -> Int? {
        Self.weight(of: try await readCanary(context))
    }

    func route(to: Int, from: Int, _ context: RouterContext) async throws -> RouteProgress {
        // Without the canary Ingress NGINX sends everything to the stable backend: that is 0 %.
        if to == 0, try await context.cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress) == nil {
            return .done
        }
        let ingress = try await readCanary(context)
        let live = Self.isCanary(ingress) ? Self.weight(of: ingress) : nil
        if live == to { return .done }
        guard live == from else {
            throw ExternalRoutingEdit(object: summary, found: Self.describe(ingress), expected: "canary-weight \(from)" + (from == to ? "" : " or \(to)"))
        }
        let operations: [JSONValue] = [
            ["op": "test", "path": .string(Self.canaryPointer), "value": "true"],
            ["op": "test", "path": .string(Self.weightPointer), "value": .string(String(from))],
            ["op": "replace", "path": .string(Self.weightPointer), "value": .string(String(to))],
        ]
        do {
            try await context.cluster.patchRoutingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress, operations: operations)
        } catch RolloutClusterError.conflict {
            let now = try? await readCanary(context)
            throw ExternalRoutingEdit(object: summary, found: now.map(Self.describe) ?? "a changed object", expected: "canary-weight \(from)")
        }
        let stored = try await readCanary(context)
        guard Self.isCanary(stored), Self.weight(of: stored) == to else {
            throw ExternalRoutingEdit(object: summary, found: Self.describe(stored), expected: "canary-weight \(to) (just written)")
        }
        return .done
    }

    func cleanUp(_ context: RouterContext) async throws {
        guard let existing = try await context.cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress),
              isOwned(existing, by: context.request) else { return }
        try await context.cluster.deleteRoutingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress)
    }

    func problem(_ context: RouterContext) async throws -> String? {
        guard let stable = try await context.cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.stableIngress) else {
            return "Ingress \(routing.stableIngress) does not exist in namespace \(context.namespace); create it or fix spec.strategy.canary.trafficRouting.nginx.stableIngress"
        }
        if Self.backendServices(of: stable).contains(context.strategy.service) == false {
            return "Ingress \(routing.stableIngress) sends no traffic to Service \(context.strategy.service) (spec.strategy.canary.service); the canary Ingress is derived by replacing that backend"
        }
        if let existing = try await context.cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress),
           !isOwned(existing, by: context.request), (Self.weight(of: existing) ?? 1) != 0 {
            return "Ingress \(routing.canaryIngress) exists and sends traffic (\(Self.describe(existing))); the controller derives that Ingress itself: delete it or set its canary-weight to 0"
        }
        return nil
    }

    // MARK: The derived Ingress

    private func readCanary(_ context: RouterContext) async throws -> JSONValue {
        guard let ingress = try await context.cluster.routingObject(.ingresses, namespace: context.namespace, name: routing.canaryIngress) else {
            throw ExternalRoutingEdit(object: summary, found: "no such Ingress (deleted)", expected: "the canary Ingress this release created")
        }
        return ingress
    }

    private func isOwned(_ ingress: JSONValue, by request: DeploymentRequest) -> Bool {
        guard let uid = request.metadata.uid else { return false }
        return (ingress[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
    }

    static func isCanary(_ ingress: JSONValue) -> Bool {
        ingress[path: "metadata", "annotations"]?[canaryAnnotation]?.stringValue == "true"
    }

    static func weight(of ingress: JSONValue) -> Int? {
        ingress[path: "metadata", "annotations"]?[weightAnnotation]?.stringValue.flatMap { Int($0) }
    }

    static func describe(_ ingress: JSONValue) -> String {
        "canary \(ingress[path: "metadata", "annotations"]?[canaryAnnotation]?.stringValue ?? "unset"), canary-weight \(ingress[path: "metadata", "annotations"]?[weightAnnotation]?.stringValue ?? "unset")"
    }

    static func ownerReference(_ request: DeploymentRequest) -> JSONValue {
        ["apiVersion": .string(DeploymentRequest.resource.apiVersion), "kind": .string(DeploymentRequest.resource.kind),
         "name": .string(request.metadata.name ?? ""), "uid": .string(request.metadata.uid ?? ""),
         "controller": true, "blockOwnerDeletion": false]
    }

    /// The Service names the Ingress's backends point at.
    static func backendServices(of ingress: JSONValue) -> Set<String> {
        var names = Set<String>()
        if let name = ingress[path: "spec", "defaultBackend", "service", "name"]?.stringValue { names.insert(name) }
        for rule in ingress[path: "spec", "rules"]?.arrayValue ?? [] {
            for path in rule[path: "http", "paths"]?.arrayValue ?? [] {
                if let name = path[path: "backend", "service", "name"]?.stringValue { names.insert(name) }
            }
        }
        return names
    }

    /// The stable Ingress's spec with every backend to `stableService` pointed at
    /// `canaryService`, the two canary annotations at weight 0, and the request as owner.
    /// Flagger's `pkg/router/ingress.go` derives its canary Ingress the same way.
    static func derive(from stable: JSONValue, name: String, stableService: String, canaryService: String, owner: DeploymentRequest) -> JSONValue {
        var spec = stable["spec"] ?? .emptyObject
        if spec[path: "defaultBackend", "service", "name"]?.stringValue == stableService {
            spec[path: "defaultBackend", "service", "name"] = .string(canaryService)
        }
        if var rules = spec["rules"]?.arrayValue {
            for ruleIndex in rules.indices {
                guard var paths = rules[ruleIndex][path: "http", "paths"]?.arrayValue else { continue }
                for pathIndex in paths.indices where paths[pathIndex][path: "backend", "service", "name"]?.stringValue == stableService {
                    paths[pathIndex][path: "backend", "service", "name"] = .string(canaryService)
                }
                rules[ruleIndex][path: "http", "paths"] = .array(paths)
            }
            spec["rules"] = .array(rules)
        }
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace = stable[path: "metadata", "namespace"] { metadata["namespace"] = namespace }
        if let labels = stable[path: "metadata", "labels"] { metadata["labels"] = labels }
        metadata["annotations"] = .object([canaryAnnotation: "true", weightAnnotation: "0"])
        metadata["ownerReferences"] = [ownerReference(owner)]
        return ["apiVersion": .string(ResourceDescriptor.ingresses.apiVersion), "kind": "Ingress", "metadata": metadata, "spec": spec]
    }
}
