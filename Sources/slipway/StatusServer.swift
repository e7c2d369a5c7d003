import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A listen address given as `HOST:PORT` or `:PORT` (every interface), as controller-runtime's
/// `--metrics-bind-address` and `--health-probe-bind-address` take it.
struct ListenAddress: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}

/// The controller's small HTTP servers: probes for the kubelet and gauges for Prometheus.
enum StatusServer {
    /// `/healthz` answers 200 while the process serves at all (liveness); `/readyz` answers 200
    /// once the watch caches are synced, else 503 (readiness).
    /// See https://kubernetes.io/docs/reference/using-api/health-checks/
    static func health(address: ListenAddress, status: ControllerStatus, logger: Logger) -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/livez") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            status.isReady ? text(.ok, "ok\n") : text(.serviceUnavailable, "caches not synced yet\n")
        }
        return application(router: router, address: address, what: "health", logger: logger)
    }

    /// `/metrics` in the Prometheus text format: whether the controller is ready and leading.
    /// See https://prometheus.io/docs/instrumenting/exposition_formats/
    static func metrics(address: ListenAddress, status: ControllerStatus, logger: Logger) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let body = """
                # HELP slipway_controller_ready Whether the controller's watch caches are synced (1) or not (0).
                # TYPE slipway_controller_ready gauge
                slipway_controller_ready \(status.isReady ? 1 : 0)
                # HELP slipway_controller_leader Whether this replica holds the leader Lease (1) or not (0); 1 without leader election once running.
                # TYPE slipway_controller_leader gauge
                slipway_controller_leader \(status.isLeading ? 1 : 0)

                """
            var response = text(.ok, body)
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
        return application(router: router, address: address, what: "metrics", logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private static func application(router: Router<BasicRequestContext>, address: ListenAddress, what: String,
                                    logger: Logger) -> some Service {
        Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                FileHandle.standardOutput.write(Data("\(what) endpoint listening on http://\(address.host):\(port)\n".utf8))
            },
            logger: logger)
    }
}
