import CCurl
import Synchronization

/// One request on its way: the libcurl easy handle, the response as it builds up, and the
/// awaiting task to hand the outcome to.
///
/// Ownership: the creating task configures it, then hands it to the event loop through the
/// loop's locked inbox; from then on only the loop thread touches the easy handle and the
/// mutable state (libcurl calls the callbacks on that thread, inside `curl_multi_perform`).
/// Other threads only set `cancelRequested`. That hand-off is why this is `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    /// Where the outcome goes, and how far the transfer got: the awaiting task is resumed
    /// exactly once per step, and every step only moves forward.
    enum Delivery {
        /// Not yet handed to a task, or finished.
        case none
        /// `execute`: the whole response at the end.
        case buffered(CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>)
        /// `stream`, before the final headers: the head goes to the task, the body to the stream.
        case awaitingHead(CheckedContinuation<Result<HTTPStreamingResponse, HTTPError>, Never>,
                          stream: AsyncThrowingStream<[UInt8], any Error>, body: StreamBody)
        /// `stream`, after the head was delivered. The consumer's stream is no longer held here,
        /// so that dropping it ends the transfer.
        case streamingBody(StreamBody)
    }

    let easy: UnsafeMutableRawPointer
    let cancelRequested = Atomic<Bool>(false)
    /// `METHOD scheme://host/path` without credentials or query, for log lines.
    let logDescription: String
    let followsRedirects: Bool

    var delivery: Delivery = .none
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    let redactor: SecretRedactor

    private var head = ResponseHead()
    private var body: [UInt8] = []
    /// The stream's consumer stopped listening; the write callback aborted the transfer.
    private var consumerGone = false
    private var released = false

    init(easy: UnsafeMutableRawPointer, redactor: SecretRedactor, logDescription: String, followsRedirects: Bool) {
        self.easy = easy
        self.redactor = redactor
        self.logDescription = logDescription
        self.followsRedirects = followsRedirects
        errorBuffer = .allocate(capacity: slipway_curl_error_size)
        errorBuffer.initialize(repeating: 0, count: slipway_curl_error_size)
    }

    deinit {
        release()
        errorBuffer.deallocate()
    }

    /// Frees the easy handle and the lists it used. Called on the loop thread after the handle
    /// left the multi handle, or on the creating thread if it never reached the loop.
    func release() {
        guard !released else { return }
        released = true
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        headerList = nil
        connectToList = nil
    }

    var status: Int {
        var code = 0
        _ = slipway_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    // MARK: callbacks (loop thread)

    func didReceiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        guard head.consume(line: line) else { return line.count }
        let status = self.status
        if (100..<200).contains(status) || (followsRedirects && Self.isFollowedRedirect(status) && head.headers.firstValue(named: "location") != nil) {
            return line.count  // libcurl goes on to the next response; wait for its block.
        }
        head.acceptAsFinal()
        deliverHead(status: status)
        return line.count
    }

    func didReceiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        switch delivery {
        case .none:
            return 0
        case .buffered:
            if body.isEmpty {
                var expected: curl_off_t = -1
                if slipway_easy_getinfo_off_t(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected) == CURLE_OK, expected > 0 {
                    body.reserveCapacity(Int(min(expected, 1 << 30)))
                }
            }
            body.append(contentsOf: chunk)
            return chunk.count
        case .awaitingHead:
            deliverHead(status: status)
            return didReceiveBody(chunk)
        case .streamingBody(let body):
            switch body.push(Array(chunk)) {
            case .accepted:
                return chunk.count
            case .pause:
                return slipway_curl_writefunc_pause  // libcurl keeps the chunk and offers it again on resume
            case .consumerGone:
                consumerGone = true
                return 0  // aborts the transfer with CURLE_WRITE_ERROR
            }
        }
    }

    // MARK: completion (loop thread, or the creating thread if the loop never took it)

    /// The outcome libcurl reported for this transfer.
    func finish(code: CURLcode) {
        switch code {
        case CURLE_OK:
            finish(.success(()))
        case CURLE_OPERATION_TIMEDOUT:
            finish(.failure(.timedOut))
        case CURLE_WRITE_ERROR where consumerGone:
            finish(.failure(.cancelled))
        default:
            finish(.failure(.transport(code: Int(code.rawValue), message: transportMessage(code))))
        }
    }

    func finish(_ outcome: Result<Void, HTTPError>) {
        let current = delivery
        delivery = .none
        switch current {
        case .none:
            return
        case .buffered(let continuation):
            continuation.resume(returning: outcome.map { HTTPResponse(status: status, headers: head.headers, body: body) })
        case .awaitingHead(let headContinuation, let stream, let body):
            switch outcome {
            case .success:
                headContinuation.resume(returning: .success(HTTPStreamingResponse(status: status, headers: head.headers, body: stream)))
            case .failure(let error):
                headContinuation.resume(returning: .failure(error))
            }
            body.finish(outcome)
        case .streamingBody(let body):
            body.finish(outcome)
        }
    }

    private func deliverHead(status: Int) {
        guard case .awaitingHead(let headContinuation, let stream, let body) = delivery else { return }
        delivery = .streamingBody(body)
        headContinuation.resume(returning: .success(HTTPStreamingResponse(status: status, headers: head.headers, body: stream)))
    }

    private func transportMessage(_ code: CURLcode) -> String {
        var message = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        if !detail.isEmpty { message += ": " + detail.trimmingSuffix(while: { $0 == "\n" }) }
        return redactor.redact(message)
    }

    /// Statuses after which libcurl follows `Location` when `CURLOPT_FOLLOWLOCATION` is on.
    private static func isFollowedRedirect(_ status: Int) -> Bool {
        [301, 302, 303, 307, 308].contains(status)
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
