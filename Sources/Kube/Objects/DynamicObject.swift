import JSON

/// Any object as a JSON value: custom resources, VirtualServices, HTTPRoutes, and kinds that
/// have no Swift type. Nothing is dropped on a round trip, so `update` with it is always safe.
public struct DynamicObject: KubernetesObject, Equatable {
    public var value: JSONValue

    public init(_ value: JSONValue) {
        self.value = value
    }

    /// A new object of `resource`'s kind with `apiVersion`, `kind` and `metadata` filled in.
    public init(resource: ResourceDescriptor, name: String, namespace: String? = nil) {
        var metadata: JSONValue = ["name": .string(name)]
        if resource.namespaced, let namespace { metadata["namespace"] = .string(namespace) }
        value = ["apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind), "metadata": metadata]
    }

    public init(from decoder: any Decoder) throws {
        value = try JSONValue(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    public var apiVersion: String? { value["apiVersion"]?.stringValue }
    public var kind: String? { value["kind"]?.stringValue }

    /// The typed view of `metadata`. Reading decodes it; setting replaces the modelled members
    /// and keeps any others.
    public var metadata: ObjectMeta {
        get { (try? (value["metadata"] ?? .emptyObject).decode(as: ObjectMeta.self)) ?? ObjectMeta() }
        set {
            guard case .object(let encoded)? = try? JSONValue(encoding: newValue) else { return }
            var merged = value["metadata"]?.objectValue ?? [:]
            for key in Self.metadataKeys { merged[key] = encoded[key] }
            value["metadata"] = .object(merged)
        }
    }

    private static let metadataKeys = [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
        "finalizers", "managedFields",
    ]

    // Fast accessors that do not decode all of `metadata`.
    public var name: String? { value[path: "metadata", "name"]?.stringValue }
    public var namespace: String? { value[path: "metadata", "namespace"]?.stringValue }
    public var resourceVersion: String? { value[path: "metadata", "resourceVersion"]?.stringValue }
    public var uid: String? { value[path: "metadata", "uid"]?.stringValue }

    public subscript(key: String) -> JSONValue? {
        get { value[key] }
        set { value[key] = newValue }
    }

    public subscript(path path: String...) -> JSONValue? {
        get { value[pathComponents: path] }
        set { value[pathComponents: path] = newValue }
    }

    /// Decodes the object as a typed kind.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try value.decode(as: type)
    }
}
