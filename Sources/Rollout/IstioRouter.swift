import JSON
import Kube
import SlipwayAPI

/// Istio: the weights of the stable and canary destinations in the named HTTP route of a
/// VirtualService. Only the two `weight` fields are written; hosts, matches, retries and every
/// other route stay as their owner wrote them.
/// See https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
struct IstioRouter: WeightPairRouter {
    let routing: IstioRouting

    var resource: ResourceDescriptor { RoutingResources.virtualServices }
    var objectName: String { routing.virtualService }
    var summary: String { "VirtualService \(routing.virtualService) route \(routing.route)" }

    func locate(_ object: JSONValue) -> Result<WeightPair, RoutingObjectProblem> {
        let routes = object[path: "spec", "http"]?.arrayValue ?? []
        guard let routeIndex = routes.firstIndex(where: { $0["name"]?.stringValue == routing.route }) else {
            let names = routes.compactMap { $0["name"]?.stringValue }
            return .failure(RoutingObjectProblem(message: "VirtualService \(routing.virtualService) has no HTTP route named \(routing.route)"
                + (names.isEmpty ? " (its routes have no names; give the route a name)" : " (it has \(names.joined(separator: ", ")))")))
        }
        let destinations = routes[routeIndex]["route"]?.arrayValue ?? []
        func index(of destination: IstioDestination) -> Int? {
            destinations.firstIndex { entry in
                entry[path: "destination", "host"]?.stringValue == destination.host
                    && entry[path: "destination", "subset"]?.stringValue == destination.subset
            }
        }
        guard let stable = index(of: routing.stable) else {
            return .failure(RoutingObjectProblem(message: "\(summary) has no destination \(Self.describe(routing.stable)); add it with weight 100"))
        }
        guard let canary = index(of: routing.canary) else {
            return .failure(RoutingObjectProblem(message: "\(summary) has no destination \(Self.describe(routing.canary)); add it with weight 0"))
        }
        let base = "/spec/http/\(routeIndex)/route"
        let lone = destinations.count == 1
        return .success(WeightPair(stablePointer: "\(base)/\(stable)", canaryPointer: "\(base)/\(canary)",
                                   storedStable: destinations[stable]["weight"]?.intValue, storedCanary: destinations[canary]["weight"]?.intValue,
                                   stableDefault: lone ? 100 : 0, canaryDefault: 0))
    }

    static func describe(_ destination: IstioDestination) -> String {
        "host \(destination.host)" + (destination.subset.map { " subset \($0)" } ?? "")
    }
}
