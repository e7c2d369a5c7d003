import Testing
@testable import HTTP

@Suite("HTTP client requests")
struct HTTPClientRequestTests {
    @Test("every method sends its body and headers and gets them back")
    func methodsEchoBodiesAndHeaders() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let body: [UInt8]? = method == "GET" ? nil : Array("{\"method\":\"\(method)\"}".utf8)
            let request = HTTPRequest(
                method: method, url: server.baseURL + "/echo",
                headers: [("X-Test", "value-\(method)"), ("Content-Type", "application/json")], body: body
            )
            let response = try await client.execute(request)
            #expect(response.status == 200)
            #expect(response.header("x-method") == method)
            #expect(response.header("X-Echo-X-Test") == "value-\(method)")
            #expect(response.body == (body ?? []))
        }
    }

    @Test("a DELETE without a body and a POST without a content type send no invented headers")
    func noInventedHeaders() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let delete = try await client.execute(HTTPRequest(method: "DELETE", url: server.baseURL + "/echo"))
        #expect(delete.header("X-Method") == "DELETE")
        #expect(delete.body.isEmpty)

        let post = try await client.execute(HTTPRequest(method: "POST", url: server.baseURL + "/echo", body: Array("x=1".utf8)))
        #expect(post.header("X-Echo-Content-Type") == nil)
        #expect(post.header("X-Echo-Expect") == nil)
        #expect(post.body == Array("x=1".utf8))
    }

    @Test("status codes are responses, not errors", arguments: [200, 201, 204, 404, 409, 500])
    func statusCodes(code: Int) async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let response = try await client.execute(HTTPRequest(url: server.baseURL + "/status/\(code)"))
        #expect(response.status == code)
        #expect(response.body == (code == 204 ? [] : Array("status \(code)".utf8)))
    }

    @Test("a body of several megabytes arrives whole, both ways, without an Expect header")
    func largeBodies() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let size = 8 * 1024 * 1024
        let download = try await client.execute(HTTPRequest(url: server.baseURL + "/large/\(size)"))
        #expect(download.body.count == size)
        #expect(download.body == TestServer.pattern(size))

        let upload = TestServer.pattern(3 * 1024 * 1024 + 7)
        let echoed = try await client.execute(HTTPRequest(method: "PUT", url: server.baseURL + "/echo", body: upload))
        #expect(echoed.body == upload)
        #expect(echoed.header("X-Echo-Expect") == nil)
    }

    @Test("interim 100 responses are skipped and GET follows redirects")
    func interimResponsesAndRedirects() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        let continued = try await client.execute(HTTPRequest(url: server.baseURL + "/continue"))
        #expect(continued.status == 200)
        #expect(continued.header("X-Final") == "yes")
        #expect(continued.body == Array("final".utf8))

        let streamed = try await client.stream(HTTPRequest(url: server.baseURL + "/continue"))
        #expect(streamed.status == 200)
        #expect(streamed.header("X-Final") == "yes")
        var body: [UInt8] = []
        for try await chunk in streamed.body { body += chunk }
        #expect(body == Array("final".utf8))

        let redirected = try await client.execute(HTTPRequest(url: server.baseURL + "/redirect"))
        #expect(redirected.status == 200)
        #expect(redirected.header("X-Method") == "GET")
        #expect(redirected.header("Location") == nil)
    }

    @Test("connections are reused across sequential requests")
    func connectionReuse() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }

        for _ in 0..<20 {
            _ = try await client.execute(HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(server.maxOpenConnections == 1)
    }

    @Test("1,000 concurrent requests on one client all succeed within the connection limit")
    func thousandConcurrentRequests() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try HTTPClient(configuration: .init(maxConnectionsPerHost: 8))
        defer { client.shutdown() }

        let succeeded = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let body = Array("request \(index)".utf8)
                    let response = try await client.execute(HTTPRequest(method: "POST", url: server.baseURL + "/echo", body: body))
                    return response.status == 200 && response.body == body
                }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(succeeded == 1000)
        #expect(server.maxOpenConnections <= 8)
    }

    @Test("requests that cannot be sent are refused with a clear error")
    func invalidRequests() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }

        await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-Bad", "a\r\nInjected: yes")]))
        }
        await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "file:///etc/passwd"))
        }
        await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(method: "GET /x", url: "http://127.0.0.1:1/"))
        }
        do {
            _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/", headers: [("Bad Name", "v")]))
            Issue.record("a header name with a space was sent")
        } catch {
            guard case .invalidRequest = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}
