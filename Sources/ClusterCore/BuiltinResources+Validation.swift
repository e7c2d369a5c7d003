import Foundation
import JSON

extension BuiltinResources {
    /// The validation the API server applies to each built-in kind, trimmed to what users
    /// run into: required fields, ranges, duplicates, selectors that must match, immutability.
    /// https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
    enum Validation {
        typealias E = FieldErrors

        // MARK: core/v1

        static func namespace(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            guard let name = object[path: "metadata", "name"]?.stringValue else { return [] }
            if !E.isDNSLabel(name) {
                return [E.invalid("metadata.name", .string(name), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")]
            }
            return []
        }

        static func configMap(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let data = object["data"]?.objectValue ?? [:]
            for (key, value) in data {
                if !E.isConfigKey(key) {
                    causes.append(E.invalid("data", .string(key), "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"))
                }
                if value.stringValue == nil { causes.append(E.typeInvalid("data[\(key)]", value, expected: "string")) }
            }
            for (key, value) in object["binaryData"]?.objectValue ?? [:] {
                if !E.isConfigKey(key) {
                    causes.append(E.invalid("binaryData", .string(key), "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"))
                }
                if data[key] != nil { causes.append(E.invalid("binaryData", .string(key), "duplicate of key present in data")) }
                if value.stringValue.flatMap({ Data(base64Encoded: $0) }) == nil {
                    causes.append(E.invalid("binaryData[\(key)]", value, "must be base64-encoded"))
                }
            }
            var size = 0
            for (key, value) in data { size += key.utf8.count + (value.stringValue?.utf8.count ?? 0) }
            for (key, value) in object["binaryData"]?.objectValue ?? [:] {
                size += key.utf8.count + (value.stringValue?.utf8.count ?? 0) * 3 / 4
            }
            if size > 1_048_576 {
                causes.append(E.forbidden("data", "Too long: must have at most 1048576 bytes"))
            }
            causes += immutableData(object, old: old, fields: ["data", "binaryData"])
            return causes
        }

        static func secret(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let data = object["data"]?.objectValue ?? [:]
            var total = 0
            for (key, value) in data {
                if !E.isConfigKey(key) {
                    causes.append(E.invalid("data[\(key)]", .string(key), "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"))
                }
                // Secret values are never echoed back in errors.
                guard let text = value.stringValue, let decoded = Data(base64Encoded: text) else {
                    causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"<secret contents redacted>\": must be base64-encoded", field: "data[\(key)]"))
                    continue
                }
                total += decoded.count
            }
            if total > 1_048_576 {
                causes.append(E.forbidden("data", "Too long: must have at most 1048576 bytes"))
            }
            if object["type"]?.stringValue == "kubernetes.io/tls" {
                for key in ["tls.crt", "tls.key"] where data[key] == nil {
                    causes.append(E.required("data[\(key)]"))
                }
            }
            if let old, old["type"] != nil, object["type"] != old["type"] {
                causes.append(E.immutable("type", object["type"] ?? .null))
            }
            causes += immutableData(object, old: old, fields: ["data"])
            return causes
        }

        /// A ConfigMap or Secret marked `immutable: true` refuses changes to its data.
        static func immutableData(_ object: JSONValue, old: JSONValue?, fields: [String]) -> [StatusCause] {
            guard let old, old["immutable"]?.boolValue == true else { return [] }
            var causes: [StatusCause] = []
            if object["immutable"]?.boolValue != true {
                causes.append(E.forbidden("immutable", "field is immutable when `immutable` is set"))
            }
            for field in fields where object[field] != old[field] {
                causes.append(E.forbidden(field, "field is immutable when `immutable` is set"))
            }
            return causes
        }

        static let serviceTypes = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
        static let protocols = ["TCP", "UDP", "SCTP"]

        static func service(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let type = object[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            if !serviceTypes.contains(type) {
                causes.append(E.notSupported("spec.type", .string(type), serviceTypes))
            }
            let clusterIP = object[path: "spec", "clusterIP"]?.stringValue ?? ""
            let ports = object[path: "spec", "ports"]?.arrayValue ?? []
            if type == "ExternalName" {
                if (object[path: "spec", "externalName"]?.stringValue ?? "").isEmpty {
                    causes.append(E.required("spec.externalName"))
                }
            } else if ports.isEmpty && clusterIP != "None" {
                causes.append(E.required("spec.ports"))
            }
            var names = Set<String>()
            for (index, port) in ports.enumerated() {
                let field = "spec.ports[\(index)]"
                let name = port["name"]?.stringValue ?? ""
                if ports.count > 1 && name.isEmpty {
                    causes.append(E.required("\(field).name"))
                } else if !name.isEmpty {
                    if !names.insert(name).inserted { causes.append(E.duplicate("\(field).name", .string(name))) }
                    if !E.isDNSLabel(name) {
                        causes.append(E.invalid("\(field).name", .string(name), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
                    }
                }
                let number = port["port"] ?? .null
                if let value = number.intValue {
                    if !(1...65535).contains(value) {
                        causes.append(E.invalid("\(field).port", number, "must be between 1 and 65535, inclusive"))
                    }
                } else if number.isNull {
                    causes.append(E.required("\(field).port"))
                } else {
                    causes.append(E.typeInvalid("\(field).port", number, expected: "integer"))
                }
                if let proto = port["protocol"]?.stringValue, !protocols.contains(proto) {
                    causes.append(E.notSupported("\(field).protocol", .string(proto), protocols))
                }
                if let target = port["targetPort"]?.intValue, !(1...65535).contains(target) {
                    causes.append(E.invalid("\(field).targetPort", .int(target), "must be between 1 and 65535, inclusive"))
                }
            }
            if !clusterIP.isEmpty && clusterIP != "None" && !isIPv4(clusterIP) {
                causes.append(E.invalid("spec.clusterIPs[0]", .string(clusterIP), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
            }
            if type == "ClusterIP" {
                for (index, port) in ports.enumerated() where (port["nodePort"]?.intValue ?? 0) != 0 {
                    causes.append(E.forbidden("spec.ports[\(index)].nodePort", "may not be used when `type` is 'ClusterIP'"))
                }
            }
            if let affinity = object[path: "spec", "sessionAffinity"]?.stringValue, !["None", "ClientIP"].contains(affinity) {
                causes.append(E.notSupported("spec.sessionAffinity", .string(affinity), ["ClientIP", "None"]))
            }
            if let old, let oldIP = old[path: "spec", "clusterIP"]?.stringValue, !oldIP.isEmpty,
               old[path: "spec", "type"]?.stringValue != "ExternalName", type != "ExternalName", clusterIP != oldIP {
                causes.append(E.immutable("spec.clusterIPs[0]", .string(clusterIP)))
            }
            return causes
        }

        static func isIPv4(_ text: String) -> Bool {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
            }
        }

        /// Containers required, each with a unique name and an image; valid ports.
        static func podSpec(_ spec: JSONValue?, field: String) -> [StatusCause] {
            var causes: [StatusCause] = []
            let containers = spec?["containers"]?.arrayValue ?? []
            if containers.isEmpty { causes.append(E.required("\(field).containers")) }
            var names = Set<String>()
            for list in ["initContainers", "containers"] {
                for (index, container) in (spec?[list]?.arrayValue ?? []).enumerated() {
                    let path = "\(field).\(list)[\(index)]"
                    let name = container["name"]?.stringValue ?? ""
                    if name.isEmpty {
                        causes.append(E.required("\(path).name"))
                    } else if !names.insert(name).inserted {
                        causes.append(E.duplicate("\(path).name", .string(name)))
                    } else if !E.isDNSLabel(name) {
                        causes.append(E.invalid("\(path).name", .string(name), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"))
                    }
                    if (container["image"]?.stringValue ?? "").trimmingSpaces().isEmpty {
                        causes.append(E.required("\(path).image"))
                    }
                    for (portIndex, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                        let portField = "\(path).ports[\(portIndex)]"
                        let number = port["containerPort"] ?? .null
                        if number.isNull {
                            causes.append(E.required("\(portField).containerPort"))
                        } else if let value = number.intValue, !(1...65535).contains(value) {
                            causes.append(E.invalid("\(portField).containerPort", number, "must be between 1 and 65535, inclusive"))
                        }
                        if let proto = port["protocol"]?.stringValue, !protocols.contains(proto) {
                            causes.append(E.notSupported("\(portField).protocol", .string(proto), protocols))
                        }
                    }
                }
            }
            if let policy = spec?["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
                causes.append(E.notSupported("\(field).restartPolicy", .string(policy), ["Always", "OnFailure", "Never"]))
            }
            return causes
        }

        // MARK: apps/v1

        /// Deployment and ReplicaSet: a non-empty selector that matches the template's labels
        /// and does not change, non-negative replicas, a valid pod template.
        static func workload(_ object: JSONValue, old: JSONValue?, kind: String) -> [StatusCause] {
            var causes: [StatusCause] = []
            let selector = object[path: "spec", "selector"]
            if selector == nil || selector?.isNull == true {
                causes.append(E.required("spec.selector"))
            } else if let selector {
                let labels = object[path: "spec", "template", "metadata", "labels"] ?? .emptyObject
                if (selector["matchLabels"]?.objectValue ?? [:]).isEmpty && (selector["matchExpressions"]?.arrayValue ?? []).isEmpty {
                    causes.append(E.invalid("spec.selector", selector, "empty selector is invalid for \(kind.lowercased())"))
                } else if !LabelSelectors.matches(selector, labels: labels) {
                    causes.append(E.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"))
                }
                if let oldSelector = old?[path: "spec", "selector"], oldSelector != selector {
                    causes.append(E.immutable("spec.selector", selector))
                }
            }
            if let replicas = object[path: "spec", "replicas"] {
                if let value = replicas.intValue {
                    if value < 0 { causes.append(E.invalid("spec.replicas", replicas, "must be greater than or equal to 0")) }
                } else if !replicas.isNull {
                    causes.append(E.typeInvalid("spec.replicas", replicas, expected: "integer"))
                }
            }
            if object[path: "spec", "template"] == nil {
                causes.append(E.required("spec.template"))
            } else {
                causes += podSpec(object[path: "spec", "template", "spec"], field: "spec.template.spec")
                if let policy = object[path: "spec", "template", "spec", "restartPolicy"]?.stringValue, policy != "Always" {
                    causes.append(E.notSupported("spec.template.spec.restartPolicy", .string(policy), ["Always"]))
                }
            }
            if kind == "Deployment", let strategy = object[path: "spec", "strategy", "type"]?.stringValue {
                if !["Recreate", "RollingUpdate"].contains(strategy) {
                    causes.append(E.notSupported("spec.strategy.type", .string(strategy), ["Recreate", "RollingUpdate"]))
                } else if strategy == "Recreate", object[path: "spec", "strategy", "rollingUpdate"] != nil {
                    causes.append(E.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"))
                }
            }
            return causes
        }

        // MARK: Other groups

        static let pathTypes = ["Exact", "ImplementationSpecific", "Prefix"]

        static func ingress(_ object: JSONValue) -> [StatusCause] {
            var causes: [StatusCause] = []
            let rules = object[path: "spec", "rules"]?.arrayValue ?? []
            if rules.isEmpty && object[path: "spec", "defaultBackend"] == nil {
                causes.append(E.invalid("spec.rules", .array([]), "either `defaultBackend` or `rules` must be specified"))
            }
            for (ruleIndex, rule) in rules.enumerated() {
                for (pathIndex, path) in (rule[path: "http", "paths"]?.arrayValue ?? []).enumerated() {
                    let field = "spec.rules[\(ruleIndex)].http.paths[\(pathIndex)]"
                    if let type = path["pathType"]?.stringValue {
                        if !pathTypes.contains(type) { causes.append(E.notSupported("\(field).pathType", .string(type), pathTypes)) }
                    } else {
                        causes.append(E.required("\(field).pathType", "pathType must be specified"))
                    }
                    if path["backend"] == nil { causes.append(E.required("\(field).backend")) }
                }
            }
            return causes
        }

        static func lease(_ object: JSONValue) -> [StatusCause] {
            guard let duration = object[path: "spec", "leaseDurationSeconds"]?.intValue, duration <= 0 else { return [] }
            return [E.invalid("spec.leaseDurationSeconds", .int(duration), "must be greater than 0")]
        }

        static func podDisruptionBudget(_ object: JSONValue) -> [StatusCause] {
            if object[path: "spec", "minAvailable"] != nil && object[path: "spec", "maxUnavailable"] != nil {
                return [E.invalid("spec", object["spec"] ?? .null, "minAvailable and maxUnavailable cannot be both set")]
            }
            return []
        }

        static func policyRules(_ object: JSONValue) -> [StatusCause] {
            var causes: [StatusCause] = []
            for (index, rule) in (object["rules"]?.arrayValue ?? []).enumerated() {
                if (rule["verbs"]?.arrayValue ?? []).isEmpty { causes.append(E.required("rules[\(index)].verbs", "verbs must contain at least one value")) }
                let hasResources = !(rule["resources"]?.arrayValue ?? []).isEmpty
                let hasURLs = !(rule["nonResourceURLs"]?.arrayValue ?? []).isEmpty
                if !hasResources && !hasURLs {
                    causes.append(E.required("rules[\(index)].resources", "resource rules must supply at least one resource or nonResourceURL"))
                }
            }
            return causes
        }

        static func roleBinding(_ object: JSONValue, old: JSONValue?, clusterScoped: Bool) -> [StatusCause] {
            var causes: [StatusCause] = []
            let kinds = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"]
            let roleRef = object["roleRef"]
            if (roleRef?["name"]?.stringValue ?? "").isEmpty { causes.append(E.required("roleRef.name")) }
            if let kind = roleRef?["kind"]?.stringValue {
                if !kinds.contains(kind) { causes.append(E.notSupported("roleRef.kind", .string(kind), kinds)) }
            } else {
                causes.append(E.required("roleRef.kind"))
            }
            if let group = roleRef?["apiGroup"]?.stringValue, group != BuiltinResources.rbac {
                causes.append(E.notSupported("roleRef.apiGroup", .string(group), [BuiltinResources.rbac]))
            }
            if let oldRef = old?["roleRef"], oldRef != roleRef {
                causes.append(E.invalid("roleRef", roleRef ?? .null, "cannot change roleRef"))
            }
            for (index, subject) in (object["subjects"]?.arrayValue ?? []).enumerated() {
                if (subject["name"]?.stringValue ?? "").isEmpty { causes.append(E.required("subjects[\(index)].name")) }
                let kind = subject["kind"]?.stringValue ?? ""
                if !["User", "Group", "ServiceAccount"].contains(kind) {
                    causes.append(E.notSupported("subjects[\(index)].kind", .string(kind), ["Group", "ServiceAccount", "User"]))
                }
            }
            return causes
        }
    }
}

/// Label selectors (`matchLabels` and `matchExpressions`) evaluated against a label map.
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
enum LabelSelectors {
    static func matches(_ selector: JSONValue, labels: JSONValue) -> Bool {
        let labelMap = labels.objectValue ?? [:]
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] where labelMap[key] != value {
            return false
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            let actual = labelMap[key]?.stringValue
            switch expression["operator"]?.stringValue ?? "" {
            case "In": if actual.map(values.contains) != true { return false }
            case "NotIn": if let actual, values.contains(actual) { return false }
            case "Exists": if actual == nil { return false }
            case "DoesNotExist": if actual != nil { return false }
            default: return false
            }
        }
        return true
    }
}
