import Logging

/// An HTTP client on libcurl's multi interface: one thread drives every transfer of the
/// client, requests and long-lived streams alike, and connections are reused across requests.
///
/// Cancelling the awaiting task ends its transfer at once. `shutdown()` (or releasing the
/// client) ends every transfer with `HTTPError.shutDown` and stops the thread.
public final class HTTPClient: Sendable {
    private let configuration: HTTPClientConfiguration
    private let loop: EventLoop
    private static let logger = Logger(label: "slipway.http")

    public init(configuration: HTTPClientConfiguration = .init()) throws(HTTPError) {
        self.configuration = configuration
        loop = try EventLoop(configuration: configuration, logger: Self.logger)
    }

    deinit {
        loop.shutdown()
    }

    /// Sends the request and returns the final response with its whole body.
    public func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let transfer = try Transfer.make(for: request, configuration: configuration)
        guard !Task.isCancelled else { throw .cancelled }
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) in
                transfer.delivery = .buffered(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try result.get()
    }

    /// Returns once the status and headers have arrived; the body streams afterwards.
    /// Headers of interim (1xx) responses and of followed redirects are skipped.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamingResponse {
        let transfer = try Transfer.make(for: request, configuration: configuration)
        guard !Task.isCancelled else { throw .cancelled }
        let loop = self.loop
        let body = StreamBody(
            limit: configuration.maxBufferedStreamBytes,
            resumeProducer: { loop.resume(transfer) },
            stopProducer: { loop.cancel(transfer) }
        )
        let stream = body.makeStream()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPStreamingResponse, HTTPError>, Never>) in
                transfer.delivery = .awaitingHead(continuation, stream: stream, body: body)
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try result.get()
    }

    /// Ends every transfer with `HTTPError.shutDown` and stops the event-loop thread.
    /// Requests made afterwards fail with `.shutDown`. Blocks until the thread has exited.
    public func shutdown() {
        loop.shutdown()
    }
}
