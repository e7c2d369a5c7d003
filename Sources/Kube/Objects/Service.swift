import JSON

/// core/v1 Service.
/// See https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/
public struct Service: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.services
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: JSONValue? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The spec of a Service. Keeps what it does not model (`ipFamilies`, `externalTrafficPolicy` ...).
public struct ServiceSpec: Codable, Sendable, Equatable {
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    public var type: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var clusterIP: String?
    public var unknownFields: UnknownFields

    public init(type: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil, clusterIP: String? = nil,
                unknownFields: UnknownFields = UnknownFields()) {
        self.type = type
        self.selector = selector
        self.ports = ports
        self.clusterIP = clusterIP
        self.unknownFields = unknownFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case type, selector, ports, clusterIP }

    private static let known = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        selector = try c.decodeIfPresent([String: String].self, forKey: .selector)
        ports = try c.decodeIfPresent([ServicePort].self, forKey: .ports)
        clusterIP = try c.decodeIfPresent(String.self, forKey: .clusterIP)
        unknownFields = try UnknownFields(from: decoder, known: Self.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(selector, forKey: .selector)
        try c.encodeIfPresent(ports, forKey: .ports)
        try c.encodeIfPresent(clusterIP, forKey: .clusterIP)
        try unknownFields.encode(to: encoder, known: Self.known)
    }
}

public struct ServicePort: Codable, Sendable, Equatable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?

    public init(name: String? = nil, protocol: String? = nil, port: Int, targetPort: IntOrString? = nil, nodePort: Int? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}
