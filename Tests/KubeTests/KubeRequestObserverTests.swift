import Foundation
import HTTP
import JSON
@testable import Kube
import Logging
import Synchronization
import Testing

/// Records what the client tells its observer.
final class RecordedRequests: Sendable {
    private let storage = Mutex<[KubeRequestRecord]>([])
    var observer: KubeRequestObserver { KubeRequestObserver { record in self.storage.withLock { $0.append(record) } } }
    var all: [KubeRequestRecord] { storage.withLock { $0 } }
}

@Suite("Kube request observer")
struct KubeRequestObserverTests {
    @Test("every request is reported with verb, resource (and subresource) and status code; nothing else")
    func reports() async throws {
        let recorded = RecordedRequests()
        let client = try KubeClient(configuration: KubeClientRequestTests.configuration, logger: Logger(label: "test"),
                                    userAgent: KubeClient.defaultUserAgent, observer: recorded.observer) { (settings) throws(HTTPError) in
            FakeTransport(configuration: settings) { request in
                if request.url.contains("/missing") { return .response(status: 404, body: KubeClientRequestTests.notFound) }
                if request.url.contains("/unreachable") { return .failure(.transport(code: 7, message: "connection refused")) }
                return .response(status: 200, body: KubeClientRequestTests.configMap("a"))
            }
        }
        _ = try await client.get(ConfigMap.self, name: "a")
        _ = try? await client.get(ConfigMap.self, name: "missing")
        _ = try? await client.get(ConfigMap.self, name: "unreachable")
        _ = try await client.patchStatus(ConfigMap.self, name: "a", patch: .merge(["data": ["k": "v"]]))

        let records = recorded.all
        #expect(records.map(\.verb) == ["get", "get", "get", "patch"])
        #expect(records.map(\.resource) == ["configmaps", "configmaps", "configmaps", "configmaps/status"])
        #expect(records.map(\.statusCode) == [200, 404, nil, 200])
        #expect(records.allSatisfy { $0.duration >= .zero })
        #expect(!records.map { "\($0)" }.joined().contains("SECRET-TOKEN"))
    }
}
