#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for the client's tests, one thread per connection.
///
/// Routes:
/// - `/echo`: 200; the body is the request body, `X-Method` the method and `X-Echo-<name>` each
///   request header.
/// - `/status/<code>`: that status.
/// - `/large/<n>`: n bytes of `TestServer.pattern`.
/// - `/stream/<name>`: a chunked response whose chunks the test sends with `send(chunk:to:)`
///   and ends with `finish(stream:)`.
/// - `/hold/<name>`: never answers; the connection stays open until the client closes it.
/// - `/continue`: a `100 Continue` interim response, then 200.
/// - `/redirect`: 302 to `/echo`.
///
/// The server counts connections and records, per name, requests seen and connections the
/// client closed, so tests can wait on those conditions.
final class TestServer: Sendable {
    struct Counters {
        var open = 0
        var maxOpen = 0
        var accepted = 0
        var seenRequests: [String: Int] = [:]
        var closedByClient: [String: Int] = [:]
        var pendingChunks: [String: [[UInt8]?]] = [:]  // nil ends the stream
        var connections: Set<Int32> = []
        var stopped = false
    }

    let port: Int
    private let listener: Int32
    private let counters = Mutex(Counters())

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServerError.socket("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else { close(fd); throw TestServerError.socket("bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        startThread { [self] in acceptLoop() }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        let connections = counters.withLock { counters in
            counters.stopped = true
            return counters.connections
        }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for connection in connections { Glibc.shutdown(connection, Int32(SHUT_RDWR)) }
    }

    // MARK: what tests observe and control

    var maxOpenConnections: Int { counters.withLock { $0.maxOpen } }
    func requestsSeen(_ name: String) -> Int { counters.withLock { $0.seenRequests[name, default: 0] } }
    func closedByClient(_ name: String) -> Int { counters.withLock { $0.closedByClient[name, default: 0] } }

    func send(chunk: String, to stream: String) {
        counters.withLock { $0.pendingChunks[stream, default: []].append(Array(chunk.utf8)) }
    }

    func send(bytes: [UInt8], to stream: String) {
        counters.withLock { $0.pendingChunks[stream, default: []].append(bytes) }
    }

    func finish(stream: String) {
        counters.withLock { $0.pendingChunks[stream, default: []].append(nil) }
    }

    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) }
    }

    // MARK: serving

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            let accepted = counters.withLock { counters -> Bool in
                guard !counters.stopped else { return false }
                counters.open += 1
                counters.accepted += 1
                counters.maxOpen = max(counters.maxOpen, counters.open)
                counters.connections.insert(connection)
                return true
            }
            guard accepted else { close(connection); continue }
            startThread { [self] in
                serve(connection)
                counters.withLock { counters in
                    counters.open -= 1
                    counters.connections.remove(connection)
                }
                close(connection)
            }
        }
    }

    private func serve(_ connection: Int32) {
        var reader = RequestReader(socket: connection)
        while let request = reader.next() {
            guard respond(to: request, on: connection) else { return }
        }
    }

    /// Answers one request; false when the connection is done.
    private func respond(to request: TestRequest, on connection: Int32) -> Bool {
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "echo":
            var headers = [("X-Method", request.method)]
            headers += request.headers.map { ("X-Echo-\($0.name)", $0.value) }
            return write(status: 200, headers: headers, body: request.body, to: connection)
        case "status":
            let code = segments.dropFirst().first.flatMap { Int($0) } ?? 400
            let body = (code == 204 || code == 304) ? [] : Array("status \(code)".utf8)
            return write(status: code, headers: [], body: body, to: connection)
        case "large":
            let count = segments.dropFirst().first.flatMap { Int($0) } ?? 0
            return write(status: 200, headers: [("Content-Type", "application/octet-stream")], body: Self.pattern(count), to: connection)
        case "continue":
            guard sendAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: connection) else { return false }
            return write(status: 200, headers: [("X-Final", "yes")], body: Array("final".utf8), to: connection)
        case "redirect":
            return write(status: 302, headers: [("Location", "/echo")], body: Array("moved".utf8), to: connection)
        case "hold":
            let name = segments.dropFirst().first ?? "hold"
            counters.withLock { $0.seenRequests[name, default: 0] += 1 }
            waitForClientClose(connection, name: name, feeding: nil)
            return false
        case "stream":
            let name = segments.dropFirst().first ?? "stream"
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nX-Stream: \(name)\r\n\r\n"
            guard sendAll(Array(head.utf8), to: connection) else { return false }
            counters.withLock { $0.seenRequests[name, default: 0] += 1 }
            return waitForClientClose(connection, name: name, feeding: name)
        default:
            return write(status: 404, headers: [], body: Array("no route".utf8), to: connection)
        }
    }

    /// Sends queued chunks of `feeding` (if any) until the stream ends, and records when the
    /// client closes the connection. Returns true when the stream ended normally.
    @discardableResult
    private func waitForClientClose(_ connection: Int32, name: String, feeding stream: String?) -> Bool {
        while true {
            if let stream {
                let chunks = counters.withLock { counters in
                    defer { counters.pendingChunks[stream] = [] }
                    return counters.pendingChunks[stream] ?? []
                }
                for chunk in chunks {
                    guard let chunk else {
                        return sendAll(Array("0\r\n\r\n".utf8), to: connection)
                    }
                    let framed = Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10]
                    guard sendAll(framed, to: connection) else { break }
                }
            }
            var descriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 10)
            if ready > 0 {
                var byte: UInt8 = 0
                let received = recv(connection, &byte, 1, Int32(MSG_PEEK))
                if received <= 0 {
                    counters.withLock { $0.closedByClient[name, default: 0] += 1 }
                    return false
                }
            }
            if counters.withLock({ $0.stopped }) { return false }
        }
    }

    private func write(status: Int, headers: [(String, String)], body: [UInt8], to connection: Int32) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if status != 204 && status != 304 { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return sendAll(Array(head.utf8) + body, to: connection)
    }

    private func sendAll(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 {
                if sent < 0 && errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 404: "Not Found"
        case 409: "Conflict"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}

enum TestServerError: Error {
    case socket(String)
}

struct TestRequest {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
}

/// Reads HTTP/1.1 requests (Content-Length bodies) from one connection.
struct RequestReader {
    let socket: Int32
    private var buffer: [UInt8] = []

    init(socket: Int32) { self.socket = socket }

    mutating func next() -> TestRequest? {
        var headEnd: Int?
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard fill() else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((name: String(line[..<colon]), value: String(value)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return TestRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if received < 0 && errno == EINTR { return true }
        guard received > 0 else { return false }
        buffer.append(contentsOf: chunk[..<received])
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
