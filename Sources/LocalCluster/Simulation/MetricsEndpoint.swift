import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `GET /metrics` with every simulated app's series, labelled with namespace, service,
/// deployment and version (see `AppMetrics`): one static scrape target for a real Prometheus.
/// ```yaml
/// scrape_configs:
///   - job_name: slipway-cluster-apps
///     scrape_interval: 1s
///     static_configs:
///       - targets: ["127.0.0.1:PORT"]
/// ```
/// https://prometheus.io/docs/prometheus/latest/configuration/configuration/#static_config
struct MetricsEndpointResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let metrics: AppMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.text(.methodNotAllowed, "only GET /metrics is served here\n")
        }
        guard request.uri.path == "/metrics" else {
            return Self.text(.notFound, "not found: the simulated applications' metrics are at /metrics\n")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.clusterExposition())))
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
