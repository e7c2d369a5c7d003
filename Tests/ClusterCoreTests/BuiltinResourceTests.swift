import ClusterCore
import JSON
import Testing

func strategy(_ group: String, _ kind: String) throws -> ResourceStrategy {
    try #require(BuiltinResources.all.first { $0.type.group == group && $0.type.kind == kind })
}

func prepared(_ strategy: ResourceStrategy, _ object: JSONValue, old: JSONValue? = nil) -> JSONValue {
    var copy = object
    strategy.prepare(&copy, old)
    return copy
}

func sampleDeployment(selector: JSONValue = ["matchLabels": ["app": "web"]], labels: JSONValue = ["app": "web"]) -> JSONValue {
    [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "shop"],
        "spec": [
            "selector": selector,
            "template": [
                "metadata": ["labels": labels],
                "spec": ["containers": [["name": "web", "image": "shop/web:1.4.2", "ports": [["containerPort": 8080]]]]],
            ],
        ],
    ]
}

/// The value at a cause's field path such as `spec.ports[0].port`.
func value(at field: String, in object: JSONValue) -> JSONValue? {
    var current: JSONValue? = object
    for part in field.split(separator: ".") {
        var name = Substring(part)
        var index: Int?
        if let open = name.firstIndex(of: "["), name.last == "]" {
            index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            name = name[..<open]
        }
        current = current?[String(name)]
        if let index { current = current?[index] }
    }
    return current
}

@Suite("Built-in kinds")
struct BuiltinResourceTests {
    @Test("Every kind the cluster promises is served, with kubectl's short names")
    func catalog() {
        let types = BuiltinResources.types
        let kinds = Set(types.map(\.kind))
        for kind in ["Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service", "Deployment", "ReplicaSet", "Pod", "Ingress",
                     "Lease", "Event", "PodDisruptionBudget", "NetworkPolicy", "Role", "ClusterRole", "RoleBinding",
                     "ClusterRoleBinding", "CustomResourceDefinition"] {
            #expect(kinds.contains(kind), "missing \(kind)")
        }
        let shortNames = Dictionary(uniqueKeysWithValues: types.map { ($0.plural, $0.shortNames) })
        #expect(shortNames["configmaps"] == ["cm"])
        #expect(shortNames["deployments"] == ["deploy"])
        #expect(shortNames["replicasets"] == ["rs"])
        #expect(shortNames["ingresses"] == ["ing"])
        #expect(shortNames["poddisruptionbudgets"] == ["pdb"])
        #expect(shortNames["networkpolicies"] == ["netpol"])
        let all = Set(types.filter { $0.categories.contains("all") }.map(\.plural))
        #expect(all == ["pods", "services", "deployments", "replicasets"])
    }

    @Test("A Deployment gets the API server's defaults")
    func deploymentDefaults() throws {
        let d = prepared(try strategy("apps", "Deployment"), sampleDeployment())
        #expect(d[path: "spec", "replicas"] == 1)
        #expect(d[path: "spec", "strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        #expect(d[path: "spec", "revisionHistoryLimit"] == 10)
        #expect(d[path: "spec", "progressDeadlineSeconds"] == 600)
        let pod = try #require(d[path: "spec", "template", "spec"])
        #expect(pod["restartPolicy"] == "Always")
        #expect(pod["dnsPolicy"] == "ClusterFirst")
        #expect(pod["terminationGracePeriodSeconds"] == 30)
        let container = try #require(pod["containers"]?[0])
        #expect(container["imagePullPolicy"] == "IfNotPresent")
        #expect(container["terminationMessagePath"] == "/dev/termination-log")
        #expect(container["ports"]?[0]?["protocol"] == "TCP")
    }

    @Test("Explicit values survive defaulting; latest images are always pulled")
    func deploymentKeepsUserValues() throws {
        var d = sampleDeployment()
        d[path: "spec", "replicas"] = 3
        d[path: "spec", "strategy"] = ["type": "Recreate"]
        d[path: "spec", "template", "spec", "containers"] = [["name": "web", "image": "shop/web"]]
        let result = prepared(try strategy("apps", "Deployment"), d)
        #expect(result[path: "spec", "replicas"] == 3)
        #expect(result[path: "spec", "strategy"] == ["type": "Recreate"])
        #expect(result[path: "spec", "template", "spec", "containers"]?[0]?["imagePullPolicy"] == "Always")
    }

    @Test("A Deployment whose selector does not match its template labels is invalid")
    func selectorMismatch() throws {
        let s = try strategy("apps", "Deployment")
        let d = prepared(s, sampleDeployment(labels: ["app": "api"]))
        let causes = s.validate(d, nil)
        #expect(causes == [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`", field: "spec.template.metadata.labels")])
        let error = APIError.invalid(s.type, name: "web", causes: causes)
        #expect(error.code == 422)
        #expect(error.message == "Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`")
    }

    @Test("A Deployment needs a selector and containers with a name and an image")
    func deploymentRequiredFields() throws {
        let s = try strategy("apps", "Deployment")
        var d = sampleDeployment()
        d[path: "spec", "selector"] = nil
        d[path: "spec", "template", "spec", "containers"] = [["name": "web"], ["image": "x"]]
        let fields = s.validate(prepared(s, d), nil).map(\.field)
        #expect(fields.contains("spec.selector"))
        #expect(fields.contains("spec.template.spec.containers[0].image"))
        #expect(fields.contains("spec.template.spec.containers[1].name"))

        d[path: "spec", "template", "spec", "containers"] = .array([])
        #expect(s.validate(prepared(s, d), nil).map(\.field).contains("spec.template.spec.containers"))
    }

    @Test("A valid Deployment passes; its selector may not change on update")
    func deploymentValidAndImmutableSelector() throws {
        let s = try strategy("apps", "Deployment")
        var valid = sampleDeployment()
        valid[path: "spec", "template", "spec", "containers"] = [[
            "name": "web", "image": "shop/web:1.4.2",
            "resources": ["limits": ["cpu": 0.5, "memory": "128Mi"], "requests": ["cpu": 1]],
            "ports": [["containerPort": 8080]],
        ]]
        let d = prepared(s, valid)
        #expect(s.validate(d, nil).isEmpty)
        let changed = prepared(s, sampleDeployment(selector: ["matchLabels": ["app": "web", "tier": "x"]], labels: ["app": "web", "tier": "x"]))
        #expect(s.validate(changed, d).map(\.field) == ["spec.selector"])
    }

    @Test("A Service gets type, protocol, targetPort, session affinity and a stable cluster IP")
    func serviceDefaults() throws {
        let s = try strategy("", "Service")
        let svc: JSONValue = [
            "metadata": ["name": "web", "namespace": "shop"],
            "spec": ["selector": ["app": "web"], "ports": [["port": 80]]],
        ]
        let result = prepared(s, svc)
        #expect(result[path: "spec", "type"] == "ClusterIP")
        #expect(result[path: "spec", "sessionAffinity"] == "None")
        #expect(result[path: "spec", "ports"] == [["port": 80, "protocol": "TCP", "targetPort": 80]])
        let ip = try #require(result[path: "spec", "clusterIP"]?.stringValue)
        let octets = ip.split(separator: ".").compactMap { Int($0) }
        #expect(octets.count == 4 && octets[0] == 10 && (96...111).contains(octets[1]))
        #expect(result[path: "spec", "clusterIPs"] == [.string(ip)])
        #expect(s.validate(result, nil).isEmpty)
        // Same name, same address; another name, another address; updates keep the address.
        #expect(prepared(s, svc)[path: "spec", "clusterIP"] == .string(ip))
        var other = svc
        other[path: "metadata", "name"] = "api"
        #expect(prepared(s, other)[path: "spec", "clusterIP"] != .string(ip))
        var update = svc
        update[path: "metadata", "name"] = "renamed-but-same-object"
        #expect(prepared(s, update, old: result)[path: "spec", "clusterIP"] == .string(ip))
    }

    @Test("A NodePort Service gets node ports in range, kept on update and released when it becomes ClusterIP")
    func nodePorts() throws {
        let s = try strategy("", "Service")
        let svc: JSONValue = ["metadata": ["name": "web", "namespace": "shop"], "spec": ["type": "NodePort", "ports": [["port": 80]]]]
        let created = prepared(s, svc)
        let nodePort = try #require(created[path: "spec", "ports"]?[0]?["nodePort"]?.intValue)
        #expect((30000...32767).contains(nodePort))
        #expect(created[path: "spec", "externalTrafficPolicy"] == "Cluster")
        #expect(s.validate(created, nil).isEmpty)

        var switched = created
        switched[path: "spec", "type"] = "ClusterIP"
        let result = prepared(s, switched, old: created)
        #expect(result[path: "spec", "ports"]?[0]?["nodePort"] == nil)
        #expect(s.validate(result, created).isEmpty)
    }

    @Test("A Recreate Deployment may not carry rollingUpdate parameters")
    func recreateWithRollingUpdate() throws {
        let s = try strategy("apps", "Deployment")
        var d = sampleDeployment()
        d[path: "spec", "strategy"] = ["type": "Recreate", "rollingUpdate": ["maxSurge": 1]]
        #expect(s.validate(prepared(s, d), nil).map(\.field) == ["spec.strategy.rollingUpdate"])
    }

    @Test("A new Pod is Pending and runs as the default service account")
    func podDefaults() throws {
        let pod = prepared(try strategy("", "Pod"), ["metadata": ["name": "p"], "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]]])
        #expect(pod[path: "status", "phase"] == "Pending")
        #expect(pod[path: "spec", "serviceAccountName"] == "default")
        #expect(pod[path: "spec", "containers"]?[0]?["imagePullPolicy"] == "IfNotPresent")
    }

    @Test("Service ports are required, in range, and uniquely named")
    func serviceValidation() throws {
        let s = try strategy("", "Service")
        let noPorts = prepared(s, ["metadata": ["name": "a", "namespace": "x"], "spec": ["selector": ["app": "a"]]])
        #expect(s.validate(noPorts, nil).map(\.field) == ["spec.ports"])
        let bad = prepared(s, ["metadata": ["name": "a", "namespace": "x"], "spec": ["ports": [
            ["name": "http", "port": 0], ["name": "http", "port": 70000], ["port": 81],
        ]]])
        let causes = s.validate(bad, nil)
        #expect(causes.contains(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: 0: must be between 1 and 65535, inclusive", field: "spec.ports[0].port")))
        #expect(causes.contains { $0.field == "spec.ports[1].port" })
        #expect(causes.contains(StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \"http\"", field: "spec.ports[1].name")))
        #expect(causes.contains(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.ports[2].name")))
    }

    @Test("Secret stringData is merged into data, base64-encoded; bad base64 is refused without echoing it")
    func secretStringData() throws {
        let s = try strategy("", "Secret")
        let secret = prepared(s, ["metadata": ["name": "db"], "data": ["user": "YWRtaW4="], "stringData": ["password": "hunter2", "user": "root"]])
        #expect(secret["stringData"] == nil)
        #expect(secret["type"] == "Opaque")
        #expect(secret["data"] == ["user": "cm9vdA==", "password": "aHVudGVyMg=="])
        #expect(s.validate(secret, nil).isEmpty)
        let bad = prepared(s, ["metadata": ["name": "db"], "data": ["token": "not base64!"]])
        let causes = s.validate(bad, nil)
        #expect(causes.map(\.field) == ["data[token]"])
        #expect(!causes[0].message.contains("not base64!"))
    }

    @Test("Values of the wrong type are refused, not defaulted over", arguments: [
        ("apps", "Deployment", "spec.replicas", ["spec": ["replicas": "three"]]),
        ("apps", "Deployment", "spec", ["spec": "everything"]),
        ("", "ConfigMap", "data", ["data": "a=1"]),
        ("", "Service", "spec.ports[0].port", ["spec": ["ports": [["port": ["number": 80]]]]]),
        ("", "Pod", "spec.containers", ["spec": ["containers": ["name": "c"]]]),
    ] as [(String, String, String, JSONValue)])
    func wrongTypes(group: String, kind: String, field: String, body: JSONValue) throws {
        let s = try strategy(group, kind)
        var object = body
        object["metadata"] = ["name": "x", "namespace": "shop"]
        let result = prepared(s, object)
        #expect(value(at: field, in: result) == value(at: field, in: object), "the wrong value was replaced")
        let causes = s.validate(result, nil)
        #expect(causes.map(\.field) == [field], "\(causes)")
        #expect(causes.first?.reason == "FieldValueTypeInvalid")
    }

    @Test("A Namespace is Active with the kubernetes finalizer")
    func namespaceDefaults() throws {
        let ns = prepared(try strategy("", "Namespace"), ["metadata": ["name": "shop"]])
        #expect(ns[path: "status", "phase"] == "Active")
        #expect(ns[path: "spec", "finalizers"] == ["kubernetes"])
    }

    @Test("A RoleBinding's roleRef must name a Role or ClusterRole")
    func roleBindingValidation() throws {
        let s = try strategy("rbac.authorization.k8s.io", "RoleBinding")
        let binding: JSONValue = ["metadata": ["name": "b"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Deployment", "name": "x"], "subjects": [["kind": "User", "name": "ana"]]]
        #expect(s.validate(binding, nil).map(\.field) == ["roleRef.kind"])
    }
}
