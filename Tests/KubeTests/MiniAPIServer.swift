#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A small plain-HTTP/1.1 server on 127.0.0.1 answering from a script, to run the client over
/// the real libcurl transport. One thread per connection; keep-alive supported.
final class MiniAPIServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var body: [UInt8]
    }

    enum Reply: Sendable {
        case full(status: Int, body: String)
        /// A chunked body; with `holdOpen` the response stays open until the client closes it.
        case chunked(status: Int, chunks: [String], holdOpen: Bool)
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let state = Mutex<(requests: [Request], closedStreams: Int, connections: Set<Int32>)>(([], 0, []))

    init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { state.withLock { $0.requests } }
    var closedStreams: Int { state.withLock { $0.closedStreams } }

    func stop() {
        let open = state.withLock { $0.connections }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for connection in open { Glibc.shutdown(connection, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            state.withLock { _ = $0.connections.insert(connection) }
            let thread = Thread { [self] in
                serve(connection)
                state.withLock { _ = $0.connections.remove(connection) }
                close(connection)
            }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        while let request = readRequest(connection, buffer: &buffer) {
            state.withLock { $0.requests.append(request) }
            switch handler(request) {
            case .full(let status, let body):
                let bytes = Array(body.utf8)
                let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n"
                guard sendAll(Array(head.utf8) + bytes, connection) else { return }
            case .chunked(let status, let chunks, let holdOpen):
                // A client that leaves while the chunks are still being sent counts as closing too.
                let clientLeft = { [self] in
                    if holdOpen { state.withLock { $0.closedStreams += 1 } }
                }
                var out = Array("HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                guard sendAll(out, connection) else { return clientLeft() }
                for chunk in chunks where !chunk.isEmpty {
                    out = Array(String(chunk.utf8.count, radix: 16).utf8) + [13, 10] + Array(chunk.utf8) + [13, 10]
                    guard sendAll(out, connection) else { return clientLeft() }
                }
                if holdOpen {
                    var byte: UInt8 = 0
                    while recv(connection, &byte, 1, 0) > 0 {}
                    state.withLock { $0.closedStreams += 1 }
                    return
                }
                guard sendAll(Array("0\r\n\r\n".utf8), connection) else { return }
            }
        }
    }

    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where Array(buffer[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
            if headEnd != nil { break }
            guard receive(connection, into: &buffer) else { return nil }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeSubrange(0..<(end + 4))
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard receive(connection, into: &buffer) else { return nil }
        }
        let body = Array(buffer[0..<length])
        buffer.removeSubrange(0..<length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func sendAll(_ bytes: [UInt8], _ connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
