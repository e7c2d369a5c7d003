import Foundation
import JSON
import LocalCluster
import Testing

/// Who may talk to the cluster: a client certificate its CA signed, or its bearer token.
@Suite("Cluster authentication")
struct ClusterAuthenticationTests {
    /// curl with the cluster CA trusted, plus the given arguments; returns status code and body.
    private func curl(_ cluster: RunningCluster, _ path: String, _ extra: [String] = []) async throws -> (code: Int, body: JSONValue?) {
        let credentials = try #require(cluster.endpoint.credentials)
        let ca = try cluster.manifest("ca.crt", credentials.caCertificatePEM)
        let result = try await Command.run(
            Command.find("curl"),
            ["-sS", "--cacert", ca, "-w", "\n%{http_code}", cluster.endpoint.url + path] + extra)
        #expect(result.status == 0, "curl failed: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.last ?? "") ?? 0
        let body = lines.dropLast().joined(separator: "\n")
        return (code, try? JSONValue(parsing: body))
    }

    @Test("No credentials: 401 with a Status")
    func anonymousIsRefused() async throws {
        try await RunningCluster.with { cluster in
            let (code, body) = try await curl(cluster, "/api/v1/namespaces")
            #expect(code == 401)
            #expect(body?["kind"] == "Status")
            #expect(body?["reason"] == "Unauthorized")
            #expect(body?["code"] == 401)
        }
    }

    @Test("A wrong bearer token is refused; the generated one is accepted")
    func bearerToken() async throws {
        try await RunningCluster.with { cluster in
            let credentials = try #require(cluster.endpoint.credentials)
            let wrong = try await curl(cluster, "/api/v1/namespaces", ["-H", "Authorization: Bearer not-the-token"])
            #expect(wrong.code == 401)
            let right = try await curl(cluster, "/api/v1/namespaces", ["-H", "Authorization: Bearer \(credentials.adminToken)"])
            #expect(right.code == 200)
            #expect(right.body?["kind"] == "NamespaceList")
            let names = right.body?["items"]?.arrayValue?.compactMap { $0[path: "metadata", "name"]?.stringValue } ?? []
            #expect(names.contains("default"))
        }
    }

    @Test("The admin client certificate is accepted, and kubectl works with the token context too")
    func clientCertificate() async throws {
        try await RunningCluster.with { cluster in
            let credentials = try #require(cluster.endpoint.credentials)
            let certificate = try cluster.manifest("admin.crt", credentials.clientCertificatePEM)
            let key = try cluster.manifest("admin.key", credentials.clientKeyPEM)
            let version = try await curl(cluster, "/version", ["--cert", certificate, "--key", key])
            #expect(version.code == 200)
            #expect(version.body?["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)

            let namespaces = try await cluster.kubectlOK(["--context", "slipway-token", "get", "namespaces", "-o", "name"])
            #expect(namespaces.contains("namespace/default"))
        }
    }

    @Test("Errors are Status objects with the HTTP code: 404, 405, 413, 400, 415 and 406")
    func errorStatuses() async throws {
        try await RunningCluster.with { cluster in
            let token = try #require(cluster.endpoint.credentials).adminToken
            let auth = ["-H", "Authorization: Bearer \(token)"]
            let unknown = try await curl(cluster, "/api/v1/namespaces/default/gizmos", auth)
            #expect(unknown.code == 404)
            #expect(unknown.body?["kind"] == "Status")

            let wrongMethod = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-X", "PUT", "-d", "{}"])
            #expect(wrongMethod.code == 405)

            let huge = try cluster.manifest("huge.json", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"a":""# + String(repeating: "x", count: 4 * 1024 * 1024) + #""}}"#)
            let tooLarge = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Content-Type: application/json", "--data-binary", "@\(huge)"])
            #expect(tooLarge.code == 413)

            let malformed = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Content-Type: application/json", "-d", "{\"metadata\": "])
            #expect(malformed.code == 400)
            #expect(malformed.body?["reason"] == "BadRequest")

            let wrongKind = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Content-Type: application/json", "-d", #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#])
            #expect(wrongKind.code == 400)

            let cbor = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Content-Type: application/cbor", "-d", "x"])
            #expect(cbor.code == 415)

            let truncatedProtobuf = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Content-Type: application/vnd.kubernetes.protobuf", "-d", "k8s"])
            #expect(truncatedProtobuf.code == 400)

            let onlyProtobuf = try await curl(cluster, "/api/v1/namespaces/default/configmaps", auth + ["-H", "Accept: application/vnd.kubernetes.protobuf"])
            #expect(onlyProtobuf.code == 406)
        }
    }
}
