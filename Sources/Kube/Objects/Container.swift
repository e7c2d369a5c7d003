import JSON

/// One container of a pod. Keeps every member it does not model (`resources`,
/// `volumeMounts`, `securityContext` ...) in `unknownFields`, so an image change written back
/// with `update` loses nothing.
/// See https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container
public struct Container: Codable, Sendable, Equatable {
    public var name: String
    public var image: String?
    public var imagePullPolicy: String?
    public var command: [String]?
    public var args: [String]?
    public var ports: [ContainerPort]?
    public var env: [EnvVar]?
    public var resources: JSONValue?
    public var readinessProbe: JSONValue?
    public var livenessProbe: JSONValue?
    public var startupProbe: JSONValue?
    public var unknownFields: UnknownFields

    public init(name: String, image: String? = nil, imagePullPolicy: String? = nil, command: [String]? = nil, args: [String]? = nil,
                ports: [ContainerPort]? = nil, env: [EnvVar]? = nil, resources: JSONValue? = nil,
                readinessProbe: JSONValue? = nil, livenessProbe: JSONValue? = nil, startupProbe: JSONValue? = nil,
                unknownFields: UnknownFields = UnknownFields()) {
        self.name = name
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.command = command
        self.args = args
        self.ports = ports
        self.env = env
        self.resources = resources
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.startupProbe = startupProbe
        self.unknownFields = unknownFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, image, imagePullPolicy, command, args, ports, env, resources, readinessProbe, livenessProbe, startupProbe
    }

    private static let known = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        image = try c.decodeIfPresent(String.self, forKey: .image)
        imagePullPolicy = try c.decodeIfPresent(String.self, forKey: .imagePullPolicy)
        command = try c.decodeIfPresent([String].self, forKey: .command)
        args = try c.decodeIfPresent([String].self, forKey: .args)
        ports = try c.decodeIfPresent([ContainerPort].self, forKey: .ports)
        env = try c.decodeIfPresent([EnvVar].self, forKey: .env)
        resources = try c.decodeIfPresent(JSONValue.self, forKey: .resources)
        readinessProbe = try c.decodeIfPresent(JSONValue.self, forKey: .readinessProbe)
        livenessProbe = try c.decodeIfPresent(JSONValue.self, forKey: .livenessProbe)
        startupProbe = try c.decodeIfPresent(JSONValue.self, forKey: .startupProbe)
        unknownFields = try UnknownFields(from: decoder, known: Self.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encodeIfPresent(imagePullPolicy, forKey: .imagePullPolicy)
        try c.encodeIfPresent(command, forKey: .command)
        try c.encodeIfPresent(args, forKey: .args)
        try c.encodeIfPresent(ports, forKey: .ports)
        try c.encodeIfPresent(env, forKey: .env)
        try c.encodeIfPresent(resources, forKey: .resources)
        try c.encodeIfPresent(readinessProbe, forKey: .readinessProbe)
        try c.encodeIfPresent(livenessProbe, forKey: .livenessProbe)
        try c.encodeIfPresent(startupProbe, forKey: .startupProbe)
        try unknownFields.encode(to: encoder, known: Self.known)
    }
}

public struct ContainerPort: Codable, Sendable, Equatable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?

    public init(name: String? = nil, containerPort: Int, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

public struct EnvVar: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?
    /// A reference to a secret, config map or field; kept untyped.
    public var valueFrom: JSONValue?

    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// The spec of a pod. Keeps what it does not model (`volumes`, `affinity`, `tolerations` ...).
public struct PodSpec: Codable, Sendable, Equatable {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var serviceAccountName: String?
    public var nodeName: String?
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int?
    public var unknownFields: UnknownFields

    public init(containers: [Container], initContainers: [Container]? = nil, serviceAccountName: String? = nil, nodeName: String? = nil,
                restartPolicy: String? = nil, terminationGracePeriodSeconds: Int? = nil, unknownFields: UnknownFields = UnknownFields()) {
        self.containers = containers
        self.initContainers = initContainers
        self.serviceAccountName = serviceAccountName
        self.nodeName = nodeName
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.unknownFields = unknownFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case containers, initContainers, serviceAccountName, nodeName, restartPolicy, terminationGracePeriodSeconds
    }

    private static let known = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        containers = try c.decodeIfPresent([Container].self, forKey: .containers) ?? []
        initContainers = try c.decodeIfPresent([Container].self, forKey: .initContainers)
        serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        nodeName = try c.decodeIfPresent(String.self, forKey: .nodeName)
        restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        terminationGracePeriodSeconds = try c.decodeIfPresent(Int.self, forKey: .terminationGracePeriodSeconds)
        unknownFields = try UnknownFields(from: decoder, known: Self.known)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(containers, forKey: .containers)
        try c.encodeIfPresent(initContainers, forKey: .initContainers)
        try c.encodeIfPresent(serviceAccountName, forKey: .serviceAccountName)
        try c.encodeIfPresent(nodeName, forKey: .nodeName)
        try c.encodeIfPresent(restartPolicy, forKey: .restartPolicy)
        try c.encodeIfPresent(terminationGracePeriodSeconds, forKey: .terminationGracePeriodSeconds)
        try unknownFields.encode(to: encoder, known: Self.known)
    }
}

public struct PodTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
