import Kube
import KubeRuntime
import SlipwayAPI

/// The controller's watch caches with the indexes its lookups need, so that neither a watch
/// event's mapping nor a reconcile's read ever scans a cache (client-go's `Indexer`,
/// controller-runtime's field indexes):
///
/// - requests by the target they work on (`effectiveTarget`), all of them and the unfinished ones;
/// - targets by the Deployments and by the Services their strategy names.
///
/// Index values are `namespace/name`, because a target only ever names objects of its own
/// namespace.
public struct RolloutCaches: Sendable {
    public let requests: Store<DeploymentRequest>
    public let targets: Store<DeploymentTarget>
    public let deployments: Store<Deployment>
    public let services: Store<Service>

    static let requestsByTarget = "target"
    static let openRequestsByTarget = "openTarget"
    static let targetsByDeployment = "deployment"
    static let targetsByService = "service"

    /// Registers the indexes on the stores.
    public init(requests: Store<DeploymentRequest>, targets: Store<DeploymentTarget>, deployments: Store<Deployment>,
                services: Store<Service>) {
        self.requests = requests
        self.targets = targets
        self.deployments = deployments
        self.services = services
        requests.addIndex(Self.requestsByTarget) { [Self.indexValue($0.metadata.namespace, $0.effectiveTarget)] }
        requests.addIndex(Self.openRequestsByTarget) { request in
            request.phase.isTerminal ? [] : [Self.indexValue(request.metadata.namespace, request.effectiveTarget)]
        }
        targets.addIndex(Self.targetsByDeployment) { target in
            target.spec.strategy.deploymentNames.map { Self.indexValue(target.metadata.namespace, $0) }
        }
        targets.addIndex(Self.targetsByService) { target in
            target.spec.strategy.serviceNames.map { Self.indexValue(target.metadata.namespace, $0) }
        }
    }

    static func indexValue(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    /// Every request of `target` in `namespace`, in any phase.
    public func requests(namespace: String?, target: String) -> [DeploymentRequest] {
        requests.objects(inIndex: Self.requestsByTarget, value: Self.indexValue(namespace, target))
    }

    /// The keys a change of `target` (or of an object it names) may let move on: its unfinished
    /// requests and its active request.
    public func requestKeys(of target: DeploymentTarget) -> [ObjectKey] {
        guard let name = target.metadata.name else { return [] }
        let namespace = target.metadata.namespace
        var keys = requests.keys(inIndex: Self.openRequestsByTarget, value: Self.indexValue(namespace, name))
        if let active = target.status?.activeRequest, !active.isEmpty {
            let key = ObjectKey(namespace: namespace, name: active)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The targets whose strategy names the Deployment.
    public func targets(usingDeployment name: String?, namespace: String?) -> [DeploymentTarget] {
        guard let name else { return [] }
        return targets.objects(inIndex: Self.targetsByDeployment, value: Self.indexValue(namespace, name))
    }

    /// The targets whose strategy names the Service.
    public func targets(usingService name: String?, namespace: String?) -> [DeploymentTarget] {
        guard let name else { return [] }
        return targets.objects(inIndex: Self.targetsByService, value: Self.indexValue(namespace, name))
    }

    /// The request keys a Deployment change wakes: the open requests of every target naming it.
    public func requestKeys(forDeployment deployment: Deployment) -> [ObjectKey] {
        targets(usingDeployment: deployment.metadata.name, namespace: deployment.metadata.namespace).flatMap(requestKeys(of:))
    }

    /// The request keys a Service change wakes: the open requests of every target naming it.
    public func requestKeys(forService service: Service) -> [ObjectKey] {
        targets(usingService: service.metadata.name, namespace: service.metadata.namespace).flatMap(requestKeys(of:))
    }
}

extension ReleaseStrategy {
    /// The Deployments the strategy drives.
    var deploymentNames: [String] {
        var names: [String] = []
        if let blueGreen { names += [blueGreen.blueDeployment, blueGreen.greenDeployment] }
        if let canary { names += [canary.stableDeployment, canary.canaryDeployment] }
        return Array(Set(names.filter { !$0.isEmpty }))
    }

    /// The Services the strategy reads or switches.
    var serviceNames: [String] {
        var names: [String] = []
        if let blueGreen { names += [blueGreen.activeService, blueGreen.previewService] }
        if let canary { names += [canary.service] + (canary.canaryService.map { [$0] } ?? []) }
        return Array(Set(names.filter { !$0.isEmpty }))
    }
}
