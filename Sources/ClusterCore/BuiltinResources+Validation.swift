import Foundation
import JSON

extension BuiltinResources {
    /// The validation the API server applies to each built-in kind, trimmed to what users
    /// run into: required fields, ranges, duplicates, selectors that must match, immutability.
    /// https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
    enum Validation {
        // MARK: core/v1

        static func configMap(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let data = object["data"]?.objectValue ?? [:]
            for (key, value) in data {
                causes += NameValidation.causes(NameValidation.configMapKey(key), value: key, field: "data[\(key)]")
                if value.stringValue == nil { causes.append(FieldError.typeInvalid(value, detail: "must be of type string", field: "data[\(key)]")) }
            }
            for (key, value) in object["binaryData"]?.objectValue ?? [:] {
                causes += NameValidation.causes(NameValidation.configMapKey(key), value: key, field: "binaryData[\(key)]")
                if data[key] != nil { causes.append(FieldError.invalid(.string(key), detail: "duplicate of key present in data", field: "binaryData")) }
                if value.stringValue.flatMap({ Data(base64Encoded: $0) }) == nil {
                    causes.append(FieldError.invalid(value, detail: "must be base64-encoded", field: "binaryData[\(key)]"))
                }
            }
            var size = 0
            for (key, value) in data { size += key.utf8.count + (value.stringValue?.utf8.count ?? 0) }
            for (key, value) in object["binaryData"]?.objectValue ?? [:] {
                size += key.utf8.count + (value.stringValue?.utf8.count ?? 0) * 3 / 4
            }
            if size > 1_048_576 {
                causes.append(FieldError.forbidden("Too long: must have at most 1048576 bytes", field: "data"))
            }
            causes += immutableData(object, old: old, fields: ["data", "binaryData"])
            return causes
        }

        static func secret(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let data = object["data"]?.objectValue ?? [:]
            var total = 0
            for (key, value) in data {
                causes += NameValidation.causes(NameValidation.configMapKey(key), value: key, field: "data[\(key)]")
                // Secret values are never echoed back in errors.
                guard let text = value.stringValue, let decoded = Data(base64Encoded: text) else {
                    causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"<secret contents redacted>\": must be base64-encoded", field: "data[\(key)]"))
                    continue
                }
                total += decoded.count
            }
            if total > 1_048_576 {
                causes.append(FieldError.forbidden("Too long: must have at most 1048576 bytes", field: "data"))
            }
            if object["type"]?.stringValue == "kubernetes.io/tls" {
                for key in ["tls.crt", "tls.key"] where data[key] == nil {
                    causes.append(FieldError.required(field: "data[\(key)]"))
                }
            }
            if let old, old["type"] != nil, object["type"] != old["type"] {
                causes.append(FieldError.immutable(object["type"] ?? .null, field: "type"))
            }
            causes += immutableData(object, old: old, fields: ["data"])
            return causes
        }

        /// A ConfigMap or Secret marked `immutable: true` refuses changes to its data.
        static func immutableData(_ object: JSONValue, old: JSONValue?, fields: [String]) -> [StatusCause] {
            guard let old, old["immutable"]?.boolValue == true else { return [] }
            var causes: [StatusCause] = []
            if object["immutable"]?.boolValue != true {
                causes.append(FieldError.forbidden("field is immutable when `immutable` is set", field: "immutable"))
            }
            for field in fields where object[field] != old[field] {
                causes.append(FieldError.forbidden("field is immutable when `immutable` is set", field: field))
            }
            return causes
        }

        static let serviceTypes = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
        static let protocols = ["TCP", "UDP", "SCTP"]

        static func service(_ object: JSONValue, old: JSONValue?) -> [StatusCause] {
            var causes: [StatusCause] = []
            let type = object[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            if !serviceTypes.contains(type) {
                causes.append(FieldError.notSupported(.string(type), supported: serviceTypes, field: "spec.type"))
            }
            let clusterIP = object[path: "spec", "clusterIP"]?.stringValue ?? ""
            let ports = object[path: "spec", "ports"]?.arrayValue ?? []
            if type == "ExternalName" {
                if (object[path: "spec", "externalName"]?.stringValue ?? "").isEmpty {
                    causes.append(FieldError.required(field: "spec.externalName"))
                }
            } else if ports.isEmpty && clusterIP != "None" {
                causes.append(FieldError.required(field: "spec.ports"))
            }
            var names = Set<String>()
            for (index, port) in ports.enumerated() {
                let field = "spec.ports[\(index)]"
                let name = port["name"]?.stringValue ?? ""
                if ports.count > 1 && name.isEmpty {
                    causes.append(FieldError.required(field: "\(field).name"))
                } else if !name.isEmpty {
                    if !names.insert(name).inserted { causes.append(FieldError.duplicate(.string(name), field: "\(field).name")) }
                    causes += NameValidation.causes(NameValidation.dns1123Label(name), value: name, field: "\(field).name")
                }
                let number = port["port"] ?? .null
                if let value = number.intValue {
                    if !(1...65535).contains(value) {
                        causes.append(FieldError.invalid(number, detail: "must be between 1 and 65535, inclusive", field: "\(field).port"))
                    }
                } else if number.isNull {
                    causes.append(FieldError.required(field: "\(field).port"))
                } else {
                    causes.append(FieldError.typeInvalid(number, detail: "must be of type integer", field: "\(field).port"))
                }
                if let proto = port["protocol"]?.stringValue, !protocols.contains(proto) {
                    causes.append(FieldError.notSupported(.string(proto), supported: protocols, field: "\(field).protocol"))
                }
                if let target = port["targetPort"]?.intValue, !(1...65535).contains(target) {
                    causes.append(FieldError.invalid(.int(target), detail: "must be between 1 and 65535, inclusive", field: "\(field).targetPort"))
                }
            }
            if !clusterIP.isEmpty && clusterIP != "None" && !isIPv4(clusterIP) {
                causes.append(FieldError.invalid(.string(clusterIP), detail: "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)", field: "spec.clusterIPs[0]"))
            }
            if type == "ClusterIP" {
                for (index, port) in ports.enumerated() where (port["nodePort"]?.intValue ?? 0) != 0 {
                    causes.append(FieldError.forbidden("may not be used when `type` is 'ClusterIP'", field: "spec.ports[\(index)].nodePort"))
                }
            }
            if let affinity = object[path: "spec", "sessionAffinity"]?.stringValue, !["None", "ClientIP"].contains(affinity) {
                causes.append(FieldError.notSupported(.string(affinity), supported: ["ClientIP", "None"], field: "spec.sessionAffinity"))
            }
            if let old, let oldIP = old[path: "spec", "clusterIP"]?.stringValue, !oldIP.isEmpty,
               old[path: "spec", "type"]?.stringValue != "ExternalName", type != "ExternalName", clusterIP != oldIP {
                causes.append(FieldError.immutable(.string(clusterIP), field: "spec.clusterIPs[0]"))
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
            if containers.isEmpty { causes.append(FieldError.required(field: "\(field).containers")) }
            var names = Set<String>()
            for list in ["initContainers", "containers"] {
                for (index, container) in (spec?[list]?.arrayValue ?? []).enumerated() {
                    let path = "\(field).\(list)[\(index)]"
                    let name = container["name"]?.stringValue ?? ""
                    if name.isEmpty {
                        causes.append(FieldError.required(field: "\(path).name"))
                    } else if !names.insert(name).inserted {
                        causes.append(FieldError.duplicate(.string(name), field: "\(path).name"))
                    } else {
                        causes += NameValidation.causes(NameValidation.dns1123Label(name), value: name, field: "\(path).name")
                    }
                    if (container["image"]?.stringValue ?? "").trimmingSpaces.isEmpty {
                        causes.append(FieldError.required(field: "\(path).image"))
                    }
                    for (portIndex, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                        let portField = "\(path).ports[\(portIndex)]"
                        let number = port["containerPort"] ?? .null
                        if number.isNull {
                            causes.append(FieldError.required(field: "\(portField).containerPort"))
                        } else if let value = number.intValue, !(1...65535).contains(value) {
                            causes.append(FieldError.invalid(number, detail: "must be between 1 and 65535, inclusive", field: "\(portField).containerPort"))
                        }
                        if let proto = port["protocol"]?.stringValue, !protocols.contains(proto) {
                            causes.append(FieldError.notSupported(.string(proto), supported: protocols, field: "\(portField).protocol"))
                        }
                    }
                }
            }
            if let policy = spec?["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
                causes.append(FieldError.notSupported(.string(policy), supported: ["Always", "OnFailure", "Never"], field: "\(field).restartPolicy"))
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
                causes.append(FieldError.required(field: "spec.selector"))
            } else if let selector {
                let labels = object[path: "spec", "template", "metadata", "labels"] ?? .emptyObject
                if (selector["matchLabels"]?.objectValue ?? [:]).isEmpty && (selector["matchExpressions"]?.arrayValue ?? []).isEmpty {
                    causes.append(FieldError.invalid(selector, detail: "empty selector is invalid for \(kind.lowercased())", field: "spec.selector"))
                } else {
                    var labelMap: [String: String] = [:]
                    for (key, value) in labels.objectValue ?? [:] { labelMap[key] = value.stringValue }
                    do {
                        if try !LabelSelector(selectorObject: selector).matches(labelMap) {
                            causes.append(FieldError.invalid(labels, detail: "`selector` does not match template `labels`", field: "spec.template.metadata.labels"))
                        }
                    } catch {
                        causes.append(FieldError.invalid(selector, detail: error.message, field: "spec.selector"))
                    }
                }
                if let oldSelector = old?[path: "spec", "selector"], oldSelector != selector {
                    causes.append(FieldError.immutable(selector, field: "spec.selector"))
                }
            }
            if let replicas = object[path: "spec", "replicas"] {
                if let value = replicas.intValue {
                    if value < 0 { causes.append(FieldError.invalid(replicas, detail: "must be greater than or equal to 0", field: "spec.replicas")) }
                } else if !replicas.isNull {
                    causes.append(FieldError.typeInvalid(replicas, detail: "must be of type integer", field: "spec.replicas"))
                }
            }
            if object[path: "spec", "template"] == nil {
                causes.append(FieldError.required(field: "spec.template"))
            } else {
                causes += podSpec(object[path: "spec", "template", "spec"], field: "spec.template.spec")
                if let policy = object[path: "spec", "template", "spec", "restartPolicy"]?.stringValue, policy != "Always" {
                    causes.append(FieldError.notSupported(.string(policy), supported: ["Always"], field: "spec.template.spec.restartPolicy"))
                }
            }
            if kind == "Deployment", let strategy = object[path: "spec", "strategy", "type"]?.stringValue {
                if !["Recreate", "RollingUpdate"].contains(strategy) {
                    causes.append(FieldError.notSupported(.string(strategy), supported: ["Recreate", "RollingUpdate"], field: "spec.strategy.type"))
                } else if strategy == "Recreate", object[path: "spec", "strategy", "rollingUpdate"] != nil {
                    causes.append(FieldError.forbidden("may not be specified when strategy `type` is 'Recreate'", field: "spec.strategy.rollingUpdate"))
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
                causes.append(FieldError.invalid(.array([]), detail: "either `defaultBackend` or `rules` must be specified", field: "spec.rules"))
            }
            for (ruleIndex, rule) in rules.enumerated() {
                for (pathIndex, path) in (rule[path: "http", "paths"]?.arrayValue ?? []).enumerated() {
                    let field = "spec.rules[\(ruleIndex)].http.paths[\(pathIndex)]"
                    if let type = path["pathType"]?.stringValue {
                        if !pathTypes.contains(type) { causes.append(FieldError.notSupported(.string(type), supported: pathTypes, field: "\(field).pathType")) }
                    } else {
                        causes.append(FieldError.required(detail: "pathType must be specified", field: "\(field).pathType"))
                    }
                    if path["backend"] == nil { causes.append(FieldError.required(field: "\(field).backend")) }
                }
            }
            return causes
        }

        static func lease(_ object: JSONValue) -> [StatusCause] {
            guard let duration = object[path: "spec", "leaseDurationSeconds"]?.intValue, duration <= 0 else { return [] }
            return [FieldError.invalid(.int(duration), detail: "must be greater than 0", field: "spec.leaseDurationSeconds")]
        }

        static func podDisruptionBudget(_ object: JSONValue) -> [StatusCause] {
            if object[path: "spec", "minAvailable"] != nil && object[path: "spec", "maxUnavailable"] != nil {
                return [FieldError.invalid(object["spec"] ?? .null, detail: "minAvailable and maxUnavailable cannot be both set", field: "spec")]
            }
            return []
        }

        static func policyRules(_ object: JSONValue) -> [StatusCause] {
            var causes: [StatusCause] = []
            for (index, rule) in (object["rules"]?.arrayValue ?? []).enumerated() {
                if (rule["verbs"]?.arrayValue ?? []).isEmpty { causes.append(FieldError.required(detail: "verbs must contain at least one value", field: "rules[\(index)].verbs")) }
                let hasResources = !(rule["resources"]?.arrayValue ?? []).isEmpty
                let hasURLs = !(rule["nonResourceURLs"]?.arrayValue ?? []).isEmpty
                if !hasResources && !hasURLs {
                    causes.append(FieldError.required(detail: "resource rules must supply at least one resource or nonResourceURL", field: "rules[\(index)].resources"))
                }
            }
            return causes
        }

        static func roleBinding(_ object: JSONValue, old: JSONValue?, clusterScoped: Bool) -> [StatusCause] {
            var causes: [StatusCause] = []
            let kinds = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"]
            let roleRef = object["roleRef"]
            if (roleRef?["name"]?.stringValue ?? "").isEmpty { causes.append(FieldError.required(field: "roleRef.name")) }
            if let kind = roleRef?["kind"]?.stringValue {
                if !kinds.contains(kind) { causes.append(FieldError.notSupported(.string(kind), supported: kinds, field: "roleRef.kind")) }
            } else {
                causes.append(FieldError.required(field: "roleRef.kind"))
            }
            if let group = roleRef?["apiGroup"]?.stringValue, group != BuiltinResources.rbac {
                causes.append(FieldError.notSupported(.string(group), supported: [BuiltinResources.rbac], field: "roleRef.apiGroup"))
            }
            if let oldRef = old?["roleRef"], oldRef != roleRef {
                causes.append(FieldError.invalid(roleRef ?? .null, detail: "cannot change roleRef", field: "roleRef"))
            }
            for (index, subject) in (object["subjects"]?.arrayValue ?? []).enumerated() {
                if (subject["name"]?.stringValue ?? "").isEmpty { causes.append(FieldError.required(field: "subjects[\(index)].name")) }
                let kind = subject["kind"]?.stringValue ?? ""
                if !["User", "Group", "ServiceAccount"].contains(kind) {
                    causes.append(FieldError.notSupported(.string(kind), supported: ["Group", "ServiceAccount", "User"], field: "subjects[\(index)].kind"))
                }
            }
            return causes
        }
    }
}
