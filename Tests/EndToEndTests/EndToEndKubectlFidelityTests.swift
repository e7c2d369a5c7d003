import Foundation
import JSON
import Testing

/// The real kubectl against `slipway cluster` where it depends on more than plain CRUD: files
/// of `kind: List` (validated client-side with `/openapi/v2`), kinds whose CRD is not installed,
/// and server-side apply by several field managers.
@Suite("End to end: kubectl fidelity", .serialized)
struct EndToEndKubectlFidelityTests {
    @Test("kubectl apply -f of a List written by kubectl get -o json creates every object; unknown fields are refused as kubectl refuses them")
    func applyList() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.kubectl(["create", "namespace", "fidelity"])
            try await cluster.kubectl(["create", "configmap", "settings", "-n", "fidelity", "--from-literal=mode=blue"])
            try await cluster.kubectl(["create", "deployment", "web", "-n", "fidelity", "--image=registry.example.com/shop/web:1.0", "--replicas=2"])
            try await cluster.kubectl(["create", "service", "clusterip", "web", "-n", "fidelity", "--tcp=80:8080"])
            let list = try await cluster.kubectl(["get", "configmap/settings", "deployment/web", "service/web", "-n", "fidelity", "-o", "json"])
            #expect(list.contains(#""kind": "List""#))
            let file = cluster.directory.appendingPathComponent("list.json")
            try list.write(to: file, atomically: true, encoding: .utf8)

            try await cluster.kubectl(["delete", "configmap/settings", "deployment/web", "service/web", "-n", "fidelity", "--wait=true"])
            let gone = try await waitUntil(timeout: .seconds(30)) {
                let left = try await cluster.kubectlResult(["get", "configmap,deployment,service", "-n", "fidelity", "-o", "name"])
                return left.status == 0 && left.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
            #expect(gone, "the objects were not deleted")

            let applied = try await cluster.kubectlResult(["apply", "-f", file.path])
            #expect(applied.status == 0, "kubectl apply of a List failed: \(applied.stderr)")
            #expect(!applied.stderr.contains("error validating"))
            for line in ["configmap/settings created", "deployment.apps/web created", "service/web created"] {
                #expect(applied.stdout.contains(line), "\(applied.stdout)")
            }
            let mode = try await cluster.kubectl(["get", "configmap", "settings", "-n", "fidelity", "-o", "jsonpath={.data.mode}"])
            #expect(mode == "blue")
            let replicas = try await cluster.kubectl(["get", "deployment", "web", "-n", "fidelity", "-o", "jsonpath={.spec.replicas}"])
            #expect(replicas == "2")

            // kubectl checks the items against the /openapi/v2 definitions itself.
            let bad = cluster.directory.appendingPathComponent("bad.json")
            try #"""
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad","namespace":"fidelity"},"data":{"a":"1"},"bogus":1}]}
            """#.write(to: bad, atomically: true, encoding: .utf8)
            let refused = try await cluster.kubectlResult(["apply", "-f", bad.path])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(#"unknown field "bogus" in io.k8s.api.core.v1.ConfigMap"#), "\(refused.stderr)")
        }
    }

    @Test("applying a kind whose CRD is not installed prints kubectl's own no-matches message")
    func kindWithoutCRD() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.kubectl(["create", "namespace", "shop"])
            let catalog = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests/examples/catalog.yaml").path
            let result = try await cluster.kubectlResult(["apply", "-f", catalog])
            #expect(result.status != 0)
            #expect(result.stderr.contains(#"no matches for kind "VirtualService" in version "networking.istio.io/v1""#), "\(result.stderr)")
            #expect(result.stderr.contains("ensure CRDs are installed first"), "\(result.stderr)")
            #expect(!result.stderr.contains("error validating data"), "\(result.stderr)")
            // What the cluster does serve was still created.
            #expect(result.stdout.contains("deployment.apps/catalog-stable created"), "\(result.stdout)")
        }
    }

    @Test("server-side apply by a second manager conflicts on owned fields until forced; own fields and removals behave as on kube-apiserver")
    func serverSideApplyConflicts() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            func configuration(_ name: String, _ data: KeyValuePairs<String, String>) throws -> String {
                let file = cluster.directory.appendingPathComponent(name)
                let lines = data.map { "  \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
                try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: default\ndata:\n\(lines)\n"
                    .write(to: file, atomically: true, encoding: .utf8)
                return file.path
            }
            func apply(_ manager: String, _ file: String, force: Bool = false) async throws -> (status: Int32, stdout: String, stderr: String) {
                try await cluster.kubectlResult(["apply", "--server-side", "--field-manager=\(manager)", "-f", file] + (force ? ["--force-conflicts"] : []))
            }
            func data() async throws -> String {
                try await cluster.kubectl(["get", "configmap", "shared", "-o", "jsonpath={.data}"])
            }
            /// The data keys `manager`'s Apply entry owns, as `kubectl get --show-managed-fields` shows them.
            func owned(by manager: String) async throws -> [String] {
                let object = try JSONValue(parsing: try await cluster.kubectl(["get", "configmap", "shared", "--show-managed-fields", "-o", "json"]))
                let entry = object[path: "metadata", "managedFields"]?.arrayValue?.first { $0["manager"]?.stringValue == manager }
                return (entry?[path: "fieldsV1", "f:data"]?.objectValue?.keys).map(Array.init) ?? []
            }

            let first = try await apply("alice", try configuration("alice-1.yaml", ["replicas": "3", "mode": "blue"]))
            #expect(first.status == 0, "\(first.stderr)")

            // bob changes alice's field: refused, nothing changes.
            let bobFile = try configuration("bob.yaml", ["replicas": "5"])
            let refused = try await apply("bob", bobFile)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(#"Apply failed with 1 conflict: conflict with "alice": .data.replicas"#), "\(refused.stderr)")
            #expect(refused.stderr.contains("--force-conflicts"))
            #expect(try await data() == #"{"mode":"blue","replicas":"3"}"#)

            // Forced, bob takes the field: he alone owns it now.
            let forced = try await apply("bob", bobFile, force: true)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(try await data() == #"{"mode":"blue","replicas":"5"}"#)
            #expect(try await owned(by: "bob") == ["f:replicas"])
            #expect(try await owned(by: "alice") == ["f:mode"])

            // alice re-applying her own field with a new value is no conflict.
            let own = try await apply("alice", try configuration("alice-2.yaml", ["mode": "green", "tier": "web"]))
            #expect(own.status == 0, "\(own.stderr)")
            #expect(try await data() == #"{"mode":"green","replicas":"5","tier":"web"}"#)

            // bob applies tier with the value it has: shared, no conflict. alice then drops both
            // mode and tier: mode, which nobody else owns, goes; tier, which bob owns too, stays.
            let shared = try await apply("bob", try configuration("bob-2.yaml", ["replicas": "5", "tier": "web"]))
            #expect(shared.status == 0, "\(shared.stderr)")
            let dropped = try await apply("alice", try configuration("alice-3.yaml", ["owner": "payments"]))
            #expect(dropped.status == 0, "\(dropped.stderr)")
            #expect(try await data() == #"{"owner":"payments","replicas":"5","tier":"web"}"#)
        }
    }
}

extension EndToEndCluster {
    /// kubectl with this cluster's kubeconfig, its exit status and both outputs, for tests
    /// that expect it to fail.
    func kubectlResult(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        guard let kubectl = Self.kubectlPath else { throw EndToEndError("kubectl is not on PATH") }
        return try await runProgram(kubectl, arguments + ["--cache-dir", directory.appendingPathComponent("kube-cache").path],
                                    environment: ["KUBECONFIG": kubeconfig])
    }
}
