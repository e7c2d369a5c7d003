#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import HTTP

@Suite("HTTP client failures")
struct HTTPClientFailureTests {
    @Test("a request longer than its total timeout fails with timedOut")
    func totalTimeout() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        do {
            _ = try await client.execute(HTTPRequest(url: server.baseURL + "/hold/slow", timeout: .milliseconds(300)))
            Issue.record("the request did not time out")
        } catch {
            #expect(error == .timedOut)
        }
    }

    @Test("a refused connection is a transport error that does not reveal credentials")
    func connectionRefused() async throws {
        let port = try unusedPort()
        let client = try HTTPClient()
        defer { client.shutdown() }

        do {
            _ = try await client.execute(HTTPRequest(
                url: "http://admin:hunter2secret@127.0.0.1:\(port)/api",
                headers: [("Authorization", "Bearer tok3n-value")]
            ))
            Issue.record("the request reached a closed port")
        } catch {
            guard case .transport(let code, let message) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(code == 7)  // CURLE_COULDNT_CONNECT
            #expect(!message.isEmpty)
            #expect(!message.contains("hunter2secret"))
            #expect(!message.contains("tok3n-value"))
        }
    }

    @Test("cancelling an in-flight execute ends it with cancelled and closes its connection")
    func cancelExecute() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let task = Task { () async throws(HTTPError) -> HTTPResponse in
            try await client.execute(HTTPRequest(url: server.baseURL + "/hold/cancel-me", timeout: nil))
        }
        try await waitUntil("the server saw the request") { server.requestsSeen("cancel-me") == 1 }
        task.cancel()
        let result = await task.result
        #expect(throws: HTTPError.cancelled) { try result.get() }
        try await waitUntil("the server saw the connection close") { server.closedByClient("cancel-me") == 1 }
    }

    @Test("a task cancelled before its request starts never sends it")
    func cancelledBeforeStart() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let task = Task { () async throws(HTTPError) -> HTTPResponse in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.execute(HTTPRequest(url: server.baseURL + "/hold/never", timeout: nil))
        }
        let result = await task.result
        #expect(throws: HTTPError.cancelled) { try result.get() }
        // A later request on the same client still works.
        let response = try await client.execute(HTTPRequest(url: server.baseURL + "/echo"))
        #expect(response.status == 200)
        #expect(server.requestsSeen("never") == 0)
    }

    @Test("shutdown fails transfers in flight with shutDown, returns, and refuses new requests")
    func shutdownWhileInFlight() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()

        let held = (0..<3).map { index in
            Task { () async throws(HTTPError) -> HTTPResponse in
                try await client.execute(HTTPRequest(url: server.baseURL + "/hold/shutdown", timeout: nil))
            }
        }
        let stream = try await client.stream(HTTPRequest(url: server.baseURL + "/stream/shutdown-stream", timeout: nil))
        let consumer = Task { () async -> (any Error)? in
            do {
                for try await _ in stream.body {}
                return nil
            } catch {
                return error
            }
        }
        try await waitUntil("the server saw every request") { server.requestsSeen("shutdown") == 3 }

        client.shutdown()

        for task in held {
            let result = await task.result
            #expect(throws: HTTPError.shutDown) { try result.get() }
        }
        let streamError = await consumer.value
        #expect(streamError as? HTTPError == .shutDown)
        await #expect(throws: HTTPError.shutDown) {
            try await client.execute(HTTPRequest(url: server.baseURL + "/echo"))
        }
        client.shutdown()  // a second shutdown is harmless
    }

    @Test("releasing the client without shutdown ends its streams")
    func releaseWithoutShutdown() async throws {
        let server = try TestServer()
        defer { server.stop() }
        var client: HTTPClient? = try HTTPClient()
        let stream = try await client?.stream(HTTPRequest(url: server.baseURL + "/stream/released", timeout: nil))
        client = nil
        var caught: (any Error)?
        do {
            for try await _ in try #require(stream).body {}
        } catch {
            caught = error
        }
        #expect(caught as? HTTPError == .shutDown)
        try await waitUntil("the server saw the connection close") { server.closedByClient("released") == 1 }
    }

    /// A port nothing listens on: bound once, then closed.
    private func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestServerError.socket("bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
