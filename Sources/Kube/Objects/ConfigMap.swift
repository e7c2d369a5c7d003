/// core/v1 ConfigMap.
/// See https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/config-map-v1/
public struct ConfigMap: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.configMaps
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Base64 values, as the API sends them.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil, immutable: Bool? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

/// core/v1 Namespace.
/// See https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/namespace-v1/
public struct Namespace: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.namespaces
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(metadata: ObjectMeta, spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct NamespaceSpec: Codable, Sendable, Equatable {
    public var finalizers: [String]?
    public init(finalizers: [String]? = nil) { self.finalizers = finalizers }
}

public struct NamespaceStatus: Codable, Sendable, Equatable {
    /// `Active` or `Terminating`.
    public var phase: String?
    public init(phase: String? = nil) { self.phase = phase }
}
