import JSON

extension BuiltinSchemas {
    /// What `kubectl explain` shows for the fields users reach for most, by schema and field.
    static let fieldDescriptions: [String: [String: String]] = [
        meta + "ObjectMeta": [
            "name": "Name of the object, unique among objects of its kind in its namespace. Cannot be changed.",
            "namespace": "Namespace the object lives in. Empty for cluster-scoped kinds.",
            "labels": "Key/value pairs that selectors (Services, Deployments, kubectl -l) match on.",
            "annotations": "Key/value pairs for tools and people; not used for selection.",
            "ownerReferences": "Objects this one depends on. When all owners are deleted, the garbage collector deletes it.",
            "finalizers": "Names that must be removed before the object is deleted; while any remain, deletion only sets deletionTimestamp.",
            "resourceVersion": "Opaque version of the object, changed on every write; send it back to update only if nothing changed meanwhile.",
            "generation": "Incremented by the server on every change to the desired state (spec).",
            "uid": "Unique identity of this object, never reused.",
        ],
        "io.k8s.api.apps.v1.DeploymentSpec": [
            "replicas": "Number of desired pods. Defaults to 1.",
            "selector": "Label selector of the pods this Deployment manages. Must match the template's labels and cannot change.",
            "template": "The pod each replica is created from.",
            "strategy": "How old pods are replaced by new ones: RollingUpdate (default, 25% surge and unavailability) or Recreate.",
            "revisionHistoryLimit": "Old ReplicaSets to keep for rollback. Defaults to 10.",
            "progressDeadlineSeconds": "Seconds for a rollout to make progress before it is reported as failed. Defaults to 600.",
            "minReadySeconds": "Seconds a new pod must be ready before it counts as available.",
            "paused": "Stops rollouts of template changes while true.",
        ],
        core + "PodSpec": [
            "containers": "The containers of the pod; at least one. Merged by name on strategic merge patch.",
            "initContainers": "Containers run to completion, in order, before the main containers start.",
            "volumes": "Volumes the containers may mount. Merged by name on strategic merge patch.",
            "restartPolicy": "Always (default), OnFailure or Never.",
            "serviceAccountName": "Service account the pod runs as.",
            "nodeSelector": "Labels a node must carry for the pod to be scheduled on it.",
            "affinity": "Scheduling constraints relative to nodes and other pods.",
            "tolerations": "Taints the pod tolerates.",
            "terminationGracePeriodSeconds": "Seconds between the termination signal and the kill. Defaults to 30.",
            "securityContext": "Security attributes applied to every container.",
        ],
        core + "Container": [
            "name": "Name of the container, unique within the pod (DNS label).",
            "image": "Container image reference, such as shop/web:1.4.2.",
            "imagePullPolicy": "Always, IfNotPresent or Never. Defaults to Always for :latest or untagged images, IfNotPresent otherwise.",
            "command": "Entrypoint, replacing the image's ENTRYPOINT.",
            "args": "Arguments, replacing the image's CMD.",
            "env": "Environment variables. Merged by name on strategic merge patch.",
            "envFrom": "Sources whose keys all become environment variables.",
            "ports": "Ports the container exposes. Merged by containerPort on strategic merge patch.",
            "resources": "Compute resources requested and limited (cpu, memory).",
            "readinessProbe": "Check that decides whether the container receives traffic.",
            "livenessProbe": "Check whose failures restart the container.",
            "startupProbe": "Check that must succeed before the other probes start.",
            "volumeMounts": "Volumes mounted into the container. Merged by mountPath on strategic merge patch.",
        ],
        core + "ServiceSpec": [
            "type": "ClusterIP (default), NodePort, LoadBalancer or ExternalName.",
            "selector": "Labels of the pods traffic is routed to.",
            "ports": "Ports the Service exposes. Merged by port on strategic merge patch.",
            "clusterIP": "Virtual IP of the Service, allocated when empty; None makes it headless. Cannot change.",
            "externalName": "DNS name an ExternalName Service aliases.",
            "sessionAffinity": "ClientIP to route a client to the same pod, or None (default).",
        ],
        core + "ServicePort": [
            "port": "Port the Service listens on.",
            "targetPort": "Port number or name on the pods. Defaults to port.",
            "protocol": "TCP (default), UDP or SCTP.",
            "name": "Name of the port; required when there are several.",
            "nodePort": "Port on every node for NodePort and LoadBalancer Services, allocated when absent.",
        ],
    ]

    /// `schemas` with the descriptions above set on their properties.
    static func describing(_ schemas: [String: JSONValue]) -> [String: JSONValue] {
        var described = schemas
        for (name, fields) in fieldDescriptions {
            guard var schema = described[name] else { continue }
            for (field, text) in fields {
                guard var property = schema[path: "properties", field] else { continue }
                if property["$ref"] != nil {
                    // A description beside $ref is ignored by OpenAPI 3.0 tools; wrap the reference.
                    property = ["description": .string(text), "allOf": [property]]
                } else {
                    property["description"] = .string(text)
                }
                schema[path: "properties", field] = property
            }
            described[name] = schema
        }
        return described
    }
}
