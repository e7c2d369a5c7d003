import HTTP

extension KubeClient {
    /// Follows changes to `resource` (in `namespace`, or every namespace when nil) as a stream
    /// of events, decoded as the bytes arrive.
    ///
    /// The stream finishes when the server ends the watch (`timeoutSeconds`, server restart):
    /// re-watch from the last seen resourceVersion. It throws `KubeError` with `isGone` when
    /// the resourceVersion is too old, whether the server says so with HTTP 410 or with an
    /// ERROR event of code 410: list again, then watch from the list's resourceVersion.
    /// Other ERROR events are delivered as `.error(Status)`. Ending the iteration (or cancelling
    /// its task) ends the HTTP transfer.
    /// See https://kubernetes.io/docs/reference/using-api/api-concepts/#410-gone-responses
    public func watch<T: Decodable & Sendable>(_ resource: ResourceDescriptor, as type: T.Type, namespace: String? = nil,
                                               options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        let request = APIRequest(verb: "watch", method: "GET",
                                 path: ResourcePath(resource: resource, namespace: resource.namespaced ? namespace : nil),
                                 query: options.queryItems, timeout: nil)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await self.openStream(request)
                    var decoder = WatchEventDecoder<T>()
                    for try await chunk in response.body {
                        for event in try decoder.decode(chunk) {
                            try Self.deliver(event, to: continuation)
                        }
                    }
                    for event in try decoder.finish() {
                        try Self.deliver(event, to: continuation)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func deliver<T>(_ event: WatchEvent<T>, to continuation: AsyncThrowingStream<WatchEvent<T>, any Error>.Continuation) throws(KubeError) {
        if case .error(let status) = event, KubeError.api(status).isGone {
            throw .api(status)
        }
        continuation.yield(event)
    }
}
