import HTTP
import Logging

extension KubeClient {
    /// Follows changes to `resource` (in `namespace`, or every namespace when nil) as a stream
    /// of events, decoded as the bytes arrive.
    ///
    /// The request is sent when iteration starts, and bytes are read only as events are asked
    /// for: a slow consumer holds back the server (the transport pauses the transfer) instead
    /// of buffering without end. Leaving the loop, or cancelling the iterating task, ends the
    /// HTTP transfer.
    ///
    /// The stream finishes when the server ends the watch (`timeoutSeconds`, server restart):
    /// re-watch from the last seen resourceVersion. It throws `KubeError` with `isGone` when
    /// the resourceVersion is too old, whether the server says so with HTTP 410 or with an
    /// ERROR event of code 410: list again, then watch from the list's resourceVersion.
    /// Other ERROR events are delivered as `.error(Status)`.
    /// See https://kubernetes.io/docs/reference/using-api/api-concepts/#410-gone-responses
    public func watch<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, namespace: String? = nil,
                                               options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        let request = APIRequest(verb: "watch", method: "GET",
                                 path: ResourcePath(resource: resource, namespace: resource.namespaced ? namespace : nil),
                                 query: options.queryItems, timeout: nil)
        let pump = WatchPump<T>(client: self, request: request)
        return AsyncThrowingStream(unfolding: { try await pump.next() })
    }
}

/// Pulls one watch response through a `WatchEventDecoder`, event by event.
///
/// `@unchecked Sendable` because its state is only touched from `next()`, and an
/// `AsyncThrowingStream` calls its unfolding closure for one `next()` at a time.
private final class WatchPump<T: Decodable & Sendable>: @unchecked Sendable {
    private enum Phase {
        case notStarted
        case streaming(AsyncThrowingStream<[UInt8], any Error>.AsyncIterator)
        case finished
    }

    private let client: KubeClient
    private let request: APIRequest
    private var phase = Phase.notStarted
    private var decoder = WatchEventDecoder<T>()
    private var ready: [WatchEvent<T>] = []
    private var readyIndex = 0

    init(client: KubeClient, request: APIRequest) {
        self.client = client
        self.request = request
    }

    private var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["verb": "watch", "resource": "\(request.path.resource)"]
        if let namespace = request.path.namespace { metadata["namespace"] = "\(namespace)" }
        return metadata
    }

    func next() async throws -> WatchEvent<T>? {
        while true {
            if readyIndex < ready.count {
                let event = ready[readyIndex]
                readyIndex += 1
                if case .error(let status) = event, KubeError.api(status).isGone {
                    finish()
                    client.logger.debug("watch expired; list again", metadata: logMetadata)
                    throw KubeError.api(status)
                }
                return event
            }
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            switch phase {
            case .finished:
                return nil
            case .notStarted:
                do {
                    phase = .streaming(try await client.openStream(request).body.makeAsyncIterator())
                } catch {
                    phase = .finished
                    throw error
                }
            case .streaming(var iterator):
                do {
                    if let chunk = try await iterator.next() {
                        phase = .streaming(iterator)
                        ready = try decoder.decode(chunk)
                    } else {
                        finish()
                        client.logger.debug("watch ended by the server", metadata: logMetadata)
                        ready = try decoder.finish()
                    }
                } catch let error as KubeError {
                    finish()
                    throw error
                } catch let error as HTTPError {
                    finish()
                    throw KubeError.transport(error)
                } catch {
                    finish()
                    throw error
                }
            }
        }
    }

    /// Drops the response so that its transfer ends.
    private func finish() {
        phase = .finished
    }
}
