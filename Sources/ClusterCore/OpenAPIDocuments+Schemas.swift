import JSON

/// The schemas of the built-in kinds, named as the API server names them
/// (`io.k8s.api.apps.v1.Deployment`). They describe every field users commonly write, so that
/// `kubectl explain` reads them and `kubectl apply` computes strategic merge patches from their
/// `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy` (kubectl's
/// `PatchMetaFromOpenAPIV3` refuses a map-valued field its schema does not declare).
/// Objects described only in part carry `x-kubernetes-preserve-unknown-fields`.
/// https://github.com/kubernetes/kubernetes/tree/master/api/openapi-spec/v3
enum BuiltinSchemas {
    static let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    static let core = "io.k8s.api.core.v1."

    // MARK: Building blocks

    static let string: JSONValue = ["type": "string"]
    static let int32: JSONValue = ["type": "integer", "format": "int32"]
    static let int64: JSONValue = ["type": "integer", "format": "int64"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let time: JSONValue = ["type": "string", "format": "date-time"]
    static let intOrString: JSONValue = ["type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": true]
    static let quantity: JSONValue = ["type": "string", "format": "quantity", "x-kubernetes-int-or-string": true]
    static let stringList: JSONValue = list(string)
    static let stringMap: JSONValue = map(string)
    static let quantityMap: JSONValue = map(quantity)

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func map(_ values: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": values] }

    /// A list; with `mergeKey` it merges element by element on strategic merge patch.
    static func list(_ items: JSONValue, mergeKey: String? = nil, strategy: String? = nil, mapKeys: [String] = []) -> JSONValue {
        var schema: JSONValue = ["type": "array", "items": items]
        if let mergeKey {
            schema["x-kubernetes-patch-merge-key"] = .string(mergeKey)
            schema["x-kubernetes-patch-strategy"] = .string(strategy ?? "merge")
            schema["x-kubernetes-list-type"] = "map"
            schema["x-kubernetes-list-map-keys"] = .array((mapKeys.isEmpty ? [mergeKey] : mapKeys).map { .string($0) })
        } else if let strategy {
            schema["x-kubernetes-patch-strategy"] = .string(strategy)
            schema["x-kubernetes-list-type"] = "set"
        } else {
            schema["x-kubernetes-list-type"] = "atomic"
        }
        return schema
    }

    static func object(_ properties: KeyValuePairs<String, JSONValue>, required: [String] = [], description: String = "", open: Bool = false) -> JSONValue {
        var schema: JSONValue = .emptyObject
        if !description.isEmpty { schema["description"] = .string(description) }
        schema["type"] = "object"
        var props = OrderedDictionary<String, JSONValue>()
        for (key, value) in properties { props[key] = value }
        schema["properties"] = .object(props)
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if open { schema["x-kubernetes-preserve-unknown-fields"] = true }
        return schema
    }

    /// A kind's schema: apiVersion, kind and metadata, then its own fields, tagged with its
    /// group/version/kind as kubectl looks it up.
    static func kind(_ group: String, _ version: String, _ kind: String, description: String,
                     _ properties: KeyValuePairs<String, JSONValue>, required: [String] = [], list: Bool = false) -> JSONValue {
        var props: OrderedDictionary<String, JSONValue> = [
            "apiVersion": ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."],
            "kind": ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."],
            "metadata": ref(meta + (list ? "ListMeta" : "ObjectMeta")),
        ]
        for (key, value) in properties { props[key] = value }
        var schema: JSONValue = ["description": .string(description), "type": "object", "properties": .object(props)]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        schema["x-kubernetes-group-version-kind"] = [["group": .string(group), "kind": .string(kind), "version": .string(version)]]
        return schema
    }

    // MARK: Catalog

    /// Every built-in schema by name.
    static let all: [String: JSONValue] = {
        var schemas: [String: JSONValue] = [:]
        for (name, schema) in metaSchemas + coreSchemas + podSchemas + workloadSchemas + otherSchemas {
            schemas[name] = schema
        }
        return describing(schemas)
    }()

    /// The schema name of a built-in kind (`io.k8s.api.apps.v1.Deployment`).
    static func name(group: String, version: String, kind: String) -> String {
        switch group {
        case "apiextensions.k8s.io": return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(version).\(kind)"
        case "": return "io.k8s.api.core.\(version).\(kind)"
        default:
            let package = group.hasSuffix(".k8s.io") ? String(group.split(separator: ".")[0]) : group
            return "io.k8s.api.\(package).\(version).\(kind)"
        }
    }

    static let metaSchemas: [(String, JSONValue)] = [
        (meta + "ObjectMeta", object([
            "annotations": stringMap, "creationTimestamp": time, "deletionGracePeriodSeconds": int64, "deletionTimestamp": time,
            "finalizers": list(string, strategy: "merge"), "generateName": string, "generation": int64, "labels": stringMap,
            "managedFields": list(ref(meta + "ManagedFieldsEntry")), "name": string, "namespace": string,
            "ownerReferences": list(ref(meta + "OwnerReference"), mergeKey: "uid"),
            "resourceVersion": string, "selfLink": string, "uid": string,
        ], description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.")),
        (meta + "ListMeta", object(["continue": string, "remainingItemCount": int64, "resourceVersion": string, "selfLink": string],
                                   description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.")),
        (meta + "OwnerReference", object([
            "apiVersion": string, "blockOwnerDeletion": boolean, "controller": boolean, "kind": string, "name": string, "uid": string,
        ], required: ["apiVersion", "kind", "name", "uid"])),
        (meta + "ManagedFieldsEntry", object([
            "apiVersion": string, "fieldsType": string, "fieldsV1": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            "manager": string, "operation": string, "subresource": string, "time": time,
        ])),
        (meta + "LabelSelector", object([
            "matchExpressions": list(ref(meta + "LabelSelectorRequirement")), "matchLabels": stringMap,
        ], description: "A label selector is a label query over a set of resources.")),
        (meta + "LabelSelectorRequirement", object(["key": string, "operator": string, "values": stringList], required: ["key", "operator"])),
        (meta + "Condition", object([
            "lastTransitionTime": time, "message": string, "observedGeneration": int64, "reason": string, "status": string, "type": string,
        ], required: ["type", "status", "lastTransitionTime", "reason", "message"])),
        (meta + "Patch", ["type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."]),
        (meta + "Status", object([
            "apiVersion": string, "code": int32, "details": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            "kind": string, "message": string, "metadata": ref(meta + "ListMeta"), "reason": string, "status": string,
        ], description: "Status is a return value for calls that don't return other objects.")),
        (meta + "DeleteOptions", object([
            "apiVersion": string, "dryRun": stringList, "gracePeriodSeconds": int64, "kind": string, "orphanDependents": boolean,
            "preconditions": object(["resourceVersion": string, "uid": string]), "propagationPolicy": string,
        ], description: "DeleteOptions may be provided when deleting an API object.")),
        ("io.k8s.api.autoscaling.v1.Scale", kind("autoscaling", "v1", "Scale", description: "Scale represents a scaling request for a resource.", [
            "spec": object(["replicas": int32]),
            "status": object(["replicas": int32, "selector": string], required: ["replicas"]),
        ])),
    ]

    static let objectReference = object([
        "apiVersion": string, "fieldPath": string, "kind": string, "name": string, "namespace": string, "resourceVersion": string, "uid": string,
    ])
    static let localObjectReference = object(["name": string])
    static let typedLocalObjectReference = object(["apiGroup": string, "kind": string, "name": string])

    static let coreSchemas: [(String, JSONValue)] = [
        (core + "Namespace", kind("", "v1", "Namespace", description: "Namespace provides a scope for Names.", [
            "spec": object(["finalizers": stringList]),
            "status": object(["conditions": list(object(["lastTransitionTime": time, "message": string, "reason": string, "status": string, "type": string]), mergeKey: "type"), "phase": string]),
        ])),
        (core + "ConfigMap", kind("", "v1", "ConfigMap", description: "ConfigMap holds configuration data for pods to consume.", [
            "binaryData": map(["type": "string", "format": "byte"]), "data": stringMap, "immutable": boolean,
        ])),
        (core + "Secret", kind("", "v1", "Secret", description: "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.", [
            "data": map(["type": "string", "format": "byte"]), "immutable": boolean, "stringData": stringMap, "type": string,
        ])),
        (core + "ServiceAccount", kind("", "v1", "ServiceAccount", description: "ServiceAccount binds together a name, a principal that can be authenticated, and a set of secrets.", [
            "automountServiceAccountToken": boolean, "imagePullSecrets": list(localObjectReference),
            "secrets": list(objectReference, mergeKey: "name"),
        ])),
        (core + "Service", kind("", "v1", "Service", description: "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", [
            "spec": ref(core + "ServiceSpec"), "status": ref(core + "ServiceStatus"),
        ])),
        (core + "ServiceSpec", object([
            "allocateLoadBalancerNodePorts": boolean, "clusterIP": string, "clusterIPs": stringList, "externalIPs": stringList,
            "externalName": string, "externalTrafficPolicy": string, "healthCheckNodePort": int32, "internalTrafficPolicy": string,
            "ipFamilies": stringList, "ipFamilyPolicy": string, "loadBalancerClass": string, "loadBalancerIP": string,
            "loadBalancerSourceRanges": stringList,
            "ports": list(ref(core + "ServicePort"), mergeKey: "port", mapKeys: ["port", "protocol"]),
            "publishNotReadyAddresses": boolean, "selector": stringMap, "sessionAffinity": string,
            "sessionAffinityConfig": object(["clientIP": object(["timeoutSeconds": int32])]),
            "trafficDistribution": string, "type": string,
        ], description: "ServiceSpec describes the attributes that a user creates on a service.")),
        (core + "ServicePort", object([
            "appProtocol": string, "name": string, "nodePort": int32, "port": int32, "protocol": string, "targetPort": intOrString,
        ], required: ["port"])),
        (core + "ServiceStatus", object([
            "conditions": list(ref(meta + "Condition"), mergeKey: "type"),
            "loadBalancer": object(["ingress": list(object(["hostname": string, "ip": string, "ipMode": string, "ports": list(object(["error": string, "port": int32, "protocol": string]))]))]),
        ])),
        (core + "Event", kind("", "v1", "Event", description: "Event is a report of an event somewhere in the cluster.", [
            "action": string, "count": int32, "eventTime": ["type": "string", "format": "date-time"], "firstTimestamp": time,
            "involvedObject": objectReference, "lastTimestamp": time, "message": string, "reason": string, "related": objectReference,
            "reportingComponent": string, "reportingInstance": string,
            "series": object(["count": int32, "lastObservedTime": time]), "source": object(["component": string, "host": string]), "type": string,
        ], required: ["metadata", "involvedObject"])),
    ]

    // MARK: Pods

    static let envVarSource = object([
        "configMapKeyRef": object(["key": string, "name": string, "optional": boolean], required: ["key"]),
        "fieldRef": object(["apiVersion": string, "fieldPath": string], required: ["fieldPath"]),
        "resourceFieldRef": object(["containerName": string, "divisor": quantity, "resource": string], required: ["resource"]),
        "secretKeyRef": object(["key": string, "name": string, "optional": boolean], required: ["key"]),
    ])

    static let httpGet = object([
        "host": string, "httpHeaders": list(object(["name": string, "value": string])), "path": string, "port": intOrString, "scheme": string,
    ], required: ["port"])
    static let tcpSocket = object(["host": string, "port": intOrString], required: ["port"])
    static let exec = object(["command": stringList])

    static let probe = object([
        "exec": exec, "failureThreshold": int32, "grpc": object(["port": int32, "service": string]), "httpGet": httpGet,
        "initialDelaySeconds": int32, "periodSeconds": int32, "successThreshold": int32, "tcpSocket": tcpSocket,
        "terminationGracePeriodSeconds": int64, "timeoutSeconds": int32,
    ])
    static let lifecycleHandler = object(["exec": exec, "httpGet": httpGet, "sleep": object(["seconds": int64]), "tcpSocket": tcpSocket])

    static let seLinuxOptions = object(["level": string, "role": string, "type": string, "user": string])
    static let windowsOptions = object(["gmsaCredentialSpec": string, "gmsaCredentialSpecName": string, "hostProcess": boolean, "runAsUserName": string])
    static let profile = object(["localhostProfile": string, "type": string])

    static let securityContext = object([
        "allowPrivilegeEscalation": boolean, "appArmorProfile": profile, "capabilities": object(["add": stringList, "drop": stringList]),
        "privileged": boolean, "procMount": string, "readOnlyRootFilesystem": boolean, "runAsGroup": int64, "runAsNonRoot": boolean,
        "runAsUser": int64, "seLinuxOptions": seLinuxOptions, "seccompProfile": profile, "windowsOptions": windowsOptions,
    ])

    static let resourceRequirements = object([
        "claims": list(object(["name": string, "request": string])), "limits": quantityMap, "requests": quantityMap,
    ])

    static let keyToPaths = list(object(["key": string, "mode": int32, "path": string]))

    static let podAffinityTerm = object([
        "labelSelector": ref(meta + "LabelSelector"), "matchLabelKeys": stringList, "mismatchLabelKeys": stringList,
        "namespaceSelector": ref(meta + "LabelSelector"), "namespaces": stringList, "topologyKey": string,
    ])
    static let podAffinity = object([
        "preferredDuringSchedulingIgnoredDuringExecution": list(object(["podAffinityTerm": podAffinityTerm, "weight": int32])),
        "requiredDuringSchedulingIgnoredDuringExecution": list(podAffinityTerm),
    ])
    static let nodeSelectorTerm = object([
        "matchExpressions": list(object(["key": string, "operator": string, "values": stringList])),
        "matchFields": list(object(["key": string, "operator": string, "values": stringList])),
    ])

    static let podSchemas: [(String, JSONValue)] = [
        (core + "Pod", kind("", "v1", "Pod", description: "Pod is a collection of containers that can run on a host.", [
            "spec": ref(core + "PodSpec"), "status": ref(core + "PodStatus"),
        ])),
        (core + "PodTemplateSpec", object(["metadata": ref(meta + "ObjectMeta"), "spec": ref(core + "PodSpec")],
                                          description: "PodTemplateSpec describes the data a pod should have when created from a template")),
        (core + "PodSpec", object([
            "activeDeadlineSeconds": int64,
            "affinity": object([
                "nodeAffinity": object([
                    "preferredDuringSchedulingIgnoredDuringExecution": list(object(["preference": nodeSelectorTerm, "weight": int32])),
                    "requiredDuringSchedulingIgnoredDuringExecution": object(["nodeSelectorTerms": list(nodeSelectorTerm)]),
                ]),
                "podAffinity": podAffinity, "podAntiAffinity": podAffinity,
            ]),
            "automountServiceAccountToken": boolean,
            "containers": list(ref(core + "Container"), mergeKey: "name"),
            "dnsConfig": object(["nameservers": stringList, "options": list(object(["name": string, "value": string])), "searches": stringList]),
            "dnsPolicy": string, "enableServiceLinks": boolean,
            "ephemeralContainers": list(ref(core + "Container"), mergeKey: "name"),
            "hostAliases": list(object(["hostnames": stringList, "ip": string]), mergeKey: "ip"),
            "hostIPC": boolean, "hostNetwork": boolean, "hostPID": boolean, "hostUsers": boolean, "hostname": string,
            "imagePullSecrets": list(localObjectReference, mergeKey: "name"),
            "initContainers": list(ref(core + "Container"), mergeKey: "name"),
            "nodeName": string, "nodeSelector": stringMap, "os": object(["name": string]), "overhead": quantityMap,
            "preemptionPolicy": string, "priority": int32, "priorityClassName": string,
            "readinessGates": list(object(["conditionType": string])),
            "resourceClaims": list(object(["name": string, "resourceClaimName": string, "resourceClaimTemplateName": string]), mergeKey: "name", strategy: "merge,retainKeys"),
            "resources": resourceRequirements, "restartPolicy": string, "runtimeClassName": string, "schedulerName": string,
            "schedulingGates": list(object(["name": string]), mergeKey: "name"),
            "securityContext": object([
                "appArmorProfile": profile, "fsGroup": int64, "fsGroupChangePolicy": string, "runAsGroup": int64, "runAsNonRoot": boolean,
                "runAsUser": int64, "seLinuxChangePolicy": string, "seLinuxOptions": seLinuxOptions, "seccompProfile": profile,
                "supplementalGroups": list(int64), "supplementalGroupsPolicy": string,
                "sysctls": list(object(["name": string, "value": string])), "windowsOptions": windowsOptions,
            ]),
            "serviceAccount": string, "serviceAccountName": string, "setHostnameAsFQDN": boolean, "shareProcessNamespace": boolean,
            "subdomain": string, "terminationGracePeriodSeconds": int64,
            "tolerations": list(object(["effect": string, "key": string, "operator": string, "tolerationSeconds": int64, "value": string])),
            "topologySpreadConstraints": list(object([
                "labelSelector": ref(meta + "LabelSelector"), "matchLabelKeys": stringList, "maxSkew": int32, "minDomains": int32,
                "nodeAffinityPolicy": string, "nodeTaintsPolicy": string, "topologyKey": string, "whenUnsatisfiable": string,
            ]), mergeKey: "topologyKey", mapKeys: ["topologyKey", "whenUnsatisfiable"]),
            "volumes": list(ref(core + "Volume"), mergeKey: "name", strategy: "merge,retainKeys"),
        ], required: ["containers"], description: "PodSpec is a description of a pod.")),
        (core + "Container", object([
            "args": stringList, "command": stringList,
            "env": list(object(["name": string, "value": string, "valueFrom": envVarSource], required: ["name"]), mergeKey: "name"),
            "envFrom": list(object([
                "configMapRef": object(["name": string, "optional": boolean]), "prefix": string,
                "secretRef": object(["name": string, "optional": boolean]),
            ])),
            "image": string, "imagePullPolicy": string,
            "lifecycle": object(["postStart": lifecycleHandler, "preStop": lifecycleHandler, "stopSignal": string]),
            "livenessProbe": probe, "name": string,
            "ports": list(object([
                "containerPort": int32, "hostIP": string, "hostPort": int32, "name": string, "protocol": string,
            ], required: ["containerPort"]), mergeKey: "containerPort", mapKeys: ["containerPort", "protocol"]),
            "readinessProbe": probe,
            "resizePolicy": list(object(["resourceName": string, "restartPolicy": string])),
            "resources": resourceRequirements, "restartPolicy": string, "securityContext": securityContext, "startupProbe": probe,
            "stdin": boolean, "stdinOnce": boolean, "targetContainerName": string,
            "terminationMessagePath": string, "terminationMessagePolicy": string, "tty": boolean,
            "volumeDevices": list(object(["devicePath": string, "name": string]), mergeKey: "devicePath"),
            "volumeMounts": list(object([
                "mountPath": string, "mountPropagation": string, "name": string, "readOnly": boolean,
                "recursiveReadOnly": string, "subPath": string, "subPathExpr": string,
            ], required: ["name", "mountPath"]), mergeKey: "mountPath"),
            "workingDir": string,
        ], required: ["name"], description: "A single application container that you want to run within a pod.")),
        (core + "Volume", object([
            "awsElasticBlockStore": object(["fsType": string, "partition": int32, "readOnly": boolean, "volumeID": string]),
            "configMap": object(["defaultMode": int32, "items": keyToPaths, "name": string, "optional": boolean]),
            "csi": object(["driver": string, "fsType": string, "nodePublishSecretRef": localObjectReference, "readOnly": boolean, "volumeAttributes": stringMap]),
            "downwardAPI": object(["defaultMode": int32, "items": list(object([
                "fieldRef": object(["apiVersion": string, "fieldPath": string]), "mode": int32, "path": string,
                "resourceFieldRef": object(["containerName": string, "divisor": quantity, "resource": string]),
            ]))]),
            "emptyDir": object(["medium": string, "sizeLimit": quantity]),
            "ephemeral": object(["volumeClaimTemplate": object([
                "metadata": ref(meta + "ObjectMeta"),
                "spec": object([
                    "accessModes": stringList, "dataSource": typedLocalObjectReference,
                    "resources": object(["limits": quantityMap, "requests": quantityMap]),
                    "selector": ref(meta + "LabelSelector"), "storageClassName": string, "volumeMode": string, "volumeName": string,
                ], open: true),
            ])]),
            "hostPath": object(["path": string, "type": string]),
            "image": object(["pullPolicy": string, "reference": string]),
            "name": string,
            "nfs": object(["path": string, "readOnly": boolean, "server": string]),
            "persistentVolumeClaim": object(["claimName": string, "readOnly": boolean]),
            "projected": object(["defaultMode": int32, "sources": list(["type": "object", "x-kubernetes-preserve-unknown-fields": true])]),
            "secret": object(["defaultMode": int32, "items": keyToPaths, "optional": boolean, "secretName": string]),
        ], required: ["name"], description: "Volume represents a named volume in a pod that may be accessed by any container in the pod.", open: true)),
        (core + "PodStatus", object([
            "conditions": list(object(["lastProbeTime": time, "lastTransitionTime": time, "message": string, "reason": string, "status": string, "type": string]), mergeKey: "type"),
            "containerStatuses": list(["type": "object", "x-kubernetes-preserve-unknown-fields": true]),
            "hostIP": string, "initContainerStatuses": list(["type": "object", "x-kubernetes-preserve-unknown-fields": true]),
            "message": string, "phase": string, "podIP": string,
            "podIPs": list(object(["ip": string]), mergeKey: "ip"), "qosClass": string, "reason": string, "startTime": time,
        ], open: true)),
    ]

    // MARK: apps/v1

    static func workloadStatus(_ extra: KeyValuePairs<String, JSONValue> = [:]) -> JSONValue {
        var status = object([
            "availableReplicas": int32, "collisionCount": int32,
            "conditions": list(object(["lastTransitionTime": time, "lastUpdateTime": time, "message": string, "reason": string, "status": string, "type": string]), mergeKey: "type"),
            "fullyLabeledReplicas": int32, "observedGeneration": int64, "readyReplicas": int32, "replicas": int32,
            "terminatingReplicas": int32, "unavailableReplicas": int32, "updatedReplicas": int32,
        ])
        for (key, value) in extra { status[path: "properties", key] = value }
        return status
    }

    static let workloadSchemas: [(String, JSONValue)] = [
        ("io.k8s.api.apps.v1.Deployment", kind("apps", "v1", "Deployment", description: "Deployment enables declarative updates for Pods and ReplicaSets.", [
            "spec": ref("io.k8s.api.apps.v1.DeploymentSpec"), "status": workloadStatus(),
        ])),
        ("io.k8s.api.apps.v1.DeploymentSpec", object([
            "minReadySeconds": int32, "paused": boolean, "progressDeadlineSeconds": int32, "replicas": int32,
            "revisionHistoryLimit": int32, "selector": ref(meta + "LabelSelector"),
            "strategy": {
                var strategy = object(["rollingUpdate": object(["maxSurge": intOrString, "maxUnavailable": intOrString]), "type": string])
                strategy["x-kubernetes-patch-strategy"] = "retainKeys"
                return strategy
            }(),
            "template": ref(core + "PodTemplateSpec"),
        ], required: ["selector", "template"], description: "DeploymentSpec is the specification of the desired behavior of the Deployment.")),
        ("io.k8s.api.apps.v1.ReplicaSet", kind("apps", "v1", "ReplicaSet", description: "ReplicaSet ensures that a specified number of pod replicas are running at any given time.", [
            "spec": object([
                "minReadySeconds": int32, "replicas": int32, "selector": ref(meta + "LabelSelector"), "template": ref(core + "PodTemplateSpec"),
            ], required: ["selector"]),
            "status": workloadStatus(),
        ])),
    ]

    // MARK: Other groups

    static let ingressBackend = object([
        "resource": typedLocalObjectReference,
        "service": object(["name": string, "port": object(["name": string, "number": int32])], required: ["name"]),
    ])

    static let networkPolicyPeer = object([
        "ipBlock": object(["cidr": string, "except": stringList]), "namespaceSelector": ref(meta + "LabelSelector"),
        "podSelector": ref(meta + "LabelSelector"),
    ])
    static let networkPolicyPort = object(["endPort": int32, "port": intOrString, "protocol": string])

    static let rbac = "io.k8s.api.rbac.v1."
    static let policyRule = list(object([
        "apiGroups": stringList, "nonResourceURLs": stringList, "resourceNames": stringList, "resources": stringList, "verbs": stringList,
    ], required: ["verbs"]))
    static let roleRef = object(["apiGroup": string, "kind": string, "name": string], required: ["apiGroup", "kind", "name"])
    static let subjects = list(object(["apiGroup": string, "kind": string, "name": string, "namespace": string], required: ["kind", "name"]))

    static let crd = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."

    static let otherSchemas: [(String, JSONValue)] = [
        ("io.k8s.api.networking.v1.Ingress", kind("networking.k8s.io", "v1", "Ingress", description: "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.", [
            "spec": object([
                "defaultBackend": ingressBackend, "ingressClassName": string,
                "rules": list(object(["host": string, "http": object(["paths": list(object([
                    "backend": ingressBackend, "path": string, "pathType": string,
                ], required: ["pathType", "backend"]))], required: ["paths"])])),
                "tls": list(object(["hosts": stringList, "secretName": string])),
            ]),
            "status": object(["loadBalancer": object(["ingress": list(object(["hostname": string, "ip": string, "ports": list(object(["error": string, "port": int32, "protocol": string]))]))])]),
        ])),
        ("io.k8s.api.networking.v1.NetworkPolicy", kind("networking.k8s.io", "v1", "NetworkPolicy", description: "NetworkPolicy describes what network traffic is allowed for a set of Pods", [
            "spec": object([
                "egress": list(object(["ports": list(networkPolicyPort), "to": list(networkPolicyPeer)])),
                "ingress": list(object(["from": list(networkPolicyPeer), "ports": list(networkPolicyPort)])),
                "podSelector": ref(meta + "LabelSelector"), "policyTypes": stringList,
            ]),
        ])),
        ("io.k8s.api.coordination.v1.Lease", kind("coordination.k8s.io", "v1", "Lease", description: "Lease defines a lease concept.", [
            "spec": object([
                "acquireTime": ["type": "string", "format": "date-time"], "holderIdentity": string, "leaseDurationSeconds": int32,
                "leaseTransitions": int32, "preferredHolder": string, "renewTime": ["type": "string", "format": "date-time"], "strategy": string,
            ]),
        ])),
        ("io.k8s.api.policy.v1.PodDisruptionBudget", kind("policy", "v1", "PodDisruptionBudget", description: "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods", [
            "spec": object([
                "maxUnavailable": intOrString, "minAvailable": intOrString, "selector": ref(meta + "LabelSelector"),
                "unhealthyPodEvictionPolicy": string,
            ]),
            "status": object([
                "conditions": list(ref(meta + "Condition"), mergeKey: "type"), "currentHealthy": int32, "desiredHealthy": int32,
                "disruptedPods": map(time), "disruptionsAllowed": int32, "expectedPods": int32, "observedGeneration": int64,
            ]),
        ])),
        (rbac + "Role", kind("rbac.authorization.k8s.io", "v1", "Role", description: "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.", [
            "rules": policyRule,
        ])),
        (rbac + "ClusterRole", kind("rbac.authorization.k8s.io", "v1", "ClusterRole", description: "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.", [
            "aggregationRule": object(["clusterRoleSelectors": list(ref(meta + "LabelSelector"))]), "rules": policyRule,
        ])),
        (rbac + "RoleBinding", kind("rbac.authorization.k8s.io", "v1", "RoleBinding", description: "RoleBinding references a role, but does not contain it.", [
            "roleRef": roleRef, "subjects": subjects,
        ], required: ["roleRef"])),
        (rbac + "ClusterRoleBinding", kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", description: "ClusterRoleBinding references a ClusterRole, but not contain it.", [
            "roleRef": roleRef, "subjects": subjects,
        ], required: ["roleRef"])),
        (crd + "CustomResourceDefinition", kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", description: "CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.", [
            "spec": object([
                "conversion": object(["strategy": string, "webhook": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]),
                "group": string,
                "names": ref(crd + "CustomResourceDefinitionNames"),
                "preserveUnknownFields": boolean, "scope": string,
                "versions": list(["type": "object", "x-kubernetes-preserve-unknown-fields": true]),
            ], required: ["group", "names", "scope", "versions"]),
            "status": object([
                "acceptedNames": ref(crd + "CustomResourceDefinitionNames"),
                "conditions": list(object(["lastTransitionTime": time, "message": string, "reason": string, "status": string, "type": string])),
                "storedVersions": stringList,
            ]),
        ], required: ["spec"])),
        (crd + "CustomResourceDefinitionNames", object([
            "categories": stringList, "kind": string, "listKind": string, "plural": string, "shortNames": stringList, "singular": string,
        ], required: ["plural", "kind"])),
    ]
}
