import Kube

/// Ready-made mappings from a secondary object to the primary keys it should wake.
public enum ObjectMapping {
    /// The owners of `kind` (and `apiVersion`, when given) named in the object's
    /// `ownerReferences`, in the object's namespace (owners are always in the same namespace
    /// or cluster-scoped). See https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/
    public static func owners<Secondary: KubernetesObject>(ofKind kind: String, apiVersion: String? = nil)
        -> @Sendable (Secondary) -> [ObjectKey] {
        { object in
            let metadata = object.metadata
            return (metadata.ownerReferences ?? []).compactMap { reference in
                guard reference.kind == kind, apiVersion == nil || reference.apiVersion == apiVersion,
                      !reference.name.isEmpty else { return nil }
                return ObjectKey(namespace: metadata.namespace, name: reference.name)
            }
        }
    }

    /// The primary named by a label or annotation of the object: its value is `name` (same
    /// namespace) or `namespace/name`.
    public static func named<Secondary: KubernetesObject>(byLabelOrAnnotation key: String) -> @Sendable (Secondary) -> [ObjectKey] {
        { object in
            let metadata = object.metadata
            guard let value = metadata.annotations?[key] ?? metadata.labels?[key], !value.isEmpty else { return [] }
            let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                guard !parts[0].isEmpty, !parts[1].isEmpty else { return [] }
                return [ObjectKey(namespace: String(parts[0]), name: String(parts[1]))]
            }
            return [ObjectKey(namespace: metadata.namespace, name: value)]
        }
    }
}
