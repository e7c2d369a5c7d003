import JSON

/// How strategic merge patch and server-side apply treat one field of a built-in kind: the
/// `patchStrategy` and `patchMergeKey` struct tags of the Kubernetes API types (published in
/// OpenAPI as `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`), and the same for
/// the fields below it. For a list, `fields` describes the fields of its elements.
/// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
public struct PatchMetadata: Sendable {
    /// `merge`, `merge,retainKeys`, `retainKeys` or `replace`; `nil` for the default (maps
    /// merge, lists are replaced whole).
    public var patchStrategy: String?
    /// The member that identifies an element of a merged list of objects (`name`, `containerPort`).
    public var patchMergeKey: String?
    public var fields: [String: PatchMetadata]

    public init(patchStrategy: String? = nil, patchMergeKey: String? = nil, fields: [String: PatchMetadata] = [:]) {
        self.patchStrategy = patchStrategy
        self.patchMergeKey = patchMergeKey
        self.fields = fields
    }

    /// The metadata of a field; fields without any are plain (maps merge, lists are replaced).
    public func field(_ name: String) -> PatchMetadata { fields[name] ?? PatchMetadata() }

    var strategies: [Substring] { (patchStrategy ?? "").split(separator: ",") }
    /// A list merged element by element (by `patchMergeKey`, or as a set for scalars).
    public var mergesList: Bool { strategies.contains("merge") }
    /// A map replaced whole rather than merged.
    public var replacesMap: Bool { strategies.contains("replace") }

    /// A list of objects merged by `key`.
    static func list(by key: String, strategy: String = "merge", _ fields: [String: PatchMetadata] = [:]) -> PatchMetadata {
        PatchMetadata(patchStrategy: strategy, patchMergeKey: key, fields: fields)
    }

    /// A list of scalars merged as a set (`finalizers`).
    static let scalarSet = PatchMetadata(patchStrategy: "merge")

    static func object(_ fields: [String: PatchMetadata]) -> PatchMetadata { PatchMetadata(fields: fields) }
}

extension PatchMetadata {
    /// The patch metadata of a built-in kind, or `nil` for kinds the API server does not accept
    /// strategic merge patches for (custom resources).
    public static func forKind(group: String, kind: String) -> PatchMetadata? {
        guard builtInKinds[group]?.contains(kind) == true else { return nil }
        return specialKinds["\(group)/\(kind)"] ?? plainObject
    }

    /// Built-in kinds by API group; all accept strategic merge patches.
    static let builtInKinds: [String: Set<String>] = [
        "": ["Pod", "PodTemplate", "ReplicationController", "Service", "Endpoints", "ConfigMap", "Secret",
             "Namespace", "ServiceAccount", "Event", "Node", "PersistentVolume", "PersistentVolumeClaim",
             "LimitRange", "ResourceQuota"],
        "apps": ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"],
        "batch": ["Job", "CronJob"],
        "autoscaling": ["HorizontalPodAutoscaler"],
        "networking.k8s.io": ["Ingress", "IngressClass", "NetworkPolicy"],
        "policy": ["PodDisruptionBudget"],
        "rbac.authorization.k8s.io": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
        "coordination.k8s.io": ["Lease"],
        "events.k8s.io": ["Event"],
        "discovery.k8s.io": ["EndpointSlice"],
        "storage.k8s.io": ["StorageClass"],
        "scheduling.k8s.io": ["PriorityClass"],
        "apiextensions.k8s.io": ["CustomResourceDefinition"],
        "apiregistration.k8s.io": ["APIService"],
        "admissionregistration.k8s.io": ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
    ]

    // MARK: Shared parts (k8s.io/api core/v1, apps/v1, batch/v1 struct tags)

    /// ObjectMeta: finalizers merge as a set, ownerReferences by uid.
    static let objectMeta = object([
        "finalizers": scalarSet,
        "ownerReferences": list(by: "uid"),
    ])

    static let plainObject = object(["metadata": objectMeta])

    static let container = object([
        "ports": list(by: "containerPort"),
        "env": list(by: "name"),
        "volumeMounts": list(by: "mountPath"),
        "volumeDevices": list(by: "devicePath"),
    ])

    static let podSpec = object([
        "volumes": list(by: "name", strategy: "merge,retainKeys"),
        "initContainers": list(by: "name", container.fields),
        "containers": list(by: "name", container.fields),
        "ephemeralContainers": list(by: "name", container.fields),
        "imagePullSecrets": list(by: "name"),
        "hostAliases": list(by: "ip"),
        "topologySpreadConstraints": list(by: "topologyKey"),
        "schedulingGates": list(by: "name"),
        "resourceClaims": list(by: "name", strategy: "merge,retainKeys"),
    ])

    static let podTemplateSpec = object(["metadata": objectMeta, "spec": podSpec])

    /// A status whose `conditions` merge by `type`.
    static let conditionsStatus = object(["conditions": list(by: "type")])

    static func kind(spec: PatchMetadata = PatchMetadata(), status: PatchMetadata = PatchMetadata(), extra: [String: PatchMetadata] = [:]) -> PatchMetadata {
        var fields: [String: PatchMetadata] = ["metadata": objectMeta, "spec": spec, "status": status]
        fields.merge(extra) { _, new in new }
        return object(fields)
    }

    /// Kinds with lists that merge; the other built-in kinds only carry ObjectMeta's.
    static let specialKinds: [String: PatchMetadata] = [
        "/Pod": kind(spec: podSpec, status: object([
            "conditions": list(by: "type"), "podIPs": list(by: "ip"), "hostIPs": list(by: "ip"),
        ])),
        "/PodTemplate": kind(extra: ["template": podTemplateSpec]),
        "/ReplicationController": kind(spec: object(["template": podTemplateSpec]), status: conditionsStatus),
        "/Service": kind(spec: object(["ports": list(by: "port")]), status: conditionsStatus),
        "/ServiceAccount": kind(extra: ["secrets": list(by: "name")]),
        "/Namespace": kind(status: conditionsStatus),
        "/Node": kind(spec: object(["podCIDRs": scalarSet]), status: object([
            "conditions": list(by: "type"), "addresses": list(by: "type"),
        ])),
        "/PersistentVolumeClaim": kind(status: conditionsStatus),
        "apps/Deployment": kind(
            spec: object(["template": podTemplateSpec, "strategy": PatchMetadata(patchStrategy: "retainKeys")]),
            status: conditionsStatus),
        "apps/ReplicaSet": kind(spec: object(["template": podTemplateSpec]), status: conditionsStatus),
        "apps/StatefulSet": kind(spec: object(["template": podTemplateSpec]), status: conditionsStatus),
        "apps/DaemonSet": kind(spec: object(["template": podTemplateSpec]), status: conditionsStatus),
        "batch/Job": kind(spec: object(["template": podTemplateSpec]), status: conditionsStatus),
        "batch/CronJob": kind(spec: object([
            "jobTemplate": object(["metadata": objectMeta, "spec": object(["template": podTemplateSpec])]),
        ])),
        "policy/PodDisruptionBudget": kind(status: conditionsStatus),
        "autoscaling/HorizontalPodAutoscaler": kind(status: conditionsStatus),
        "admissionregistration.k8s.io/ValidatingWebhookConfiguration": kind(extra: ["webhooks": list(by: "name")]),
        "admissionregistration.k8s.io/MutatingWebhookConfiguration": kind(extra: ["webhooks": list(by: "name")]),
    ]
}
