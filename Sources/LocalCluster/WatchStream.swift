import ClusterCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import Logging
import NIOCore
import ServiceLifecycle

/// A watch response: newline-delimited JSON events written as they happen over a chunked
/// body. It ends when the timeout passes, the store's stream ends, the client goes away
/// (which also ends the store's watcher) or the server shuts down gracefully.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
struct WatchStream {
    let events: AsyncStream<WatchEvent>
    let request: Request
    let timeout: Duration
    let logger: Logger
    /// Turns each object into another representation (a Table for `kubectl get -w`).
    let transform: (@Sendable (JSONValue) -> JSONValue)?

    func response() -> Response {
        let events = self.events, body = request.body, timeout = self.timeout, transform = self.transform, logger = self.logger
        let headers: HTTPFields = [.contentType: MediaTypes.json, .cacheControl: "no-cache, private"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // Events are relayed through one stream that the store, the timer, a closed
            // connection and a graceful shutdown can each end.
            let (relay, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .unbounded)
            try await withGracefulShutdownHandler {
                try await body.consumeWithInboundCloseHandler { _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await event in events { continuation.yield(event) }
                            continuation.finish()
                        }
                        group.addTask {
                            try? await Task.sleep(for: timeout)
                            continuation.finish()
                        }
                        for await event in relay {
                            var event = event
                            if let transform, event.type != .error, event.type != .bookmark {
                                event.object = transform(event.object)
                            }
                            var buffer = ByteBuffer()
                            buffer.writeBytes(event.jsonValue.jsonBytes())
                            buffer.writeString("\n")
                            try await writer.write(buffer)
                        }
                        group.cancelAll()
                    }
                } onInboundClosed: {
                    continuation.finish()
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            logger.debug("watch ended")
            try await writer.finish(nil)
        })
    }

    /// The answer to a watch from a resourceVersion older than the history window: HTTP 200
    /// with a single ERROR event carrying the 410 Status, as kube-apiserver sends it.
    static func expired(_ error: APIError) -> Response {
        let event = WatchEvent(type: .error, object: error.statusObject)
        var buffer = ByteBuffer()
        buffer.writeBytes(event.jsonValue.jsonBytes())
        buffer.writeString("\n")
        return Response(status: .ok, headers: [.contentType: MediaTypes.json], body: .init(byteBuffer: buffer))
    }
}
