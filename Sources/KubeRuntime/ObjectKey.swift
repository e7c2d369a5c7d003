import Kube

/// Names one object: its namespace (nil for cluster-scoped kinds) and name. The key of the
/// store and of the work queue.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String? = nil, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `object`, or nil when it has no name (the API never sends such objects).
    public init?(_ object: some KubernetesObject) {
        let metadata = object.metadata
        guard let name = metadata.name, !name.isEmpty else { return nil }
        self.init(namespace: metadata.namespace, name: name)
    }

    /// `namespace/name`, or `name` for cluster-scoped objects, as kubectl and client-go print keys.
    public var description: String {
        guard let namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}
