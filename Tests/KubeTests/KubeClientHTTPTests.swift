import Foundation
import HTTP
import JSON
import Kube
import Synchronization
import Testing

/// The client over the real libcurl transport, against a small scripted HTTP server.
@Suite("Kube client over HTTP")
struct KubeClientHTTPTests {
    static func configMap(_ name: String, rv: String) -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"shop","resourceVersion":"\#(rv)"},"data":{"k":"v"}}"#
    }

    @Test("get, list pages, patch and a 404 go over the wire with headers and bodies intact")
    func verbs() async throws {
        let server = try MiniAPIServer { request in
            switch (request.method, request.target) {
            case ("GET", "/api/v1/namespaces/shop/configmaps/a"):
                return .full(status: 200, body: Self.configMap("a", rv: "3"))
            case ("GET", let target) where target.hasPrefix("/api/v1/namespaces/shop/configmaps?"):
                if target.contains("continue=next") {
                    return .full(status: 200, body: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"9"},"items":[\#(Self.configMap("c", rv: "5"))]}"#)
                }
                return .full(status: 200, body: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"9","continue":"next"},"items":[\#(Self.configMap("a", rv: "3")),\#(Self.configMap("b", rv: "4"))]}"#)
            case ("PATCH", _):
                return .full(status: 200, body: String(decoding: request.body, as: UTF8.self).replacingOccurrences(of: "PATCHED", with: "done"))
            default:
                return .full(status: 404, body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","message":"not here","code":404}"#)
            }
        }
        defer { server.stop() }
        let client = try KubeClient(configuration: ClusterConfiguration(server: server.url, namespace: "shop", credentials: .bearerToken("T0K3N")))
        defer { client.shutdown() }

        let object = try await client.get(ConfigMap.self, name: "a")
        #expect(object.metadata.resourceVersion == "3")
        let all = try await client.listAll(ConfigMap.self, namespace: "shop", options: ListOptions(limit: 2))
        #expect(all.items.compactMap(\.metadata.name) == ["a", "b", "c"])
        #expect(all.metadata.resourceVersion == "9")
        let patched = try await client.patch(.configMaps, name: "a", patch: .merge(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "PATCHED"]]))
        #expect(patched[path: "data", "k"] == "done")
        await #expect { _ = try await client.get(ConfigMap.self, name: "zzz") } throws: { error in
            (error as? KubeError)?.isNotFound == true
        }

        let first = try #require(server.requests.first)
        #expect(first.headers["authorization"] == "Bearer T0K3N")
        #expect(first.headers["accept"] == "application/json")
        #expect(first.headers["user-agent"] == KubeClient.defaultUserAgent)
        let patch = try #require(server.requests.first { $0.method == "PATCH" })
        #expect(patch.headers["content-type"] == "application/merge-patch+json")
    }

    @Test("a watch decodes events as chunks arrive and stopping it closes the connection")
    func watch() async throws {
        let events = (1...3).map { index in
            let object = Self.configMap("cm-\(index)", rv: "\(index)")
            return #"{"type":"ADDED","object":"# + object + "}\n"
        }.joined()
        let bytes = Array(events.utf8)
        // Chunks that cut events in the middle.
        let chunks = stride(from: 0, to: bytes.count, by: 37).map { String(decoding: bytes[$0..<min($0 + 37, bytes.count)], as: UTF8.self) }
        let server = try MiniAPIServer { request in
            request.target.contains("watch=true") ? .chunked(status: 200, chunks: chunks, holdOpen: true) : .full(status: 404, body: "")
        }
        defer { server.stop() }
        let client = try KubeClient(configuration: ClusterConfiguration(server: server.url, namespace: "shop"))
        defer { client.shutdown() }
        var names: [String] = []
        for try await event in client.watch(ConfigMap.self, namespace: "shop", options: WatchOptions(resourceVersion: "0")) {
            names.append(event.object?.metadata.name ?? "")
            if names.count == 3 { break }
        }
        #expect(names == ["cm-1", "cm-2", "cm-3"])
        #expect(await waitUntil { server.closedStreams == 1 })

        // A consumer waiting for more when its task is cancelled ends the transfer too.
        let received = Counter()
        let waiting = Task {
            for try await _ in client.watch(ConfigMap.self, namespace: "shop") { received.increment() }
        }
        #expect(await waitUntil { received.value == 3 })
        waiting.cancel()
        _ = try? await waiting.value
        #expect(await waitUntil { server.closedStreams == 2 })
    }

    @Test("five thousand events sent at once all arrive, in order, through the paused and resumed transfer")
    func manyEvents() async throws {
        let count = 5000
        var chunks: [String] = []
        var current = ""
        for index in 1...count {
            current += #"{"type":"MODIFIED","object":"# + Self.configMap("cm", rv: "\(index)") + "}\n"
            if current.utf8.count > 50_000 {
                chunks.append(current)
                current = ""
            }
        }
        chunks.append(current)
        let server = try MiniAPIServer { [chunks] _ in .chunked(status: 200, chunks: chunks, holdOpen: false) }
        defer { server.stop() }
        let client = try KubeClient(configuration: ClusterConfiguration(server: server.url))
        defer { client.shutdown() }
        var expected = 1
        for try await event in client.watch(ConfigMap.self) {
            guard event.object?.metadata.resourceVersion == "\(expected)" else { break }
            expected += 1
        }
        #expect(expected == count + 1)
    }

    @Test("410 on a watch request is thrown as gone over the wire too")
    func watchGone() async throws {
        let server = try MiniAPIServer { _ in
            .full(status: 410, body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","message":"too old resource version: 1 (9)","code":410}"#)
        }
        defer { server.stop() }
        let client = try KubeClient(configuration: ClusterConfiguration(server: server.url))
        defer { client.shutdown() }
        await #expect {
            for try await _ in client.watch(.configMaps, options: WatchOptions(resourceVersion: "1")) {}
        } throws: { error in
            (error as? KubeError)?.isGone == true
        }
    }
}

/// A count shared between a consuming task and the test.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
