import JSON

/// The built-in kinds the embedded cluster serves, each with its strategy (defaults,
/// validation), short names, categories, verbs, subresources and printer columns as the
/// Kubernetes API server has them (`kubectl api-resources` and `kubectl get` show them).
/// https://kubernetes.io/docs/reference/kubernetes-api/
public enum BuiltinResources {
    public static let all: [ResourceStrategy] = [
        namespace, configMap, secret, serviceAccount, service, pod, event,
        deployment, replicaSet,
        ingress, networkPolicy,
        lease, podDisruptionBudget,
        role, clusterRole, roleBinding, clusterRoleBinding,
        customResourceDefinition,
    ].map(typeChecked)

    /// Every built-in type, in the order discovery lists them.
    public static let types: [ResourceType] = all.map(\.type)

    /// The strategy with its object first checked against the kind's published schema, so that
    /// a value of the wrong type is refused instead of defaulted over or stored.
    static func typeChecked(_ strategy: ResourceStrategy) -> ResourceStrategy {
        let schemaName = BuiltinSchemas.name(group: strategy.type.group, version: strategy.type.version, kind: strategy.type.kind)
        let validate = strategy.validate
        var checked = strategy
        checked.validate = { object, old in
            let typeErrors = BuiltinSchemas.typeCauses(of: object, schemaName: schemaName)
            return typeErrors.isEmpty ? validate(object, old) : typeErrors
        }
        return checked
    }

    /// The built-in type of group/kind, if there is one.
    public static func type(group: String, kind: String) -> ResourceType? {
        types.first { $0.group == group && $0.kind == kind }
    }

    // MARK: Columns

    static func column(_ name: String, _ jsonPath: String, type: String = "string", priority: Int = 0, format: String = "", _ description: String = "") -> PrinterColumn {
        PrinterColumn(name: name, type: type, format: format, description: description, priority: priority, jsonPath: jsonPath)
    }

    static let age = TableConverter.ageColumn
    static let createdAt = column("Created At", ".metadata.creationTimestamp", type: "string", format: "date", TableConverter.ageDescription)

    static let noDeleteCollection = ResourceType.allVerbs.filter { $0 != "deletecollection" }

    // MARK: core/v1

    public static let namespace = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
            namespaced: false, shortNames: ["ns"], verbs: noDeleteCollection, subresources: ["status", "finalize"],
            printerColumns: [column("Status", ".status.phase", "The phase of the namespace: Active or Terminating."), age]),
        prepare: { object, old in Defaults.namespace(&object, old: old) })

    public static let configMap = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
            namespaced: true, shortNames: ["cm"],
            printerColumns: [column("Data", ".data", type: "integer", "The number of keys in data and binaryData."), age]),
        validate: { object, old in Validation.configMap(object, old: old) })

    public static let secret = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true,
            printerColumns: [
                column("Type", ".type", "The type of the secret."),
                column("Data", ".data", type: "integer", "The number of keys in data."), age,
            ]),
        prepare: { object, _ in Defaults.secret(&object) },
        validate: { object, old in Validation.secret(object, old: old) })

    public static let serviceAccount = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
            namespaced: true, shortNames: ["sa"],
            printerColumns: [column("Secrets", ".secrets", type: "integer", "The number of secrets listed."), age]))

    public static let service = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true,
            shortNames: ["svc"], categories: ["all"], subresources: ["status"],
            printerColumns: [
                column("Type", ".spec.type", "The type of the service."),
                column("Cluster-IP", ".spec.clusterIP", "The IP address of the service inside the cluster."),
                column("External-IP", ".spec.externalIPs", "The addresses the service is reachable at from outside."),
                column("Port(s)", ".spec.ports", "The ports the service exposes."),
                age,
                column("Selector", ".spec.selector", priority: 1, "The labels of the pods the service routes to."),
            ]),
        prepare: { object, old in Defaults.service(&object, old: old) },
        validate: { object, old in Validation.service(object, old: old) })

    public static let pod = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true,
            shortNames: ["po"], categories: ["all"], subresources: ["status"],
            printerColumns: [
                column("Ready", ".status.containerStatuses", "The number of ready containers out of all containers."),
                column("Status", ".status.phase", "The aggregate state of the containers in this pod."),
                column("Restarts", ".status.containerStatuses", "The number of times the containers have restarted."),
                age,
                column("IP", ".status.podIP", priority: 1, "The IP address allocated to the pod."),
                column("Node", ".spec.nodeName", priority: 1, "The node the pod is scheduled on."),
            ]),
        prepare: { object, old in Defaults.pod(&object, old: old) },
        validate: { object, _ in Validation.podSpec(object["spec"], field: "spec") })

    public static let event = ResourceStrategy(
        type: ResourceType(
            group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true,
            shortNames: ["ev"],
            printerColumns: [
                column("Last Seen", ".lastTimestamp", type: "string", "When the event was last observed."),
                column("Type", ".type", "Normal or Warning."),
                column("Reason", ".reason", "Why the event was emitted, in CamelCase."),
                column("Object", ".involvedObject.name", "The object the event is about."),
                column("Subobject", ".involvedObject.fieldPath", priority: 1, "The part of the object the event is about."),
                column("Source", ".source.component", priority: 1, "The component that reported the event."),
                column("Message", ".message", "A human-readable description."),
                column("First Seen", ".firstTimestamp", type: "string", priority: 1, "When the event was first observed."),
                column("Count", ".count", type: "integer", priority: 1, "How many times the event occurred."),
                column("Name", ".metadata.name", priority: 1, "The event's name."),
            ]))

    // MARK: apps/v1

    public static let deployment = ResourceStrategy(
        type: ResourceType(
            group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
            namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"],
            printerColumns: [
                column("Ready", ".status.readyReplicas", "Number of ready replicas out of the desired replicas."),
                column("Up-to-date", ".status.updatedReplicas", type: "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                column("Available", ".status.availableReplicas", type: "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                age,
                column("Containers", ".spec.template.spec.containers[*].name", priority: 1, "Names of each container in the template."),
                column("Images", ".spec.template.spec.containers[*].image", priority: 1, "Images referenced by each container in the template."),
                column("Selector", ".spec.selector", priority: 1, "Label selector for pods."),
            ]),
        prepare: { object, old in Defaults.deployment(&object, old: old) },
        validate: { object, old in Validation.workload(object, old: old, kind: "Deployment") })

    public static let replicaSet = ResourceStrategy(
        type: ResourceType(
            group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", kind: "ReplicaSet",
            namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"],
            printerColumns: [
                column("Desired", ".spec.replicas", type: "integer", "Number of desired pods."),
                column("Current", ".status.replicas", type: "integer", "Number of actual pods."),
                column("Ready", ".status.readyReplicas", type: "integer", "Number of ready pods."),
                age,
                column("Containers", ".spec.template.spec.containers[*].name", priority: 1, "Names of each container in the template."),
                column("Images", ".spec.template.spec.containers[*].image", priority: 1, "Images referenced by each container in the template."),
                column("Selector", ".spec.selector", priority: 1, "Label selector for pods."),
            ]),
        prepare: { object, old in Defaults.replicaSet(&object, old: old) },
        validate: { object, old in Validation.workload(object, old: old, kind: "ReplicaSet") })

    // MARK: networking.k8s.io/v1

    public static let ingress = ResourceStrategy(
        type: ResourceType(
            group: "networking.k8s.io", version: "v1", plural: "ingresses", singular: "ingress", kind: "Ingress",
            namespaced: true, shortNames: ["ing"], subresources: ["status"],
            printerColumns: [
                column("Class", ".spec.ingressClassName", "The ingress class."),
                column("Hosts", ".spec.rules[*].host", "The hosts routed."),
                column("Address", ".status.loadBalancer.ingress[*].ip", "Where the ingress is reachable."),
                column("Ports", ".spec.tls", "The ports served."),
                age,
            ]),
        validate: { object, _ in Validation.ingress(object) })

    public static let networkPolicy = ResourceStrategy(
        type: ResourceType(
            group: "networking.k8s.io", version: "v1", plural: "networkpolicies", singular: "networkpolicy",
            kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"],
            printerColumns: [column("Pod-Selector", ".spec.podSelector", "The pods the policy applies to."), age]),
        prepare: { object, _ in Defaults.networkPolicy(&object) })

    // MARK: coordination.k8s.io/v1, policy/v1

    public static let lease = ResourceStrategy(
        type: ResourceType(
            group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
            namespaced: true,
            printerColumns: [column("Holder", ".spec.holderIdentity", "The current holder of the lease."), age]),
        validate: { object, _ in Validation.lease(object) })

    public static let podDisruptionBudget = ResourceStrategy(
        type: ResourceType(
            group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
            kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], subresources: ["status"],
            printerColumns: [
                column("Min Available", ".spec.minAvailable", "Pods that must stay available."),
                column("Max Unavailable", ".spec.maxUnavailable", "Pods that may be unavailable."),
                column("Allowed Disruptions", ".status.disruptionsAllowed", type: "integer", "Disruptions allowed now."),
                age,
            ]),
        validate: { object, _ in Validation.podDisruptionBudget(object) })

    // MARK: rbac.authorization.k8s.io/v1

    static let rbac = "rbac.authorization.k8s.io"

    static let bindingColumns = [
        column("Role", ".roleRef.name", "The role bound."), age,
        column("Users", ".subjects[?(@.kind==\"User\")].name", priority: 1, "Users bound."),
        column("Groups", ".subjects[?(@.kind==\"Group\")].name", priority: 1, "Groups bound."),
        column("ServiceAccounts", ".subjects[?(@.kind==\"ServiceAccount\")].name", priority: 1, "Service accounts bound."),
    ]

    public static let role = ResourceStrategy(
        type: ResourceType(group: rbac, version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true,
                           printerColumns: [createdAt]),
        validate: { object, _ in Validation.policyRules(object) })

    public static let clusterRole = ResourceStrategy(
        type: ResourceType(group: rbac, version: "v1", plural: "clusterroles", singular: "clusterrole", kind: "ClusterRole",
                           namespaced: false, printerColumns: [createdAt]),
        validate: { object, _ in Validation.policyRules(object) })

    public static let roleBinding = ResourceStrategy(
        type: ResourceType(group: rbac, version: "v1", plural: "rolebindings", singular: "rolebinding", kind: "RoleBinding",
                           namespaced: true, printerColumns: bindingColumns),
        validate: { object, old in Validation.roleBinding(object, old: old, clusterScoped: false) })

    public static let clusterRoleBinding = ResourceStrategy(
        type: ResourceType(group: rbac, version: "v1", plural: "clusterrolebindings", singular: "clusterrolebinding",
                           kind: "ClusterRoleBinding", namespaced: false, printerColumns: bindingColumns),
        validate: { object, old in Validation.roleBinding(object, old: old, clusterScoped: true) })

    // MARK: apiextensions.k8s.io/v1

    public static let customResourceDefinition = ResourceStrategy(
        type: ResourceType(
            group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
            singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
            shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"],
            printerColumns: [createdAt]),
        prepare: { object, _ in CustomResourceDefinitions.applyDefaults(&object) },
        validate: { object, old in CustomResourceDefinitions.validate(object, old: old) })
}
