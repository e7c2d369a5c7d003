import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP relay on 127.0.0.1 in front of the cluster, so that a test can cut every connection
/// at once (as a broken network or a load balancer does) and refuse new ones for a while.
/// TLS passes through untouched: the relay only copies bytes.
///
/// Blocking socket calls run on threads of their own, never on the Swift concurrency pool.
final class TCPRelay: Sendable {
    let port: Int
    private let upstreamPort: Int
    private let listener: Int32

    private struct State {
        var open: Set<Int32> = []
        var refusing = false
        var stopped = false
        var accepted = 0
    }

    private let state = Mutex(State())

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw RelayError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(listener, 64) == 0 else {
            close(listener)
            throw RelayError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Connections accepted and relayed so far.
    var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Cuts every open connection in both directions.
    func dropAll() {
        let open = state.withLock { $0.open }
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// While refusing, new connections are closed as soon as they are accepted.
    func setRefusing(_ refusing: Bool) {
        state.withLock { $0.refusing = refusing }
    }

    func stop() {
        let alreadyStopped = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !alreadyStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        dropAll()
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            let (stopped, refusing) = state.withLock { ($0.stopped, $0.refusing) }
            if stopped {
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            guard client >= 0 else { continue }
            if refusing {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: UInt16(upstreamPort))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard upstream >= 0, connected == 0 else {
                if upstream >= 0 { close(upstream) }
                close(client)
                continue
            }
            state.withLock { state in
                state.open.formUnion([client, upstream])
                state.accepted += 1
            }
            let finished = Mutex(0)
            let pump: @Sendable (Int32, Int32) -> Void = { [self] from, to in
                Self.copy(from: from, to: to)
                shutdown(from, Int32(SHUT_RDWR))
                shutdown(to, Int32(SHUT_RDWR))
                let both = finished.withLock { count -> Bool in
                    count += 1
                    return count == 2
                }
                if both {
                    state.withLock { $0.open.subtract([client, upstream]) }
                    close(client)
                    close(upstream)
                }
            }
            Thread.detachNewThread { pump(client, upstream) }
            Thread.detachNewThread { pump(upstream, client) }
        }
    }

    private static func copy(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { bytes -> Int in
                    guard let base = bytes.baseAddress else { return -1 }
                    return write(to, base + sent, count - sent)
                }
                if written <= 0 { return }
                sent += written
            }
        }
    }
}

struct RelayError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
