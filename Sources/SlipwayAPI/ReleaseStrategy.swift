/// How a release reaches users: exactly one of `blueGreen` or `canary`.
///
/// Modelled as optional members, the Kubernetes way of writing a union
/// (https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#unions),
/// so that an object with none or both still decodes and validation can name the field;
/// code that acts on a valid target switches over `kind`.
public struct ReleaseStrategy: Codable, Sendable, Equatable {
    public var blueGreen: BlueGreenStrategy?
    public var canary: CanaryStrategy?

    public init(blueGreen: BlueGreenStrategy? = nil, canary: CanaryStrategy? = nil) {
        self.blueGreen = blueGreen
        self.canary = canary
    }

    public static func blueGreen(_ strategy: BlueGreenStrategy) -> ReleaseStrategy { ReleaseStrategy(blueGreen: strategy) }
    public static func canary(_ strategy: CanaryStrategy) -> ReleaseStrategy { ReleaseStrategy(canary: strategy) }

    public enum Kind: Sendable, Equatable {
        case blueGreen(BlueGreenStrategy)
        case canary(CanaryStrategy)
    }

    /// The one strategy set, or nil when none or both are (validation reports which).
    public var kind: Kind? {
        switch (blueGreen, canary) {
        case (let blueGreen?, nil): .blueGreen(blueGreen)
        case (nil, let canary?): .canary(canary)
        default: nil
        }
    }

    /// `BlueGreen` or `Canary`, as the target's status and printer column show it.
    public var name: StrategyName? {
        switch kind {
        case .blueGreen: .blueGreen
        case .canary: .canary
        case nil: nil
        }
    }
}

/// The strategy's name in the target's status.
public enum StrategyName: String, Codable, Sendable, CaseIterable {
    case blueGreen = "BlueGreen"
    case canary = "Canary"
}

/// Two Deployments (slots). The active Service selects the live slot, the preview Service the
/// idle one; a release fills the idle slot, checks it through the preview Service and then
/// switches the active Service's selector.
public struct BlueGreenStrategy: Codable, Sendable, Equatable {
    public var activeService: String
    public var previewService: String
    public var blueDeployment: String
    public var greenDeployment: String
    /// Switch as soon as the pre-promotion gates pass (default true); otherwise wait for
    /// `slipway.dev/promote`.
    public var autoPromote: Bool?
    /// How long the old slot stays warm after the switch (default 30).
    public var scaleDownDelaySeconds: Int?
    public var prePromotionGates: [String]?
    public var postPromotionGates: [String]?

    public static let defaultScaleDownDelaySeconds = 30

    public init(activeService: String, previewService: String, blueDeployment: String, greenDeployment: String,
                autoPromote: Bool? = nil, scaleDownDelaySeconds: Int? = nil,
                prePromotionGates: [String]? = nil, postPromotionGates: [String]? = nil) {
        self.activeService = activeService
        self.previewService = previewService
        self.blueDeployment = blueDeployment
        self.greenDeployment = greenDeployment
        self.autoPromote = autoPromote
        self.scaleDownDelaySeconds = scaleDownDelaySeconds
        self.prePromotionGates = prePromotionGates
        self.postPromotionGates = postPromotionGates
    }

    public var effectiveAutoPromote: Bool { autoPromote ?? true }
    public var effectiveScaleDownDelaySeconds: Int { scaleDownDelaySeconds ?? Self.defaultScaleDownDelaySeconds }

    /// The Deployment of `slot`.
    public func deployment(for slot: Slot) -> String {
        switch slot {
        case .blue: blueDeployment
        case .green: greenDeployment
        }
    }
}

/// A blue/green slot.
public enum Slot: String, Codable, Sendable, CaseIterable {
    case blue, green

    /// The other slot: where the next release goes.
    public var other: Slot { self == .blue ? .green : .blue }
}

/// A stable and a canary Deployment; the steps move traffic to the canary through the router,
/// and after the last step the canary is promoted: the stable Deployment gets the new image and
/// all traffic returns to it.
/// After Argo Rollouts' canary strategy: https://argo-rollouts.readthedocs.io/en/stable/features/canary/
public struct CanaryStrategy: Codable, Sendable, Equatable {
    public var stableDeployment: String
    public var canaryDeployment: String
    /// The Service clients use. With `replicaRatio` it selects both Deployments' pods;
    /// otherwise the stable pods.
    public var service: String
    /// A Service selecting only the canary pods; required by `nginx`.
    public var canaryService: String?
    public var trafficRouting: TrafficRouting
    public var steps: [CanaryStep]

    public init(stableDeployment: String, canaryDeployment: String, service: String, canaryService: String? = nil,
                trafficRouting: TrafficRouting, steps: [CanaryStep]) {
        self.stableDeployment = stableDeployment
        self.canaryDeployment = canaryDeployment
        self.service = service
        self.canaryService = canaryService
        self.trafficRouting = trafficRouting
        self.steps = steps
    }
}

/// How traffic is split between stable and canary: exactly one router.
public struct TrafficRouting: Codable, Sendable, Equatable {
    public var replicaRatio: ReplicaRatioRouting?
    public var nginx: NginxRouting?
    public var istio: IstioRouting?
    public var gatewayAPI: GatewayAPIRouting?

    public init(replicaRatio: ReplicaRatioRouting? = nil, nginx: NginxRouting? = nil, istio: IstioRouting? = nil,
                gatewayAPI: GatewayAPIRouting? = nil) {
        self.replicaRatio = replicaRatio
        self.nginx = nginx
        self.istio = istio
        self.gatewayAPI = gatewayAPI
    }

    public static let replicaRatio = TrafficRouting(replicaRatio: ReplicaRatioRouting())
    public static func nginx(_ routing: NginxRouting) -> TrafficRouting { TrafficRouting(nginx: routing) }
    public static func istio(_ routing: IstioRouting) -> TrafficRouting { TrafficRouting(istio: routing) }
    public static func gatewayAPI(_ routing: GatewayAPIRouting) -> TrafficRouting { TrafficRouting(gatewayAPI: routing) }

    public enum Kind: Sendable, Equatable {
        case replicaRatio
        case nginx(NginxRouting)
        case istio(IstioRouting)
        case gatewayAPI(GatewayAPIRouting)
    }

    /// The one router set, or nil when none or several are.
    public var kind: Kind? {
        var set: [Kind] = []
        if replicaRatio != nil { set.append(.replicaRatio) }
        if let nginx { set.append(.nginx(nginx)) }
        if let istio { set.append(.istio(istio)) }
        if let gatewayAPI { set.append(.gatewayAPI(gatewayAPI)) }
        return set.count == 1 ? set[0] : nil
    }

    /// The names of the members set, in schema order (for messages).
    var setMembers: [String] {
        [("replicaRatio", replicaRatio != nil), ("nginx", nginx != nil), ("istio", istio != nil), ("gatewayAPI", gatewayAPI != nil)]
            .filter(\.1).map(\.0)
    }
}

/// The weight is approximated by the ratio of canary to stable replicas behind one Service:
/// no router needed, coarse with few replicas.
public struct ReplicaRatioRouting: Codable, Sendable, Equatable {
    public init() {}

    private enum CodingKeys: CodingKey {}

    /// Insists on an object, as the schema does (a member-less struct would accept anything).
    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: CodingKeys.self)
    }
}

/// NGINX Ingress: a canary Ingress derived from the stable one (named `<stableIngress>-canary`,
/// pointing at `canaryService`) carries `nginx.ingress.kubernetes.io/canary-weight`.
/// See https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
public struct NginxRouting: Codable, Sendable, Equatable {
    public var stableIngress: String

    public init(stableIngress: String) { self.stableIngress = stableIngress }

    /// The name of the derived canary Ingress.
    public var canaryIngress: String { "\(stableIngress)-canary" }
}

/// Istio: weights on the stable and canary destinations of the named HTTP route of a VirtualService.
/// See https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
public struct IstioRouting: Codable, Sendable, Equatable {
    public var virtualService: String
    /// The `name` of the HTTP route in the VirtualService.
    public var route: String
    public var stable: IstioDestination
    public var canary: IstioDestination

    public init(virtualService: String, route: String, stable: IstioDestination, canary: IstioDestination) {
        self.virtualService = virtualService
        self.route = route
        self.stable = stable
        self.canary = canary
    }
}

/// A VirtualService destination: a host and optionally a DestinationRule subset.
public struct IstioDestination: Codable, Sendable, Hashable {
    public var host: String
    public var subset: String?

    public init(host: String, subset: String? = nil) {
        self.host = host
        self.subset = subset
    }
}

/// Gateway API: weights on the stable and canary backendRefs of one rule of an HTTPRoute (the
/// first rule unless `ruleIndex` or `ruleName` says otherwise; at most one of the two).
/// See https://gateway-api.sigs.k8s.io/guides/traffic-splitting/
public struct GatewayAPIRouting: Codable, Sendable, Equatable {
    public var httpRoute: String
    public var ruleIndex: Int?
    public var ruleName: String?
    /// The Service named by the stable backendRef.
    public var stableBackend: String
    /// The Service named by the canary backendRef.
    public var canaryBackend: String

    public init(httpRoute: String, ruleIndex: Int? = nil, ruleName: String? = nil, stableBackend: String, canaryBackend: String) {
        self.httpRoute = httpRoute
        self.ruleIndex = ruleIndex
        self.ruleName = ruleName
        self.stableBackend = stableBackend
        self.canaryBackend = canaryBackend
    }
}
