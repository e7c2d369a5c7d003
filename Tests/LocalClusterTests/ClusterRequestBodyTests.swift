import Foundation
import JSON
import LocalCluster
import Testing

/// Request bodies as curl sends them: YAML as well as JSON, and the checks the API server
/// makes before a body reaches storage.
@Suite("Cluster request bodies")
struct ClusterRequestBodyTests {
    private let collection = "/api/v1/namespaces/default/configmaps"

    @Test("A YAML body creates the object; malformed YAML is a 400 that says where")
    func yamlBodies() async throws {
        try await RunningCluster.with { cluster in
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  enabled: \"yes\"\n"
            let created = try await cluster.curl(collection, ["-H", "Content-Type: application/yaml", "--data-binary", yaml])
            #expect(created.code == 201)
            #expect((try? JSONValue(parsing: created.body))?[path: "data", "enabled"] == "yes")

            let malformed = try await cluster.curl(collection, ["-H", "Content-Type: application/yaml", "--data-binary", "metadata:\n  name: [broken\n"])
            #expect(malformed.code == 400)
            let status = try? JSONValue(parsing: malformed.body)
            #expect(status?["kind"] == "Status")
            #expect(status?["message"]?.stringValue?.contains("line") == true)
        }
    }

    @Test("dryRun=All answers as if created and stores nothing")
    func dryRun() async throws {
        try await RunningCluster.with { cluster in
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}}"#
            let answered = try await cluster.curl(collection + "?dryRun=All", ["-H", "Content-Type: application/json", "-d", body])
            #expect(answered.code == 201)
            let read = try await cluster.curl(collection + "/dry")
            #expect(read.code == 404)
        }
    }

    @Test("A body whose name differs from the URL's is refused with 400")
    func nameMismatch() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.createConfigMap("real")
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}"#
            let replaced = try await cluster.curl(collection + "/real", ["-X", "PUT", "-H", "Content-Type: application/json", "-d", body])
            #expect(replaced.code == 400)
            #expect(replaced.body.contains("does not match the name on the URL"))
        }
    }
}
