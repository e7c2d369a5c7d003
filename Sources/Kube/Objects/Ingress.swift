import JSON

/// networking.k8s.io/v1 Ingress. NGINX canary weights live in its annotations.
/// See https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/
public struct Ingress: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.ingresses
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: IngressSpec?
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: IngressSpec? = nil, status: JSONValue? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct IngressSpec: Codable, Sendable, Equatable {
    public var ingressClassName: String?
    public var defaultBackend: IngressBackend?
    public var rules: [IngressRule]?
    public var tls: JSONValue?

    public init(ingressClassName: String? = nil, defaultBackend: IngressBackend? = nil, rules: [IngressRule]? = nil, tls: JSONValue? = nil) {
        self.ingressClassName = ingressClassName
        self.defaultBackend = defaultBackend
        self.rules = rules
        self.tls = tls
    }
}

public struct IngressRule: Codable, Sendable, Equatable {
    public var host: String?
    public var http: HTTPIngressRuleValue?

    public init(host: String? = nil, http: HTTPIngressRuleValue? = nil) {
        self.host = host
        self.http = http
    }
}

public struct HTTPIngressRuleValue: Codable, Sendable, Equatable {
    public var paths: [HTTPIngressPath]

    public init(paths: [HTTPIngressPath]) { self.paths = paths }
}

public struct HTTPIngressPath: Codable, Sendable, Equatable {
    public var path: String?
    /// `Prefix`, `Exact` or `ImplementationSpecific`.
    public var pathType: String
    public var backend: IngressBackend

    public init(path: String? = nil, pathType: String = "Prefix", backend: IngressBackend) {
        self.path = path
        self.pathType = pathType
        self.backend = backend
    }
}

public struct IngressBackend: Codable, Sendable, Equatable {
    public var service: IngressServiceBackend?
    public var resource: JSONValue?

    public init(service: IngressServiceBackend? = nil, resource: JSONValue? = nil) {
        self.service = service
        self.resource = resource
    }
}

public struct IngressServiceBackend: Codable, Sendable, Equatable {
    public var name: String
    public var port: ServiceBackendPort?

    public init(name: String, port: ServiceBackendPort? = nil) {
        self.name = name
        self.port = port
    }
}

public struct ServiceBackendPort: Codable, Sendable, Equatable {
    public var name: String?
    public var number: Int?

    public init(name: String? = nil, number: Int? = nil) {
        self.name = name
        self.number = number
    }
}
