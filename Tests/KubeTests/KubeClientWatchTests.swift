import Foundation
import HTTP
import JSON
@testable import Kube
import Testing

@Suite("Kube client watch")
struct KubeClientWatchTests {
    static let configuration = ClusterConfiguration(server: "https://kube.test", namespace: "shop", credentials: .bearerToken("SECRET-TOKEN"))

    static func event(_ type: String, _ name: String, rv: String) -> String {
        #"{"type":"\#(type)","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)","namespace":"shop","resourceVersion":"\#(rv)"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"\#(name)"}},"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}}"#
    }

    /// Cuts a byte stream into chunks of varying sizes, so events span chunks and share them.
    static func chunked(_ text: String, sizes: [Int]) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        var chunks: [[UInt8]] = []
        var index = 0
        var turn = 0
        while index < bytes.count {
            let size = sizes[turn % sizes.count]
            chunks.append(Array(bytes[index..<min(index + size, bytes.count)]))
            index += size
            turn += 1
        }
        return chunks
    }

    @Test("events arriving in arbitrary chunks come out whole and in order; the query asks for bookmarks")
    func eventsAcrossChunks() async throws {
        let text = [Self.event("ADDED", "a", rv: "5"), Self.event("MODIFIED", "a", rv: "6"),
                    #"{"type":"BOOKMARK","object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"7"}}}"#,
                    Self.event("DELETED", "a", rv: "8")].joined(separator: "\n") + "\n"
        let cluster = FakeCluster { _ in .stream(status: 200, chunks: Self.chunked(text, sizes: [1, 17, 300, 3, 1000]), keepOpen: false) }
        let client = try cluster.client(Self.configuration)
        var seen: [String] = []
        for try await event in client.watch(Deployment.self, namespace: "shop", options: WatchOptions(resourceVersion: "4", labelSelector: "app=a", timeoutSeconds: 60)) {
            switch event {
            case .bookmark(let bookmark): seen.append("BOOKMARK \(bookmark.resourceVersion)")
            default: seen.append("\(event.type) \(event.object?.metadata.resourceVersion ?? "")")
            }
        }
        #expect(seen == ["ADDED 5", "MODIFIED 6", "BOOKMARK 7", "DELETED 8"])
        let request = try #require(cluster.requests.first)
        #expect(request.target == "/apis/apps/v1/namespaces/shop/deployments?watch=true&resourceVersion=4&labelSelector=app%3Da&allowWatchBookmarks=true&timeoutSeconds=60")
        #expect(request.timeout == nil)
        #expect(request.header("Authorization") == "Bearer SECRET-TOKEN")
    }

    @Test("410 Gone as the HTTP status is thrown as a gone error")
    func goneStatus() async throws {
        let cluster = FakeCluster { _ in
            .response(status: 410, body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (50)","reason":"Expired","code":410}"#)
        }
        let client = try cluster.client(Self.configuration)
        await #expect {
            for try await _ in client.watch(.configMaps, options: WatchOptions(resourceVersion: "1")) {}
        } throws: { error in
            (error as? KubeError)?.isGone == true && "\(error)".contains("too old resource version")
        }
    }

    @Test("an ERROR event with 410 ends the stream with a gone error after the events before it")
    func goneEvent() async throws {
        let text = Self.event("ADDED", "a", rv: "5") + "\n"
            + #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (90)","reason":"Expired","code":410}}"# + "\n"
            + Self.event("ADDED", "never", rv: "91") + "\n"
        let cluster = FakeCluster { _ in .stream(status: 200, chunks: [Array(text.utf8)], keepOpen: true) }
        let client = try cluster.client(Self.configuration)
        var names: [String] = []
        var thrown: (any Error)?
        do {
            for try await event in client.watch(Deployment.self) { names.append(event.object?.metadata.name ?? "") }
        } catch {
            thrown = error
        }
        #expect(names == ["a"])
        #expect((thrown as? KubeError)?.isGone == true)
    }

    @Test("an ERROR event other than 410 is delivered as an event")
    func otherErrorEvent() async throws {
        let text = #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"internal error","reason":"InternalError","code":500}}"# + "\n"
        let cluster = FakeCluster { _ in .stream(status: 200, chunks: [Array(text.utf8)], keepOpen: false) }
        let client = try cluster.client(Self.configuration)
        var statuses: [Int] = []
        for try await event in client.watch(.pods, namespace: nil) {
            if case .error(let status) = event { statuses.append(status.code ?? 0) }
        }
        #expect(statuses == [500])
        #expect(cluster.requests.first?.target == "/api/v1/pods?watch=true&allowWatchBookmarks=true")
    }

    @Test("a stream cut inside an event is a decoding error, not a silent loss")
    func truncatedStream() async throws {
        let text = Self.event("ADDED", "a", rv: "5") + "\n" + String(Self.event("ADDED", "b", rv: "6").prefix(40))
        let cluster = FakeCluster { _ in .stream(status: 200, chunks: [Array(text.utf8)], keepOpen: false) }
        let client = try cluster.client(Self.configuration)
        var names: [String] = []
        await #expect {
            for try await event in client.watch(Deployment.self) { names.append(event.object?.metadata.name ?? "") }
        } throws: { error in
            guard case KubeError.decoding = error else { return false }
            return true
        }
        #expect(names == ["a"])
    }

    @Test("the consumer stopping ends the HTTP stream")
    func cancellationEndsTransfer() async throws {
        let cluster = FakeCluster { _ in .stream(status: 200, chunks: [Array((Self.event("ADDED", "a", rv: "5") + "\n").utf8)], keepOpen: true) }
        let client = try cluster.client(Self.configuration)
        let consumer = Task {
            var count = 0
            for try await _ in client.watch(Deployment.self) {
                count += 1
                if count == 1 { break }
            }
            return count
        }
        #expect(try await consumer.value == 1)
        #expect(await waitUntil { cluster.transports.first?.streamsEnded == 1 })

        let waiting = Task {
            for try await _ in client.watch(Deployment.self) {}
        }
        #expect(await waitUntil { cluster.requests.count == 2 })
        waiting.cancel()
        #expect(await waitUntil { cluster.transports.first?.streamsEnded == 2 })
    }
}
