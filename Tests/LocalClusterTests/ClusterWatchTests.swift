import Foundation
import JSON
import LocalCluster
import Testing

/// Watch streams as kube-apiserver sends them: newline-delimited events, 410 inside the
/// stream for an expired resourceVersion, bookmarks, and timeoutSeconds.
@Suite("Cluster watch streams")
struct ClusterWatchTests {
    private func events(_ body: String) -> [JSONValue] {
        body.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    @Test("A watch from a resourceVersion replays later changes and ends at timeoutSeconds")
    func replayAndTimeout() async throws {
        try await RunningCluster.with { cluster in
            let start = try await cluster.createConfigMap("first")
            try await cluster.createConfigMap("second")
            try await cluster.createConfigMap("third")
            let (code, body) = try await cluster.curl("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(start)&timeoutSeconds=1")
            #expect(code == 200)
            let names = events(body).map { "\($0["type"]?.stringValue ?? "") \($0[path: "object", "metadata", "name"]?.stringValue ?? "")" }
            #expect(names == ["ADDED second", "ADDED third"])
        }
    }

    @Test("An expired resourceVersion answers 200 with an ERROR event carrying 410 Expired")
    func expiredResourceVersion() async throws {
        try await RunningCluster.with(watchHistoryLimit: 3) { cluster in
            let start = try await cluster.createConfigMap("c0")
            for index in 1...8 { try await cluster.createConfigMap("c\(index)") }
            let (code, body) = try await cluster.curl("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(start)&timeoutSeconds=5")
            #expect(code == 200)
            let received = events(body)
            #expect(received.count == 1)
            #expect(received.first?["type"] == "ERROR")
            #expect(received.first?[path: "object", "kind"] == "Status")
            #expect(received.first?[path: "object", "code"] == 410)
        }
    }

    @Test("allowWatchBookmarks brings BOOKMARK events carrying the current resourceVersion")
    func bookmarks() async throws {
        try await RunningCluster.with(bookmarkInterval: .milliseconds(200)) { cluster in
            let version = try await cluster.createConfigMap("marked")
            let (code, body) = try await cluster.curl(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(version)&allowWatchBookmarks=true&timeoutSeconds=2")
            #expect(code == 200)
            let bookmark = events(body).first { $0["type"] == "BOOKMARK" }
            #expect(bookmark != nil, "no bookmark in \(body)")
            #expect(bookmark?[path: "object", "metadata", "resourceVersion"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("A client that goes away ends its watch on the server")
    func clientDisconnect() async throws {
        let log = CapturedLog()
        try await RunningCluster.with(log: log) { cluster in
            // curl gives up after a second; the watch itself would last five minutes.
            _ = try await Command.run(Command.find("curl"), [
                "-sS", "-N", "--max-time", "1", "--cacert", try cluster.manifest("ca.crt", try #require(cluster.endpoint.credentials).caCertificatePEM),
                "-H", "Authorization: Bearer \(try #require(cluster.endpoint.credentials).adminToken)",
                cluster.endpoint.url + "/api/v1/namespaces/default/configmaps?watch=1",
            ])
            try await RunningCluster.eventually("the server to end the abandoned watch") { log.count(of: "watch ended") == 1 }
        }
    }

    @Test("Plain HTTP on loopback serves kubectl without credentials")
    func insecureHTTP() async throws {
        try await RunningCluster.with(insecureHTTP: true) { cluster in
            #expect(cluster.endpoint.url.hasPrefix("http://127.0.0.1:"))
            try await cluster.kubectlOK(["create", "namespace", "plain"])
            let namespaces = try await cluster.kubectlOK(["get", "namespaces", "-o", "name"])
            #expect(namespaces.contains("namespace/plain"))
        }
    }
}
