import Kube

/// What the live-object checks need to know about the cluster: whether an object exists and
/// which containers a Deployment has. Small on purpose, so that the controller answers from its
/// caches or the API and tests answer from a table.
public protocol ClusterLookup: Sendable {
    /// Whether the object named `name` of `resource` exists in `namespace`.
    func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool
    /// The names of the containers in the Deployment's pod template, or nil when it does not exist.
    func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]?
}

/// A `ClusterLookup` that asks the API server.
public struct KubeClusterLookup: ClusterLookup {
    public let client: KubeClient

    public init(client: KubeClient) { self.client = client }

    public func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool {
        do {
            _ = try await client.get(resource, name: name, namespace: namespace)
            return true
        } catch {
            if error.isNotFound { return false }
            throw error
        }
    }

    public func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]? {
        do {
            let deployment = try await client.get(Deployment.self, name: name, namespace: namespace)
            return deployment.spec?.template.spec?.containers.map(\.name) ?? []
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }
}

extension DeploymentTarget {
    /// What is wrong with the target given the live objects in `namespace`: every Deployment,
    /// Service, Ingress, VirtualService and HTTPRoute it names must exist, and each Deployment
    /// must have the target's container. Run after `validationIssues()` comes back empty.
    /// Errors from `lookup` (the API unreachable) are thrown, not reported as issues.
    public func liveIssues(in namespace: String, lookup: some ClusterLookup) async throws -> [ValidationIssue] {
        var issues = IssueCollector()
        let path = FieldPath("spec.strategy")

        func deployment(_ name: String, at field: FieldPath) async throws {
            guard let containers = try await lookup.containerNames(ofDeployment: name, namespace: namespace) else {
                issues.add(field, "Deployment \(quoted(name)) does not exist in namespace \(quoted(namespace)); create it or fix the name")
                return
            }
            if !containers.contains(spec.container) {
                let found = containers.map(quoted).joined(separator: ", ")
                issues.add(field, "Deployment \(quoted(name)) has no container \(quoted(spec.container)) (it has \(found.isEmpty ? "none" : found)); fix spec.container or the Deployment")
            }
        }
        func object(_ resource: ResourceDescriptor, _ name: String, at field: FieldPath) async throws {
            if try await !lookup.exists(resource, name: name, namespace: namespace) {
                issues.add(field, "\(resource.kind) \(quoted(name)) does not exist in namespace \(quoted(namespace)); create it or fix the name")
            }
        }

        if let blueGreen = spec.strategy.blueGreen {
            let bg = path["blueGreen"]
            try await deployment(blueGreen.blueDeployment, at: bg["blueDeployment"])
            try await deployment(blueGreen.greenDeployment, at: bg["greenDeployment"])
            try await object(.services, blueGreen.activeService, at: bg["activeService"])
            try await object(.services, blueGreen.previewService, at: bg["previewService"])
        }
        if let canary = spec.strategy.canary {
            let c = path["canary"]
            try await deployment(canary.stableDeployment, at: c["stableDeployment"])
            try await deployment(canary.canaryDeployment, at: c["canaryDeployment"])
            try await object(.services, canary.service, at: c["service"])
            if let canaryService = canary.canaryService { try await object(.services, canaryService, at: c["canaryService"]) }
            let routing = c["trafficRouting"]
            if let nginx = canary.trafficRouting.nginx {
                try await object(.ingresses, nginx.stableIngress, at: routing["nginx"]["stableIngress"])
            }
            if let istio = canary.trafficRouting.istio {
                try await object(.istioVirtualServicesV1, istio.virtualService, at: routing["istio"]["virtualService"])
            }
            if let gatewayAPI = canary.trafficRouting.gatewayAPI {
                try await object(.httpRoutes, gatewayAPI.httpRoute, at: routing["gatewayAPI"]["httpRoute"])
                try await object(.services, gatewayAPI.stableBackend, at: routing["gatewayAPI"]["stableBackend"])
                try await object(.services, gatewayAPI.canaryBackend, at: routing["gatewayAPI"]["canaryBackend"])
            }
        }
        return issues.issues
    }
}

extension ResourceDescriptor {
    /// Istio's VirtualService at its stable version, networking.istio.io/v1 (Istio 1.22 and
    /// later), the version the canary router reads and patches.
    /// See https://istio.io/latest/docs/reference/config/networking/virtual-service/
    public static let istioVirtualServicesV1 = ResourceDescriptor(group: "networking.istio.io", version: "v1", plural: "virtualservices",
                                                                  kind: "VirtualService", namespaced: true)
}
