import Synchronization

/// The body of a streaming response on its way from the loop thread to the consumer, bounded:
/// when `limit` bytes wait unread, the transfer is paused (`CURL_WRITEFUNC_PAUSE`) and resumed
/// once the consumer has read half of them, so a slow consumer of a busy watch holds back the
/// server through TCP instead of growing memory without end.
/// https://curl.se/libcurl/c/curl_easy_pause.html
final class StreamBody: Sendable {
    enum PushOutcome {
        case accepted
        /// The chunk was not taken; pause the transfer, libcurl delivers it again on resume.
        case pause
        /// Nobody reads any more; abort the transfer.
        case consumerGone
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var bufferedBytes = 0
        var end: Result<Void, HTTPError>?
        /// A consumer waiting for data. Woken with a chunk, the end (`nil` chunk or an error),
        /// or nil for "look again".
        var waiter: CheckedContinuation<Result<[UInt8]?, HTTPError>?, Never>?
        var producerPaused = false
        var consumerGone = false
    }

    let limit: Int
    private let state = Mutex(State())
    /// Asks the loop to unpause the transfer.
    private let resumeProducer: @Sendable () -> Void
    /// Asks the loop to end the transfer because the consumer left.
    private let stopProducer: @Sendable () -> Void

    init(limit: Int, resumeProducer: @escaping @Sendable () -> Void, stopProducer: @escaping @Sendable () -> Void) {
        self.limit = max(1, limit)
        self.resumeProducer = resumeProducer
        self.stopProducer = stopProducer
    }

    /// The consumer's view: an `AsyncThrowingStream` pulling from this buffer. Dropping the
    /// stream (leaving a `for await` loop) releases `ConsumerPresence`, which stops the transfer.
    func makeStream() -> AsyncThrowingStream<[UInt8], any Error> {
        let presence = ConsumerPresence(body: self)
        return AsyncThrowingStream(unfolding: { () async throws -> [UInt8]? in
            try await presence.body.next()
        })
    }

    // MARK: producer (loop thread)

    func push(_ chunk: [UInt8]) -> PushOutcome {
        let (outcome, waiter): (PushOutcome, CheckedContinuation<Result<[UInt8]?, HTTPError>?, Never>?) = state.withLock { state in
            if state.consumerGone { return (.consumerGone, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.accepted, waiter)
            }
            if state.bufferedBytes >= limit {
                state.producerPaused = true
                return (.pause, nil)
            }
            state.chunks.append(chunk)
            state.bufferedBytes += chunk.count
            return (.accepted, nil)
        }
        waiter?.resume(returning: .success(chunk))
        return outcome
    }

    func finish(_ outcome: Result<Void, HTTPError>) {
        let waiter = state.withLock { state in
            guard state.end == nil else { return nil as CheckedContinuation<Result<[UInt8]?, HTTPError>?, Never>? }
            let waiter = state.waiter
            state.waiter = nil
            // An error is thrown once; afterwards the stream is simply over.
            state.end = waiter == nil ? outcome : .success(())
            return waiter
        }
        waiter?.resume(returning: outcome.map { nil })
    }

    // MARK: consumer

    func next() async throws(HTTPError) -> [UInt8]? {
        if Task.isCancelled {
            consumerLeft()
            return nil
        }
        enum Immediate { case value(Result<[UInt8]?, HTTPError>, resume: Bool), wait }
        let immediate: Immediate = state.withLock { state in
            if !state.chunks.isEmpty {
                let chunk = state.chunks.removeFirst()
                state.bufferedBytes -= chunk.count
                let resume = state.producerPaused && state.bufferedBytes <= limit / 2
                if resume { state.producerPaused = false }
                return .value(.success(chunk), resume: resume)
            }
            if let end = state.end {
                state.end = .success(())  // an error is thrown once; afterwards the stream is over
                return .value(end.map { nil }, resume: false)
            }
            if state.consumerGone { return .value(.success(nil), resume: false) }
            return .wait
        }
        switch immediate {
        case .value(let result, let resume):
            if resume { resumeProducer() }
            return try result.get()
        case .wait:
            let woken = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8]?, HTTPError>?, Never>) in
                    let lookAgain = state.withLock { state in
                        // Data, the end or a cancellation may have come since the check above.
                        if !state.chunks.isEmpty || state.end != nil || state.consumerGone { return true }
                        state.waiter = continuation
                        return false
                    }
                    if lookAgain { continuation.resume(returning: nil) }
                }
            } onCancel: {
                consumerLeft()
            }
            guard let woken else { return try await next() }
            return try woken.get()
        }
    }

    /// The consumer cancelled or dropped the stream: stop the transfer and wake a waiting read.
    func consumerLeft() {
        let (first, waiter) = state.withLock { state in
            defer {
                state.consumerGone = true
                state.waiter = nil
                state.chunks.removeAll()
                state.bufferedBytes = 0
            }
            // A transfer that already ended needs no stopping.
            return (!state.consumerGone && state.end == nil, state.waiter)
        }
        waiter?.resume(returning: .success(nil))
        if first { stopProducer() }
    }

    #if DEBUG
    /// For tests: bytes waiting unread and whether the transfer is paused.
    var snapshot: (bufferedBytes: Int, paused: Bool) {
        state.withLock { ($0.bufferedBytes, $0.producerPaused) }
    }
    #endif
}

/// Lives exactly as long as the consumer's stream: its release means nobody can read any more.
private final class ConsumerPresence: Sendable {
    let body: StreamBody

    init(body: StreamBody) { self.body = body }

    deinit { body.consumerLeft() }
}
