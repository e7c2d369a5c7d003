import Foundation
import Synchronization
import Glibc

/// A TCP forwarder on 127.0.0.1 in front of the fake server, which can be closed and opened
/// again on the same port. Closed, nothing listens: clients get "connection refused", as when
/// Telegram is unreachable. The HTTP server behind it keeps running, so it is never shut down
/// while a client connects (SwiftNIO does not allow a connection to arrive mid-shutdown).
///
/// Blocking socket calls run on threads of their own, never on the Swift concurrency pool.
final class TCPGate: Sendable {
    private let backendPort: Int
    private let state = Mutex(GateState())

    private struct GateState {
        var port = 0
        var listener: Int32 = -1
        var connections: Set<Int32> = []
    }

    init(backendPort: Int) {
        self.backendPort = backendPort
    }

    var port: Int { state.withLock { $0.port } }

    /// Starts listening, on the previous port if there was one.
    func open() throws {
        let wanted = state.withLock { $0.port }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeTelegramError("socket() failed: \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: wanted)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw FakeTelegramError("cannot listen on 127.0.0.1:\(wanted): errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        state.withLock {
            $0.port = Int(UInt16(bigEndian: actual.sin_port))
            $0.listener = fd
        }
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    /// Stops listening and cuts every forwarded connection.
    func close() {
        let (listener, connections) = state.withLock { state -> (Int32, Set<Int32>) in
            defer {
                state.listener = -1
                state.connections = []
            }
            return (state.listener, state.connections)
        }
        if listener >= 0 {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
        }
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let stillOpen = state.withLock { state -> Bool in
                guard state.listener == listener else { return false }
                state.connections.insert(client)
                return true
            }
            guard stillOpen else {
                Glibc.close(client)
                return
            }
            let backend = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: backendPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(backend, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard backend >= 0, connected == 0 else {
                if backend >= 0 { Glibc.close(backend) }
                forget(client)
                continue
            }
            state.withLock { _ = $0.connections.insert(backend) }
            let finished = Mutex(0)
            let done: @Sendable () -> Void = { [self] in
                // Whichever direction ends first cuts both; the second closes the sockets.
                shutdown(client, Int32(SHUT_RDWR))
                shutdown(backend, Int32(SHUT_RDWR))
                if finished.withLock({ count -> Int in count += 1; return count }) == 2 {
                    forget(client)
                    forget(backend)
                }
            }
            Thread.detachNewThread { Self.pump(from: client, to: backend); done() }
            Thread.detachNewThread { Self.pump(from: backend, to: client); done() }
        }
    }

    private func forget(_ fd: Int32) {
        state.withLock { _ = $0.connections.remove(fd) }
        Glibc.close(fd)
    }

    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
