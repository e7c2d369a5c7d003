import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks a port on 127.0.0.1 nobody listens on right now: binds port 0, reads the port the
/// kernel chose and releases it. Another process may take it before Prometheus binds it, which
/// is why `PrometheusServer.start` tries again on a new port when the server exits early.
func freeLoopbackPort() throws(PrometheusServerError) -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw PrometheusServerError("no socket for finding a free port for Prometheus") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw PrometheusServerError("could not bind 127.0.0.1:0 to find a free port for Prometheus") }
    return Int(UInt16(bigEndian: address.sin_port))
}
