import Foundation
import JSON
import LocalCluster
import Testing

/// The real kubectl against the embedded cluster, over TLS with the generated kubeconfig's
/// client certificate: what works here works against a real cluster.
@Suite("Cluster with kubectl")
struct ClusterKubectlTests {
    @Test("api-resources lists built-in and custom kinds with their short names")
    func apiResources() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("crd.yaml", Manifests.widgetCRD)])
            try await cluster.kubectlOK(["wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s"])
            let output = try await cluster.kubectlOK(["api-resources"])
            let rows = output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            func row(_ name: String) -> (shortNames: [String], kind: String?)? {
                guard let cells = rows.first(where: { $0.first == name }), cells.count >= 5 else { return nil }
                return (cells[1].split(separator: ",").map(String.init), cells.last)
            }
            #expect(row("deployments")?.shortNames == ["deploy"])
            #expect(row("deployments")?.kind == "Deployment")
            #expect(row("configmaps")?.shortNames == ["cm"])
            #expect(row("customresourcedefinitions")?.shortNames.contains("crd") == true)
            #expect(row("widgets")?.shortNames == ["wdg"])
            #expect(row("widgets")?.kind == "Widget")
        }
    }

    @Test("A CRD applied, established, and its custom resources served with printer columns, YAML, watch and wait")
    func customResources() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("crd.yaml", Manifests.widgetCRD)])
            try await cluster.kubectlOK(["wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s"])
            try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("w1.yaml", Manifests.widget("w1", size: 3, color: "blue"))])

            let table = try await cluster.kubectlOK(["get", "widgets"])
            #expect(table.contains("SIZE"))
            #expect(table.contains("COLOR"))
            let row = table.split(separator: "\n").first { $0.hasPrefix("w1 ") }.map { $0.split(separator: " ").map(String.init) }
            #expect(row?.contains("3") == true)
            #expect(row?.contains("blue") == true)

            let yaml = try await cluster.kubectlOK(["get", "wdg", "w1", "-o", "yaml"])
            #expect(yaml.contains("kind: Widget"))
            #expect(yaml.contains("color: blue"))
            #expect(yaml.contains("uid:"))

            // A watch started now receives a widget created later.
            let watch = try cluster.startKubectl(["get", "widgets", "-w"])
            defer { watch.terminate() }
            #expect(try await watch.waitForOutput(containing: "w1"), "kubectl get -w printed: \(watch.stdout) \(watch.stderr)")
            try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("w2.yaml", Manifests.widget("w2", size: 5, color: "red"))])
            #expect(try await watch.waitForOutput(containing: "w2"), "kubectl get -w printed: \(watch.stdout) \(watch.stderr)")

            // kubectl wait returns once the status subresource says Ready.
            let wait = try cluster.startKubectl(["wait", "--for=condition=Ready", "widget/w1", "--timeout=60s"])
            defer { wait.terminate() }
            try await cluster.kubectlOK([
                "patch", "widget", "w1", "--subresource=status", "--type=merge",
                "-p", #"{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Built"}]}}"#,
            ])
            #expect(try await wait.waitForExit())
            #expect(wait.exitStatus == 0, "kubectl wait: \(wait.stdout) \(wait.stderr)")
            #expect(wait.stdout.contains("condition met"))

            // Fields the schema does not declare are refused, since kubectl asks for strict validation.
            let unknownField = try await cluster.kubectl(
                ["apply", "-f", try cluster.manifest("w3.yaml", Manifests.widget("w3", size: 1, color: "green") + "\n  shape: round\n")])
            #expect(unknownField.status != 0)
            #expect(unknownField.stderr.contains("unknown field \"spec.shape\""), "\(unknownField.stderr)")

            // Writes to the object leave the status alone.
            try await cluster.kubectlOK(["patch", "widget", "w1", "--type=merge", "-p", #"{"spec":{"size":4},"status":{"conditions":[]}}"#])
            let ready = try await cluster.kubectlOK(["get", "widget", "w1", "-o", "jsonpath={.spec.size} {.status.conditions[0].status}"])
            #expect(ready == "4 True")

            // Deleting the CRD stops serving its kind.
            try await cluster.kubectlOK(["delete", "crd", "widgets.example.com"])
            try await RunningCluster.eventually("widgets to stop being served") {
                let result = try await cluster.kubectl(["get", "widgets"])
                // kubectl words it by whether its discovery cache still lists the kind.
                return result.status != 0
                    && (result.stderr.contains("doesn't have a resource type") || result.stderr.contains("could not find the requested resource"))
            }
        }
    }

    @Test("Deployments: patch of each type, annotate, label, and a re-apply of an edited manifest")
    func deploymentEdits() async throws {
        try await RunningCluster.with { cluster in
            let first = try cluster.manifest("web.yaml", Manifests.deployment("web", image: "shop/web:1.0", env: [("MODE", "blue")]))
            try await cluster.kubectlOK(["apply", "-f", first])

            try await cluster.kubectlOK(["patch", "deployment", "web", "--type", "merge", "-p", #"{"spec":{"replicas":3}}"#])
            try await cluster.kubectlOK(["patch", "deployment", "web", "--type", "json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":4}]"#])
            try await cluster.kubectlOK([
                "patch", "deployment", "web", "--type", "strategic",
                "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"shop/proxy:2"}]}}}}"#,
            ])
            let afterPatches = try await cluster.kubectlOK([
                "get", "deployment", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].name}",
            ])
            // A strategic merge puts containers the patch adds first, as kube-apiserver does.
            #expect(afterPatches == "4 sidecar web")

            try await cluster.kubectlOK(["annotate", "deployment", "web", "slipway.dev/owner=payments"])
            try await cluster.kubectlOK(["label", "deployment", "web", "tier=frontend"])
            let labelled = try await cluster.kubectlOK(["get", "deployments", "-l", "tier=frontend", "-o", "name"])
            #expect(labelled.trimmingCharacters(in: .whitespacesAndNewlines) == "deployment.apps/web")
            let annotation = try await cluster.kubectlOK(["get", "deployment", "web", "-o", #"jsonpath={.metadata.annotations.slipway\.dev/owner}"#])
            #expect(annotation == "payments")

            let edited = try cluster.manifest(
                "web2.yaml", Manifests.deployment("web", image: "shop/web:2.0", env: [("MODE", "green"), ("LOG", "debug")]))
            try await cluster.kubectlOK(["apply", "-f", edited])
            let container = try await cluster.kubectlOK([
                "get", "deployment", "web", "-o",
                #"jsonpath={.spec.template.spec.containers[?(@.name=="web")].image} {.spec.template.spec.containers[?(@.name=="web")].env[*].value}"#,
            ])
            #expect(container == "shop/web:2.0 green debug")
            let generation = try await cluster.kubectlOK(["get", "deployment", "web", "-o", "jsonpath={.metadata.generation}"])
            #expect((Int(generation) ?? 0) >= 4)

            // kubectl scale goes through the scale subresource.
            try await cluster.kubectlOK(["scale", "deployment", "web", "--replicas=6"])
            #expect(try await cluster.kubectlOK(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]) == "6")

            // Server-side apply records its field manager.
            let applied = try cluster.manifest("api.yaml", Manifests.deployment("api", image: "shop/api:1", env: [("PORT", "80")]))
            try await cluster.kubectlOK(["apply", "--server-side", "--field-manager=slipway-test", "-f", applied])
            let managers = try await cluster.kubectlOK([
                "get", "deployment", "api", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}",
            ])
            #expect(managers.contains("slipway-test"))
        }
    }

    @Test("delete --cascade foreground and background remove the objects a Deployment owns")
    func cascadingDelete() async throws {
        try await RunningCluster.with { cluster in
            for (name, cascade) in [("front", "foreground"), ("back", "background")] {
                try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("\(name).yaml", Manifests.deployment(name, image: "shop/web:1", env: [("A", "1")]))])
                let uid = try await cluster.kubectlOK(["get", "deployment", name, "-o", "jsonpath={.metadata.uid}"])
                #expect(!uid.isEmpty)
                try await cluster.kubectlOK([
                    "apply", "-f", try cluster.manifest("\(name)-cm.yaml", Manifests.ownedConfigMap("\(name)-config", ownerKind: "Deployment", ownerName: name, ownerUID: uid)),
                ])
                try await cluster.kubectlOK(["delete", "deployment", name, "--cascade=\(cascade)", "--wait=true", "--timeout=30s"])
                try await RunningCluster.eventually("\(name)-config to be garbage-collected") {
                    let result = try await cluster.kubectl(["get", "configmap", "\(name)-config", "-o", "name"])
                    return result.status != 0 && result.stderr.contains("NotFound")
                }
                let deployment = try await cluster.kubectl(["get", "deployment", name])
                #expect(deployment.status != 0)
            }
        }
    }

    @Test("kubectl create of built-in kinds, which client-go sends as protobuf")
    func typedCreates() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.kubectlOK(["create", "namespace", "shop"])
            try await cluster.kubectlOK(["create", "secret", "generic", "db", "-n", "shop", "--from-literal=password=s3cret"])
            try await cluster.kubectlOK(["create", "serviceaccount", "robot", "-n", "shop"])
            try await cluster.kubectlOK(["create", "deployment", "web", "-n", "shop", "--image=shop/web:1.0", "--replicas=3", "--port=8080"])
            try await cluster.kubectlOK(["create", "service", "clusterip", "web", "-n", "shop", "--tcp=80:8080"])
            try await cluster.kubectlOK(["create", "role", "reader", "-n", "shop", "--verb=get,list", "--resource=configmaps"])
            try await cluster.kubectlOK(["create", "rolebinding", "robot-reads", "-n", "shop", "--role=reader", "--serviceaccount=shop:robot"])

            let secret = try await cluster.kubectlOK(["get", "secret", "db", "-n", "shop", "-o", "jsonpath={.data.password}"])
            #expect(Data(base64Encoded: secret).map { String(decoding: $0, as: UTF8.self) } == "s3cret")
            let deployment = try await cluster.kubectlOK([
                "get", "deployment", "web", "-n", "shop", "-o",
                "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}",
            ])
            #expect(deployment == "3 web shop/web:1.0 8080")
            let service = try await cluster.kubectlOK(["get", "service", "web", "-n", "shop", "-o", "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.type}"])
            #expect(service == "80 8080 ClusterIP")
            let binding = try await cluster.kubectlOK(["get", "rolebinding", "robot-reads", "-n", "shop", "-o", "jsonpath={.roleRef.name} {.subjects[0].name}"])
            #expect(binding == "reader robot")
        }
    }

    @Test("Bad input gets a clear error from the server, and the cluster keeps serving")
    func badInput() async throws {
        try await RunningCluster.with { cluster in
            let malformed = try await cluster.kubectl(["apply", "-f", try cluster.manifest("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n")])
            #expect(malformed.status != 0)
            #expect(!malformed.stderr.isEmpty)

            let unknown = try await cluster.kubectl(["get", "gizmos"])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("doesn't have a resource type \"gizmos\""))

            let invalid = try await cluster.kubectl(
                ["create", "-f", "-"], stdin: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}}"#)
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("Invalid") || invalid.stderr.contains("invalid"))

            let missing = try await cluster.kubectl(["get", "configmap", "nothing-here"])
            #expect(missing.stderr.contains("configmaps \"nothing-here\" not found"))

            try await cluster.kubectlOK(["create", "configmap", "still-serving", "--from-literal=a=b"])
            #expect(try await cluster.kubectlOK(["get", "configmap", "still-serving", "-o", "jsonpath={.data.a}"]) == "b")
        }
    }
}
