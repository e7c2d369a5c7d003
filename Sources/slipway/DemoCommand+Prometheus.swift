import Foundation
import Rollout
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus for the demo: scrapes the embedded cluster's application metrics every
/// second, keeps its data in a temporary directory, and answers the canary's PromQL gate.
/// https://prometheus.io/docs/prometheus/latest/configuration/configuration/
final class DemoPrometheus: Sendable {
    static let binary = "/usr/bin/prometheus"
    static let job = "slipway-demo-apps"

    /// Where gates reach it: `http://127.0.0.1:PORT`.
    let address: String
    private let process: Process
    private let directory: URL

    private init(address: String, process: Process, directory: URL) {
        self.address = address
        self.process = process
        self.directory = directory
    }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Starts Prometheus scraping `metricsURL` (`http://127.0.0.1:PORT/metrics`) and returns once
    /// it has scraped the apps; throws with the end of its log when it does not.
    static func start(scraping metricsURL: String, in parent: URL) async throws -> DemoPrometheus {
        guard let metrics = URL(string: metricsURL), let host = metrics.host, let metricsPort = metrics.port else {
            throw CommandFailure("the cluster's metrics address \(metricsURL) is not a URL with a host and port")
        }
        let directory = parent.appendingPathComponent("prometheus", isDirectory: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: \(job)
                metrics_path: \(metrics.path.isEmpty ? "/metrics" : metrics.path)
                static_configs:
                  - targets: ["\(host):\(metricsPort)"]

            """.write(to: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        let server = DemoPrometheus(address: "http://127.0.0.1:\(port)", process: process, directory: directory)

        let client = PrometheusClient()
        let up = await DemoSetup.poll(timeout: .seconds(30)) {
            guard process.isRunning else { return true }
            let result = try? await client.query("up{job=\"\(job)\"}", address: server.address, timeout: .seconds(1))
            return result?.values.first == 1
        }
        if up && process.isRunning { return server }
        server.stop()
        let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(1000)
        throw CommandFailure("Prometheus did not start scraping the demo's apps within 30 s: \(tail)")
    }

    /// SIGTERM; Prometheus shuts down in a moment and the temporary directory goes with the demo's.
    func stop() {
        if process.isRunning { process.terminate() }
    }

    /// A port on 127.0.0.1 nobody listens on right now (bound, read and released).
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CommandFailure("no socket for finding a free port for Prometheus") }
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
        guard bound else { throw CommandFailure("could not bind 127.0.0.1:0 to find a free port for Prometheus") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
