import Synchronization
import Testing
@testable import HTTP

@Suite("HTTP client streams")
struct HTTPClientStreamTests {
    @Test("stream returns at the headers and delivers chunks as the server sends them")
    func chunksArriveIncrementally() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let response = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/watch", timeout: nil))
        #expect(response.status == 200)
        #expect(response.header("X-Stream") == "watch")

        var iterator = response.body.makeAsyncIterator()
        server.send(chunk: "{\"type\":\"ADDED\"}\n", to: "watch")
        var received: [UInt8] = []
        while received.count < 17, let chunk = try await iterator.next() { received += chunk }
        #expect(received == Array("{\"type\":\"ADDED\"}\n".utf8))

        server.send(chunk: "{\"type\":", to: "watch")
        server.send(chunk: "\"MODIFIED\"}\n", to: "watch")
        server.finish(stream: "watch")
        var rest: [UInt8] = []
        while let chunk = try await iterator.next() { rest += chunk }
        #expect(rest == Array("{\"type\":\"MODIFIED\"}\n".utf8))
    }

    @Test("cancelling the task iterating a stream closes the connection")
    func cancelIteration() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let response = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/cancelled", timeout: nil))
        let received = Mutex(0)
        let consumer = Task {
            for try await chunk in response.body { received.withLock { $0 += chunk.count } }
        }
        server.send(chunk: "first", to: "cancelled")
        try await waitUntil("the consumer got the first chunk") { received.withLock { $0 } == 5 }
        consumer.cancel()
        _ = await consumer.result
        try await waitUntil("the server saw the connection close") { server.closedByClient("cancelled") == 1 }
    }

    @Test("leaving the iteration early closes the connection")
    func breakOutOfIteration() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        do {
            let response = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/early", timeout: nil))
            server.send(chunk: "only", to: "early")
            for try await chunk in response.body {
                #expect(chunk == Array("only".utf8))
                break
            }
        }
        try await waitUntil("the server saw the connection close") { server.closedByClient("early") == 1 }
    }

    @Test("cancelling a task waiting for a stream's headers ends it with cancelled")
    func cancelWhileAwaitingHeaders() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let task = Task { () async throws(HTTPError) -> HTTPStreamingResponse in
            try await client.stream(HTTPRequest(url: server.baseURL + "/hold/stream-head", timeout: nil))
        }
        try await waitUntil("the server saw the request") { server.requestsSeen("stream-head") == 1 }
        task.cancel()
        let result = await task.result
        #expect(throws: HTTPError.cancelled) { try result.get() }
        try await waitUntil("the server saw the connection close") { server.closedByClient("stream-head") == 1 }
    }

    @Test("a stream's total timeout ends its body with timedOut")
    func streamTimeout() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let response = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/timeout", timeout: .milliseconds(400)))
        var caught: (any Error)?
        do {
            for try await _ in response.body {}
        } catch {
            caught = error
        }
        #expect(caught as? HTTPError == .timedOut)
    }
}

@Suite("HTTP stream buffering")
struct HTTPStreamBufferingTests {
    @Test("a full buffer pauses the producer, and reading half of it resumes the producer")
    func pauseAndResume() async throws {
        let resumed = Mutex(0)
        let stopped = Mutex(0)
        let body = StreamBody(limit: 10, resumeProducer: { resumed.withLock { $0 += 1 } }, stopProducer: { stopped.withLock { $0 += 1 } })
        let chunk: [UInt8] = [1, 2, 3, 4, 5, 6]
        #expect(body.push(chunk) == .accepted)
        #expect(body.push(chunk) == .accepted)
        #expect(body.push(chunk) == .pause)
        #expect(body.snapshot.bufferedBytes == 12)
        #expect(body.snapshot.paused)

        let stream = body.makeStream()
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == chunk)
        #expect(resumed.withLock { $0 } == 0)  // 6 bytes still wait: more than half the limit
        #expect(try await iterator.next() == chunk)
        #expect(resumed.withLock { $0 } == 1)
        #expect(!body.snapshot.paused)

        #expect(body.push(chunk) == .accepted)  // libcurl offers the held-back chunk again
        body.finish(.success(()))
        #expect(try await iterator.next() == chunk)
        #expect(try await iterator.next() == nil)
        #expect(stopped.withLock { $0 } == 0)
    }

    @Test("an error ends the stream once, after the data before it")
    func errorAfterData() async throws {
        let body = StreamBody(limit: 100, resumeProducer: {}, stopProducer: {})
        #expect(body.push([7]) == .accepted)
        body.finish(.failure(.timedOut))
        var iterator = body.makeStream().makeAsyncIterator()
        #expect(try await iterator.next() == [7])
        await #expect(throws: HTTPError.timedOut) { _ = try await iterator.next() }
    }

    @Test("dropping the consumer's stream stops the producer")
    func droppedConsumer() {
        let stopped = Mutex(0)
        let body = StreamBody(limit: 100, resumeProducer: {}, stopProducer: { stopped.withLock { $0 += 1 } })
        do {
            let stream = body.makeStream()
            _ = stream
        }
        #expect(stopped.withLock { $0 } == 1)
        #expect(body.push([1]) == .consumerGone)
    }

    @Test("a stream through a tiny buffer pauses and resumes without losing or reordering a byte")
    func tinyBufferIntegrity() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient(configuration: .init(maxBufferedStreamBytes: 1))
        defer { client.shutdown() }

        let response = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/bulk", timeout: nil))
        let payload = TestServer.pattern(2 * 1024 * 1024 + 13)
        for start in stride(from: 0, to: payload.count, by: 100_000) {
            server.send(bytes: Array(payload[start..<min(start + 100_000, payload.count)]), to: "bulk")
        }
        server.finish(stream: "bulk")
        var received: [UInt8] = []
        received.reserveCapacity(payload.count)
        for try await chunk in response.body { received += chunk }
        #expect(received.count == payload.count)
        #expect(received == payload)
    }
}
