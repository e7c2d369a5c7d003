import Foundation
import HTTP
import JSON
@testable import Kube
import Logging
import Synchronization

/// An HTTP transport that answers from a script and records what it was asked, so that the
/// client's requests can be checked without a server.
final class FakeTransport: HTTPTransport, Sendable {
    enum Reply: Sendable {
        case response(status: Int, body: String)
        /// A streaming response; `keepOpen` leaves the body open after the chunks (a live watch).
        case stream(status: Int, chunks: [[UInt8]], keepOpen: Bool)
        case failure(HTTPError)
    }

    let configuration: HTTPClientConfiguration
    private let handler: @Sendable (HTTPRequest) -> Reply
    private let recorded = Mutex<[HTTPRequest]>([])
    private let terminatedStreams = Mutex(0)
    private let shutDown = Mutex(false)

    init(configuration: HTTPClientConfiguration, handler: @escaping @Sendable (HTTPRequest) -> Reply) {
        self.configuration = configuration
        self.handler = handler
    }

    var requests: [HTTPRequest] { recorded.withLock { $0 } }
    var streamsEnded: Int { terminatedStreams.withLock { $0 } }
    var isShutDown: Bool { shutDown.withLock { $0 } }

    func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        recorded.withLock { $0.append(request) }
        switch handler(request) {
        case .response(let status, let body):
            return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        case .stream(let status, let chunks, _):
            return HTTPResponse(status: status, headers: [], body: chunks.flatMap { $0 })
        case .failure(let error):
            throw error
        }
    }

    func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamingResponse {
        recorded.withLock { $0.append(request) }
        let reply = handler(request)
        let status: Int
        let chunks: [[UInt8]]
        let keepOpen: Bool
        switch reply {
        case .response(let code, let body):
            (status, chunks, keepOpen) = (code, [Array(body.utf8)], false)
        case .stream(let code, let parts, let open):
            (status, chunks, keepOpen) = (code, parts, open)
        case .failure(let error):
            throw error
        }
        let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            if !keepOpen { continuation.finish() }
            continuation.onTermination = { [weak self] _ in
                self?.terminatedStreams.withLock { $0 += 1 }
            }
        }
        return HTTPStreamingResponse(status: status, headers: [], body: body)
    }

    func shutdown() {
        shutDown.withLock { $0 = true }
    }
}

/// Builds a client on fake transports and keeps every transport it made.
final class FakeCluster: Sendable {
    private let made = Mutex<[FakeTransport]>([])
    let handler: @Sendable (HTTPRequest) -> FakeTransport.Reply

    init(handler: @escaping @Sendable (HTTPRequest) -> FakeTransport.Reply) {
        self.handler = handler
    }

    var transports: [FakeTransport] { made.withLock { $0 } }
    var requests: [HTTPRequest] { transports.flatMap(\.requests) }

    func client(_ configuration: ClusterConfiguration, logger: Logger = Logger(label: "test")) throws -> KubeClient {
        try KubeClient(configuration: configuration, logger: logger, userAgent: KubeClient.defaultUserAgent) { [self] (settings) throws(HTTPError) in
            let transport = FakeTransport(configuration: settings, handler: handler)
            made.withLock { $0.append(transport) }
            return transport
        }
    }
}

extension HTTPRequest {
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyJSON: JSONValue? {
        body.flatMap { try? JSONValue(parsing: $0) }
    }

    /// The path and query after the server URL.
    var target: String {
        guard let range = url.range(of: "://") else { return url }
        let rest = url[range.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
}

/// Records log lines (message and metadata) to check that no secret is ever logged.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    static let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        Self.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }
}
