import JSON
import Kube
import SlipwayAPI

/// Gateway API: the weights of the stable and canary backendRefs of one rule of an HTTPRoute.
/// Only the two `weight` fields are written. An absent weight means 1, as the specification says.
/// See https://gateway-api.sigs.k8s.io/guides/traffic-splitting/ and
/// https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref
struct GatewayAPIRouter: WeightPairRouter {
    let routing: GatewayAPIRouting

    var resource: ResourceDescriptor { RoutingResources.httpRoutes }
    var objectName: String { routing.httpRoute }
    var summary: String {
        "HTTPRoute \(routing.httpRoute) " + (routing.ruleName.map { "rule \($0)" } ?? "rule \(routing.ruleIndex ?? 0)")
    }

    func locate(_ object: JSONValue) -> Result<WeightPair, RoutingObjectProblem> {
        let rules = object[path: "spec", "rules"]?.arrayValue ?? []
        let ruleIndex: Int
        if let name = routing.ruleName {
            guard let index = rules.firstIndex(where: { $0["name"]?.stringValue == name }) else {
                return .failure(RoutingObjectProblem(message: "HTTPRoute \(routing.httpRoute) has no rule named \(name)"))
            }
            ruleIndex = index
        } else {
            ruleIndex = routing.ruleIndex ?? 0
            guard rules.indices.contains(ruleIndex) else {
                return .failure(RoutingObjectProblem(message: "HTTPRoute \(routing.httpRoute) has \(rules.count) rules; there is no rule \(ruleIndex)"))
            }
        }
        let backends = rules[ruleIndex]["backendRefs"]?.arrayValue ?? []
        func index(of service: String) -> Int? {
            backends.firstIndex { ref in
                ref["name"]?.stringValue == service && (ref["kind"]?.stringValue ?? "Service") == "Service"
                    && (ref["group"]?.stringValue ?? "") == ""
            }
        }
        guard let stable = index(of: routing.stableBackend) else {
            return .failure(RoutingObjectProblem(message: "\(summary) has no backendRef to Service \(routing.stableBackend); add it with weight 100"))
        }
        guard let canary = index(of: routing.canaryBackend) else {
            return .failure(RoutingObjectProblem(message: "\(summary) has no backendRef to Service \(routing.canaryBackend); add it with weight 0"))
        }
        let base = "/spec/rules/\(ruleIndex)/backendRefs"
        return .success(WeightPair(stablePointer: "\(base)/\(stable)", canaryPointer: "\(base)/\(canary)",
                                   storedStable: backends[stable]["weight"]?.intValue, storedCanary: backends[canary]["weight"]?.intValue,
                                   stableDefault: 1, canaryDefault: 1))
    }
}
