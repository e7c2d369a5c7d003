/// Where a kind lives in the API: group, version and plural resource name, and whether its
/// objects belong to a namespace. Every resource, built-in or custom, is addressed this way.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// The lower-case plural used in paths: `deployments`.
    public var plural: String
    /// The kind of one object: `Deployment` (used in messages and when building objects).
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `/api/v1` or `/apis/GROUP/VERSION`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// `deployments.apps` (the name kubectl and RBAC use).
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// The shorter name client-go and kube-rs use for the same thing.
public typealias GroupVersionResource = ResourceDescriptor

extension ResourceDescriptor {
    public static let namespaces = ResourceDescriptor(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let configMaps = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secrets = ResourceDescriptor(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let services = ResourceDescriptor(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let pods = ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let events = ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let serviceAccounts = ResourceDescriptor(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    public static let deployments = ResourceDescriptor(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let replicaSets = ResourceDescriptor(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", namespaced: true)
    public static let ingresses = ResourceDescriptor(group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress", namespaced: true)
    public static let leases = ResourceDescriptor(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let customResourceDefinitions = ResourceDescriptor(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    /// Istio traffic routing, used by the Istio router.
    public static let istioVirtualServices = ResourceDescriptor(group: "networking.istio.io", version: "v1beta1", plural: "virtualservices", kind: "VirtualService", namespaced: true)
    /// Gateway API routes, used by the Gateway API router.
    public static let httpRoutes = ResourceDescriptor(group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", kind: "HTTPRoute", namespaced: true)
}
