/// The fields a `fieldSelector` may name, per kind, as kube-apiserver registers them (its
/// field label conversion functions): `metadata.name` and `metadata.namespace` for every
/// kind, and a few more for the kinds that add their own. Any other field is refused with
/// 400 "field label not supported", so a selector that works here works against a real
/// cluster too.
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/#supported-fields
enum FieldLabels {
    static let common: Set<String> = ["metadata.name", "metadata.namespace"]

    /// Kind-specific fields, keyed by "group/Kind" ("" for the core group).
    static let byKind: [String: Set<String>] = [
        "/Pod": ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                 "status.phase", "status.podIP", "status.nominatedNodeName"],
        "/Event": ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                   "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                   "reason", "reportingComponent", "source", "type"],
        "/Namespace": ["status.phase"],
        "/Node": ["spec.unschedulable"],
        "/Secret": ["type"],
        "/ReplicationController": ["status.replicas"],
        "apps/ReplicaSet": ["status.replicas"],
        "batch/Job": ["status.successful"],
        "certificates.k8s.io/CertificateSigningRequest": ["spec.signerName"],
    ]

    /// Where a field label is in the object when that is not its own dotted path: an Event's
    /// `source` is its reporting component.
    static let paths: [String: [String]] = ["source": ["source", "component"]]

    static func supported(by type: ResourceType) -> Set<String> {
        common.union(byKind["\(type.group)/\(type.kind)"] ?? [])
    }
}
