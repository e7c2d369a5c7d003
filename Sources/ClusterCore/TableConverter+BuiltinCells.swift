import JSON

/// Cells of the built-in kinds' columns that a JSONPath cannot express (READY `1/3`, DATA
/// counts, PORT(S) `80/TCP`, pod STATUS ...), computed as kubectl's built-in printers do
/// (k8s.io/kubernetes/pkg/printers/internalversion/printers.go).
enum BuiltinCells {
    typealias Provider = @Sendable (_ object: JSONValue, _ now: String) -> JSONValue

    /// Column name → cell function for group/kind; empty for kinds that need none.
    static func providers(group: String, kind: String) -> [String: Provider] {
        switch (group, kind) {
        case ("", "Pod"): return pod
        case ("apps", "Deployment"): return deployment
        case ("apps", "ReplicaSet"): return replicaSet
        case ("", "Service"): return service
        case ("networking.k8s.io", "Ingress"): return ingress
        case ("", "ConfigMap"): return ["Data": { o, _ in .int(count(o["data"]) + count(o["binaryData"])) }]
        case ("", "Secret"): return ["Data": { o, _ in .int(count(o["data"])) }]
        case ("", "ServiceAccount"): return ["Secrets": { o, _ in .int(count(o["secrets"])) }]
        case ("", "Event"): return event
        case ("policy", "PodDisruptionBudget"): return podDisruptionBudget
        case ("networking.k8s.io", "NetworkPolicy"): return ["Pod-Selector": { o, _ in .string(selectorText(o[path: "spec", "podSelector"], empty: "<none>")) }]
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"): return roleBinding
        default: return [:]
        }
    }

    /// Events are listed by when they were last seen, without a leading NAME column.
    static func omitsNameColumn(group: String, kind: String) -> Bool {
        group.isEmpty && kind == "Event"
    }

    static func count(_ value: JSONValue?) -> Int {
        switch value {
        case .object(let o): return o.count
        case .array(let a): return a.count
        default: return 0
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// A label selector as kubectl prints it: `app=web,tier in (a,b),!legacy`.
    static func selectorText(_ selector: JSONValue?, empty: String) -> String {
        guard let selector else { return empty }
        if let parsed = try? LabelSelector(selectorObject: selector) {
            return parsed.isEverything ? empty : parsed.description
        }
        var parts: [String] = []
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] {
            parts.append("\(key)=\(value.stringValue ?? JSONPath.text(of: value))")
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = strings(expression["values"]).joined(separator: ",")
            switch expression["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: break
            }
        }
        return parts.isEmpty ? empty : parts.joined(separator: ",")
    }

    /// A plain label map (a Service's selector) as `k=v,k2=v2`.
    static func labelMapText(_ labels: JSONValue?) -> String {
        let pairs = (labels?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? JSONPath.text(of: $0.value))" }
        return pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")
    }

    static func templateContainers(_ o: JSONValue) -> [JSONValue] {
        o[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
    }

    static let workloadColumns: [String: Provider] = [
        "Containers": { o, _ in .string(templateContainers(o).compactMap { $0["name"]?.stringValue }.joined(separator: ",")) },
        "Images": { o, _ in .string(templateContainers(o).compactMap { $0["image"]?.stringValue }.joined(separator: ",")) },
        "Selector": { o, _ in .string(selectorText(o[path: "spec", "selector"], empty: "<none>")) },
    ]

    /// An integer field that Go's zero value shows as 0 when absent.
    static func integer(_ path: String...) -> Provider {
        { o, _ in .int(o[pathComponents: path]?.intValue ?? 0) }
    }

    static let deployment: [String: Provider] = workloadColumns.merging([
        "Ready": { o, _ in
            .string("\(o[path: "status", "readyReplicas"]?.intValue ?? 0)/\(o[path: "spec", "replicas"]?.intValue ?? 0)")
        },
        "Up-to-date": integer("status", "updatedReplicas"),
        "Available": integer("status", "availableReplicas"),
    ]) { a, _ in a }

    static let replicaSet: [String: Provider] = workloadColumns.merging([
        "Desired": integer("spec", "replicas"),
        "Current": integer("status", "replicas"),
        "Ready": integer("status", "readyReplicas"),
    ]) { a, _ in a }

    // MARK: Pod

    /// A string field, or `<none>` when it is absent or empty (as the built-in printers show it).
    static func stringOrNone(_ path: String...) -> Provider {
        { o, _ in
            let value = o[pathComponents: path]?.stringValue ?? ""
            return .string(value.isEmpty ? "<none>" : value)
        }
    }

    static let pod: [String: Provider] = [
        "IP": stringOrNone("status", "podIP"),
        "Node": stringOrNone("spec", "nodeName"),
        "Ready": { o, _ in
            let total = o[path: "spec", "containers"]?.arrayValue?.count ?? 0
            let ready = (o[path: "status", "containerStatuses"]?.arrayValue ?? []).filter { $0["ready"]?.boolValue == true }.count
            return .string("\(ready)/\(total)")
        },
        "Status": { o, _ in .string(podStatus(o)) },
        "Restarts": { o, now in
            var restarts = 0
            var lastFinished: Double?
            var lastFinishedText: String?
            for status in o[path: "status", "containerStatuses"]?.arrayValue ?? [] {
                restarts += status["restartCount"]?.intValue ?? 0
                if let text = status[path: "lastState", "terminated", "finishedAt"]?.stringValue,
                   let at = Timestamps.secondsSinceEpoch(text), at > (lastFinished ?? -.infinity) {
                    lastFinished = at
                    lastFinishedText = text
                }
            }
            if restarts > 0, let lastFinishedText {
                return .string("\(restarts) (\(Timestamps.age(of: lastFinishedText, now: now)) ago)")
            }
            return .string("\(restarts)")
        },
    ]

    /// The STATUS kubectl shows for a pod: a waiting or terminated container's reason
    /// (CrashLoopBackOff, ErrImagePull, Completed ...), init progress, Terminating, or the phase.
    static func podStatus(_ o: JSONValue) -> String {
        var reason = o[path: "status", "reason"]?.stringValue ?? o[path: "status", "phase"]?.stringValue ?? "Pending"
        let initStatuses = o[path: "status", "initContainerStatuses"]?.arrayValue ?? []
        let initCount = o[path: "spec", "initContainers"]?.arrayValue?.count ?? initStatuses.count
        var initializing = false
        for (index, status) in initStatuses.enumerated() {
            if let terminated = status[path: "state", "terminated"] {
                if terminated["exitCode"]?.intValue == 0 { continue }
                initializing = true
                if let r = terminated["reason"]?.stringValue, !r.isEmpty {
                    reason = "Init:" + r
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if let waiting = status[path: "state", "waiting"]?["reason"]?.stringValue, !waiting.isEmpty, waiting != "PodInitializing" {
                initializing = true
                reason = "Init:" + waiting
            } else {
                initializing = true
                reason = "Init:\(index)/\(initCount)"
            }
            break
        }
        if !initializing {
            var hasRunning = false
            for status in (o[path: "status", "containerStatuses"]?.arrayValue ?? []).reversed() {
                if let waiting = status[path: "state", "waiting", "reason"]?.stringValue, !waiting.isEmpty {
                    reason = waiting
                } else if let terminated = status[path: "state", "terminated"] {
                    if let r = terminated["reason"]?.stringValue, !r.isEmpty {
                        reason = r
                    } else {
                        reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if status[path: "state", "running"] != nil, status["ready"]?.boolValue == true {
                    hasRunning = true
                }
            }
            if reason == "Completed" && hasRunning { reason = "Running" }
        }
        if o[path: "metadata", "deletionTimestamp"] != nil { reason = "Terminating" }
        return reason
    }

    // MARK: Service and Ingress

    static let service: [String: Provider] = [
        "Cluster-IP": stringOrNone("spec", "clusterIP"),
        "External-IP": { o, _ in
            let type = o[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            let external = strings(o[path: "spec", "externalIPs"])
            switch type {
            case "LoadBalancer":
                let ingress = (o[path: "status", "loadBalancer", "ingress"]?.arrayValue ?? []).compactMap {
                    $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
                }
                let all = ingress + external
                return .string(all.isEmpty ? "<pending>" : all.joined(separator: ","))
            case "ExternalName":
                return .string(o[path: "spec", "externalName"]?.stringValue ?? "<none>")
            default:
                return .string(external.isEmpty ? "<none>" : external.joined(separator: ","))
            }
        },
        "Port(s)": { o, _ in
            let ports = (o[path: "spec", "ports"]?.arrayValue ?? []).map { port -> String in
                let number = port["port"]?.intValue ?? 0
                let proto = port["protocol"]?.stringValue ?? "TCP"
                if let nodePort = port["nodePort"]?.intValue, nodePort > 0 { return "\(number):\(nodePort)/\(proto)" }
                return "\(number)/\(proto)"
            }
            return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
        },
        "Selector": { o, _ in .string(labelMapText(o[path: "spec", "selector"])) },
    ]

    static let ingress: [String: Provider] = [
        "Class": { o, _ in .string(o[path: "spec", "ingressClassName"]?.stringValue ?? "<none>") },
        "Hosts": { o, _ in
            let hosts = (o[path: "spec", "rules"]?.arrayValue ?? []).compactMap { $0["host"]?.stringValue }
            return .string(hosts.isEmpty ? "*" : hosts.joined(separator: ","))
        },
        "Address": { o, _ in
            let addresses = (o[path: "status", "loadBalancer", "ingress"]?.arrayValue ?? []).compactMap {
                $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
            }
            return .string(addresses.joined(separator: ","))
        },
        "Ports": { o, _ in .string(count(o[path: "spec", "tls"]) > 0 ? "80, 443" : "80") },
    ]

    // MARK: Events, policy, RBAC

    static func eventLastSeen(_ o: JSONValue) -> String? {
        o[path: "series", "lastObservedTime"]?.stringValue ?? o["lastTimestamp"]?.stringValue
            ?? o["eventTime"]?.stringValue ?? o["firstTimestamp"]?.stringValue
            ?? o[path: "metadata", "creationTimestamp"]?.stringValue
    }

    static let event: [String: Provider] = [
        "Last Seen": { o, now in .string(Timestamps.age(of: eventLastSeen(o), now: now)) },
        "First Seen": { o, now in
            .string(Timestamps.age(of: o["firstTimestamp"]?.stringValue ?? o["eventTime"]?.stringValue, now: now))
        },
        "Object": { o, _ in
            let kind = (o[path: "involvedObject", "kind"]?.stringValue ?? "").lowercased()
            let name = o[path: "involvedObject", "name"]?.stringValue ?? ""
            return .string(kind.isEmpty ? name : "\(kind)/\(name)")
        },
        "Source": { o, _ in
            let component = o[path: "source", "component"]?.stringValue ?? o["reportingComponent"]?.stringValue ?? ""
            let host = o[path: "source", "host"]?.stringValue ?? ""
            if component.isEmpty && host.isEmpty { return "<none>" }
            return .string(host.isEmpty ? component : "\(component), \(host)")
        },
        "Count": { o, _ in .int(o["count"]?.intValue ?? o[path: "series", "count"]?.intValue ?? 1) },
        "Name": { o, _ in o[path: "metadata", "name"] ?? "" },
    ]

    static let podDisruptionBudget: [String: Provider] = [
        "Min Available": { o, _ in .string(o[path: "spec", "minAvailable"].map(JSONPath.text(of:)) ?? "N/A") },
        "Max Unavailable": { o, _ in .string(o[path: "spec", "maxUnavailable"].map(JSONPath.text(of:)) ?? "N/A") },
        "Allowed Disruptions": { o, _ in .int(o[path: "status", "disruptionsAllowed"]?.intValue ?? 0) },
    ]

    static func subjects(_ o: JSONValue, kind: String) -> [String] {
        (o["subjects"]?.arrayValue ?? []).compactMap { subject -> String? in
            guard subject["kind"]?.stringValue == kind, let name = subject["name"]?.stringValue else { return nil }
            if kind == "ServiceAccount" { return "\(subject["namespace"]?.stringValue ?? ""):\(name)" }
            return name
        }
    }

    static let roleBinding: [String: Provider] = [
        "Role": { o, _ in
            .string("\(o[path: "roleRef", "kind"]?.stringValue ?? "")/\(o[path: "roleRef", "name"]?.stringValue ?? "")")
        },
        "Users": { o, _ in .string(subjects(o, kind: "User").joined(separator: ", ")) },
        "Groups": { o, _ in .string(subjects(o, kind: "Group").joined(separator: ", ")) },
        "ServiceAccounts": { o, _ in .string(subjects(o, kind: "ServiceAccount").joined(separator: ", ")) },
    ]
}
