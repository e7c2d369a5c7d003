import Foundation
import Hummingbird
import Logging
import NIOCore
import Observability
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

/// The small HTTP servers of the long-running commands (controller, bot): probes for the
/// kubelet and metrics for Prometheus, on addresses of their own so that the metrics port can
/// be opened to Prometheus alone.
enum StatusServer {
    /// `/healthz` (and `/livez`) answers 200 while the process serves at all (liveness);
    /// `/readyz` answers 200 once `isReady` says so, else 503 (readiness).
    /// See https://kubernetes.io/docs/reference/using-api/health-checks/
    static func health(address: ListenAddress, isReady: @escaping @Sendable () -> Bool, notReadyReason: String = "caches not synced yet",
                       logger: Logger) -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/livez") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            isReady() ? text(.ok, "ok\n") : text(.serviceUnavailable, notReadyReason + "\n")
        }
        return application(router: router, address: address, what: "health", logger: logger)
    }

    /// `/metrics`: every metric of `registry` in the Prometheus text format.
    /// See https://prometheus.io/docs/instrumenting/exposition_formats/
    static func metrics(address: ListenAddress, registry: MetricsRegistry, logger: Logger) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let body = registry.exposition()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
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
