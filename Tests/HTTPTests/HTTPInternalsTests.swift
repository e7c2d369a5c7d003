import Testing
@testable import HTTP

@Suite("HTTP internals")
struct HTTPInternalsTests {
    @Test("a TLS server name reroutes the URL and connects to the original host")
    func serverNameRoute() throws {
        let route = try #require(try ServerNameRoute.make(url: "https://10.0.0.1:6443/api/v1?watch=1", serverName: "kubernetes.default"))
        #expect(route.url == "https://kubernetes.default:6443/api/v1?watch=1")
        #expect(route.connectTo == "kubernetes.default:6443:10.0.0.1:6443")
        #expect(route.hostHeader == "10.0.0.1:6443")

        let defaultPort = try #require(try ServerNameRoute.make(url: "https://api.example.com/healthz", serverName: "internal"))
        #expect(defaultPort.connectTo == "internal:443:api.example.com:443")
        #expect(defaultPort.hostHeader == "api.example.com")

        let ipv6 = try #require(try ServerNameRoute.make(url: "https://[::1]:8443/", serverName: "localhost"))
        #expect(ipv6.connectTo == "localhost:8443:[::1]:8443")

        #expect(try ServerNameRoute.make(url: "http://10.0.0.1/", serverName: "kubernetes") == nil)
        #expect(try ServerNameRoute.make(url: "https://10.0.0.1/", serverName: nil) == nil)
        #expect(throws: HTTPError.self) { try ServerNameRoute.make(url: "https://10.0.0.1/", serverName: "bad:name") }
    }

    @Test("only the final header block is kept; interim blocks and trailers are not")
    func responseHead() {
        var head = ResponseHead()
        func feed(_ line: String) -> Bool {
            Array(line.utf8).withUnsafeBytes { head.consume(line: $0) }
        }
        #expect(!feed("HTTP/1.1 100 Continue\r\n"))
        #expect(feed("\r\n"))  // interim block ends; the caller sees 100 and waits
        #expect(!feed("HTTP/1.1 200 OK\r\n"))
        #expect(!feed("Content-Type:  application/json \r\n"))
        #expect(!feed("X-Folded: one\r\n"))
        #expect(!feed("\t two\r\n"))
        #expect(!feed("Empty:\r\n"))
        #expect(feed("\r\n"))
        head.acceptAsFinal()
        #expect(!feed("X-Trailer: late\r\n"))
        #expect(!feed("\r\n"))
        #expect(head.headers.map(\.name) == ["Content-Type", "X-Folded", "Empty"])
        #expect(head.headers.firstValue(named: "content-type") == "application/json")
        #expect(head.headers.firstValue(named: "x-folded") == "one two")
        #expect(head.headers.firstValue(named: "empty") == "")
    }

    @Test("credentials in URLs and headers never reach error text or logs")
    func redaction() {
        let redactor = SecretRedactor(
            url: "https://user:p4ssword@host:6443/api", proxy: "http://proxyuser:pr0xy@proxy:3128",
            headers: [("Authorization", "Bearer abc.def.ghi"), ("Accept", "application/json")]
        )
        let text = "failed for user:p4ssword at proxyuser:pr0xy with abc.def.ghi and application/json"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains("p4ssword"))
        #expect(!redacted.contains("pr0xy"))
        #expect(!redacted.contains("abc.def.ghi"))
        #expect(redacted.contains("application/json"))
        #expect(SecretRedactor.loggableLocation(of: "https://user:pw@host:6443/api/v1/pods?labelSelector=a") == "https://host:6443/api/v1/pods")
    }

    @Test("a Telegram bot token in the URL path never reaches error text or log lines")
    func botTokenInPath() {
        let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        let url = "https://api.telegram.org/bot\(token)/sendMessage?chat_id=1"
        let location = SecretRedactor.loggableLocation(of: url)
        #expect(location == "https://api.telegram.org/bot<redacted>/sendMessage")
        #expect(!location.contains("AAHdqTcv"))
        let redactor = SecretRedactor(url: url, proxy: nil, headers: [])
        let echoed = redactor.redact("Could not resolve host for \(url)")
        #expect(!echoed.contains(token))
        #expect(!echoed.contains("AAHdqTcv"))
        // Paths that merely start with "bot" stay readable.
        #expect(SecretRedactor.loggableLocation(of: "http://host/bots/robot/bot:x/bot12") == "http://host/bots/robot/bot:x/bot12")
    }

    @Test("a client certificate without its key is refused")
    func certificateWithoutKey() async throws {
        let client = try HTTPClient(configuration: .init(tls: .init(clientCertificatePEM: Array("-----BEGIN CERTIFICATE-----".utf8))))
        defer { client.shutdown() }
        await #expect(throws: HTTPError.self) {
            try await client.execute(HTTPRequest(url: "https://127.0.0.1:1/"))
        }
    }
}
