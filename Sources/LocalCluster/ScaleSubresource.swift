import ClusterCore
import JSON

/// The `scale` subresource of Deployments and ReplicaSets: an autoscaling/v1 Scale view of
/// the object's replicas, which `kubectl scale` and autoscalers read and write.
/// See https://kubernetes.io/docs/reference/kubernetes-api/autoscaling/horizontal-pod-autoscaler-v1/ (Scale)
enum ScaleSubresource {
    /// Whether `type` serves a scale view the server can compute (spec.replicas, spec.selector).
    static func serves(_ type: ResourceType) -> Bool {
        type.subresources.contains("scale") && type.group == "apps"
    }

    static func scale(of object: JSONValue) -> JSONValue {
        var metadata = JSONValue.emptyObject
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object[path: "metadata", key] { metadata[key] = value }
        }
        return [
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": metadata,
            "spec": ["replicas": object[path: "spec", "replicas"] ?? .int(1)],
            "status": [
                "replicas": object[path: "status", "replicas"] ?? .int(0),
                "selector": .string(selectorString(object[path: "spec", "selector"])),
            ],
        ]
    }

    /// Writes the replicas of `scale` into `object`; the Scale's resourceVersion, when given,
    /// is a precondition on the object's.
    static func apply(_ scale: JSONValue, to object: JSONValue) throws(APIError) -> JSONValue {
        if let kind = scale["kind"], kind != "Scale" {
            throw APIError.badRequest("the scale subresource takes an autoscaling/v1 Scale, not \(kind.stringValue ?? kind.jsonString())")
        }
        guard let replicas = scale[path: "spec", "replicas"]?.intValue else {
            throw APIError(code: 422, reason: "Invalid", message: "Scale is invalid: spec.replicas: Required value: an integer number of replicas is required",
                           details: .init(kind: "Scale", causes: [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.replicas")]))
        }
        guard replicas >= 0 else {
            throw APIError(code: 422, reason: "Invalid", message: "Scale is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0",
                           details: .init(kind: "Scale", causes: [StatusCause(reason: "FieldValueInvalid", message: "must be greater than or equal to 0", field: "spec.replicas")]))
        }
        var updated = object
        updated[path: "spec", "replicas"] = .int(replicas)
        if let version = scale[path: "metadata", "resourceVersion"]?.stringValue, !version.isEmpty {
            updated[path: "metadata", "resourceVersion"] = .string(version)
        }
        return updated
    }

    /// `matchLabels` and `matchExpressions` as a label selector string (`app=web,tier in (a,b)`).
    static func selectorString(_ selector: JSONValue?) -> String {
        guard let selector else { return "" }
        var terms: [String] = []
        if case .object(let labels)? = selector["matchLabels"] {
            for (key, value) in labels { terms.append("\(key)=\(value.stringValue ?? "")") }
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else { continue }
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            switch op {
            case "In": terms.append("\(key) in (\(values))")
            case "NotIn": terms.append("\(key) notin (\(values))")
            case "Exists": terms.append(key)
            case "DoesNotExist": terms.append("!\(key)")
            default: continue
            }
        }
        return terms.joined(separator: ",")
    }
}
