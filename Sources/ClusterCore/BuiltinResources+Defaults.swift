import Foundation
import JSON

extension BuiltinResources {
    /// The defaults the API server fills in on write, so that what a client reads back (and
    /// what `kubectl apply` diffs against) looks as it would on a real cluster.
    /// https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go
    enum Defaults {
        /// Sets a default where the field is absent or null. A parent of the wrong type (a
        /// string where `spec` belongs) is left alone for validation to report.
        static func setIfAbsent(_ object: inout JSONValue, _ path: [String], _ value: JSONValue) {
            guard isObjectPath(object, path.dropLast()) else { return }
            if object[pathComponents: path] == nil || object[pathComponents: path]?.isNull == true {
                object[pathComponents: path] = value
            }
        }

        /// Whether every member along `path` that exists is an object (absent ones are created).
        static func isObjectPath(_ object: JSONValue, _ path: ArraySlice<String>) -> Bool {
            guard case .object = object else { return false }
            var current = object
            for key in path {
                guard let next = current[key], !next.isNull else { return true }
                guard case .object = next else { return false }
                current = next
            }
            return true
        }

        // MARK: Namespace and Secret

        static func namespace(_ object: inout JSONValue, old: JSONValue?) {
            setIfAbsent(&object, ["spec", "finalizers"], ["kubernetes"])
            if old == nil { setIfAbsent(&object, ["status", "phase"], "Active") }
        }

        /// `stringData` is write-only: its entries are base64-encoded into `data`, winning over
        /// the same keys there, as the API server does.
        static func secret(_ object: inout JSONValue) {
            setIfAbsent(&object, ["type"], "Opaque")
            guard let stringData = object["stringData"], isObjectPath(object, ["data"]) else { return }
            object["stringData"] = nil
            guard case .object(let entries) = stringData else { return }
            var data = object["data"]?.objectValue ?? [:]
            for (key, value) in entries {
                let text = value.stringValue ?? JSONPath.text(of: value)
                data[key] = .string(Data(text.utf8).base64EncodedString())
            }
            object["data"] = .object(data)
        }

        // MARK: Service

        /// Type ClusterIP, protocol TCP, targetPort = port, sessionAffinity None, and a
        /// cluster IP from 10.96.0.0/12 derived from namespace/name (stable across restarts,
        /// kept from the old object on update, as an allocated IP is).
        static func service(_ object: inout JSONValue, old: JSONValue?) {
            guard isObjectPath(object, ["spec"]) else { return }
            setIfAbsent(&object, ["spec", "type"], "ClusterIP")
            setIfAbsent(&object, ["spec", "sessionAffinity"], "None")
            let type = object[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            let key = "\(object[path: "metadata", "namespace"]?.stringValue ?? "")/\(object[path: "metadata", "name"]?.stringValue ?? "")"

            let oldType = old?[path: "spec", "type"]?.stringValue ?? "ClusterIP"
            let hadNodePorts = oldType == "NodePort" || oldType == "LoadBalancer"
            let hasNodePorts = type == "NodePort" || type == "LoadBalancer"
            if var ports = object[path: "spec", "ports"]?.arrayValue {
                let oldPorts = old?[path: "spec", "ports"]?.arrayValue ?? []
                for index in ports.indices {
                    guard case .object = ports[index] else { continue }
                    setIfAbsent(&ports[index], ["protocol"], "TCP")
                    // Leaving NodePort/LoadBalancer releases the node ports the server allocated.
                    if hadNodePorts && !hasNodePorts, let nodePort = ports[index]["nodePort"],
                       oldPorts.contains(where: { $0["nodePort"] == nodePort }) {
                        ports[index]["nodePort"] = nil
                    }
                    if let port = ports[index]["port"], case .int = port, ports[index]["targetPort"] == nil { ports[index]["targetPort"] = port }
                    if type == "NodePort" || type == "LoadBalancer", ports[index]["nodePort"] == nil {
                        let previous = oldPorts.first { $0["port"] == ports[index]["port"] && $0["protocol"] == ports[index]["protocol"] }
                        ports[index]["nodePort"] = previous?["nodePort"] ?? .int(nodePort(for: key, index: index))
                    }
                }
                object[path: "spec", "ports"] = .array(ports)
            }

            guard type != "ExternalName" else {
                // An ExternalName Service has no cluster IP; one kept from an earlier type goes.
                if let previous = old?[path: "spec", "clusterIP"], object[path: "spec", "clusterIP"] == previous {
                    object[path: "spec", "clusterIP"] = nil
                    object[path: "spec", "clusterIPs"] = nil
                }
                return
            }
            let current = object[path: "spec", "clusterIP"]?.stringValue ?? ""
            if current.isEmpty {
                let previous = old?[path: "spec", "clusterIP"]?.stringValue ?? ""
                object[path: "spec", "clusterIP"] = .string(previous.isEmpty ? clusterIP(for: key) : previous)
            }
            if let ip = object[path: "spec", "clusterIP"], object[path: "spec", "clusterIPs"] == nil {
                object[path: "spec", "clusterIPs"] = [ip]
            }
            setIfAbsent(&object, ["spec", "ipFamilies"], ["IPv4"])
            setIfAbsent(&object, ["spec", "ipFamilyPolicy"], "SingleStack")
            setIfAbsent(&object, ["spec", "internalTrafficPolicy"], "Cluster")
            if type == "NodePort" || type == "LoadBalancer" {
                setIfAbsent(&object, ["spec", "externalTrafficPolicy"], "Cluster")
            }
            setIfAbsent(&object, ["status", "loadBalancer"], .emptyObject)
        }

        static func fnv1a(_ text: String) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }

        /// An address in 10.96.0.0/12 other than the network address and 10.96.0.1 (the
        /// `kubernetes` Service's), chosen by hashing namespace/name.
        static func clusterIP(for key: String) -> String {
            let offset = 2 + Int(fnv1a(key) % UInt64((1 << 20) - 3))
            let address = (10 << 24) | (96 << 16) + offset
            return "\(address >> 24 & 255).\(address >> 16 & 255).\(address >> 8 & 255).\(address & 255)"
        }

        /// A port in the default NodePort range 30000-32767.
        static func nodePort(for key: String, index: Int) -> Int {
            30000 + Int(fnv1a("\(key)#\(index)") % 2768)
        }

        // MARK: Workloads

        static func deployment(_ object: inout JSONValue, old: JSONValue?) {
            setIfAbsent(&object, ["spec", "replicas"], 1)
            setIfAbsent(&object, ["spec", "strategy", "type"], "RollingUpdate")
            if object[path: "spec", "strategy", "type"] == "RollingUpdate" {
                setIfAbsent(&object, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
                setIfAbsent(&object, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            setIfAbsent(&object, ["spec", "revisionHistoryLimit"], 10)
            setIfAbsent(&object, ["spec", "progressDeadlineSeconds"], 600)
            podTemplate(&object)
        }

        static func replicaSet(_ object: inout JSONValue, old: JSONValue?) {
            setIfAbsent(&object, ["spec", "replicas"], 1)
            podTemplate(&object)
        }

        static func podTemplate(_ object: inout JSONValue) {
            guard var spec = object[path: "spec", "template", "spec"], case .object = spec else { return }
            podSpec(&spec)
            object[path: "spec", "template", "spec"] = spec
            if object[path: "spec", "template", "metadata"] == nil { object[path: "spec", "template", "metadata"] = .emptyObject }
        }

        static func pod(_ object: inout JSONValue, old: JSONValue?) {
            if var spec = object["spec"], case .object = spec {
                podSpec(&spec)
                object["spec"] = spec
            }
            if old == nil {
                // What the API server's admission adds to every new pod.
                if case .object? = object["spec"] {
                    setIfAbsent(&object, ["spec", "enableServiceLinks"], true)
                    setIfAbsent(&object, ["spec", "priority"], 0)
                    setIfAbsent(&object, ["spec", "preemptionPolicy"], "PreemptLowerPriority")
                    setIfAbsent(&object, ["spec", "serviceAccountName"], "default")
                    setIfAbsent(&object, ["spec", "serviceAccount"], object[path: "spec", "serviceAccountName"] ?? "default")
                }
                setIfAbsent(&object, ["status", "phase"], "Pending")
                setIfAbsent(&object, ["status", "qosClass"], "BestEffort")
            }
        }

        static func podSpec(_ spec: inout JSONValue) {
            setIfAbsent(&spec, ["restartPolicy"], "Always")
            setIfAbsent(&spec, ["terminationGracePeriodSeconds"], 30)
            setIfAbsent(&spec, ["dnsPolicy"], "ClusterFirst")
            setIfAbsent(&spec, ["securityContext"], .emptyObject)
            setIfAbsent(&spec, ["schedulerName"], "default-scheduler")
            for list in ["containers", "initContainers"] {
                guard var containers = spec[list]?.arrayValue else { continue }
                for index in containers.indices { container(&containers[index]) }
                spec[list] = .array(containers)
            }
            if var volumes = spec["volumes"]?.arrayValue {
                for index in volumes.indices {
                    for source in ["configMap", "secret"] where volumes[index][source] != nil {
                        setIfAbsent(&volumes[index], [source, "defaultMode"], 420)
                    }
                    if volumes[index]["emptyDir"]?.isNull == true { volumes[index]["emptyDir"] = .emptyObject }
                }
                spec["volumes"] = .array(volumes)
            }
        }

        /// imagePullPolicy Always for `:latest` or untagged images, IfNotPresent otherwise.
        static func imagePullPolicy(for image: String) -> String {
            if image.contains("@") { return "IfNotPresent" }
            let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
            guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
            return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
        }

        static func container(_ container: inout JSONValue) {
            guard case .object = container else { return }
            if let image = container["image"]?.stringValue {
                setIfAbsent(&container, ["imagePullPolicy"], .string(imagePullPolicy(for: image)))
            }
            setIfAbsent(&container, ["terminationMessagePath"], "/dev/termination-log")
            setIfAbsent(&container, ["terminationMessagePolicy"], "File")
            setIfAbsent(&container, ["resources"], .emptyObject)
            if var ports = container["ports"]?.arrayValue {
                for index in ports.indices { setIfAbsent(&ports[index], ["protocol"], "TCP") }
                container["ports"] = .array(ports)
            }
            if var env = container["env"]?.arrayValue {
                for index in env.indices where env[index][path: "valueFrom", "fieldRef"] != nil {
                    setIfAbsent(&env[index], ["valueFrom", "fieldRef", "apiVersion"], "v1")
                }
                container["env"] = .array(env)
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where container[probe] != nil {
                setIfAbsent(&container, [probe, "timeoutSeconds"], 1)
                setIfAbsent(&container, [probe, "periodSeconds"], 10)
                setIfAbsent(&container, [probe, "successThreshold"], 1)
                setIfAbsent(&container, [probe, "failureThreshold"], 3)
                if container[probe]?["httpGet"] != nil { setIfAbsent(&container, [probe, "httpGet", "scheme"], "HTTP") }
            }
        }

        // MARK: Networking

        /// policyTypes defaults to Ingress, plus Egress when egress rules are given.
        static func networkPolicy(_ object: inout JSONValue) {
            guard isObjectPath(object, ["spec"]), object[path: "spec", "policyTypes"] == nil else { return }
            var types: [JSONValue] = ["Ingress"]
            if object[path: "spec", "egress"] != nil { types.append("Egress") }
            object[path: "spec", "policyTypes"] = .array(types)
        }
    }
}
