import Foundation
import HTTP
import JSON
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus on loopback scraping the embedded cluster's application metrics every
/// second, with its storage in a temporary directory; `with` starts it, waits until it is
/// ready and the target is up, runs the body, and stops it.
/// https://prometheus.io/docs/prometheus/latest/querying/api/
final class PrometheusServer: Sendable {
    static let job = "slipway-cluster-apps"

    /// `prometheus` on PATH (Debian installs it in /usr/bin; scripts/install-deps.sh on a fresh machine).
    static let binary: String? = executable("prometheus")
    static let promtool: String? = executable("promtool")

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The scrape configuration for the cluster's metrics endpoint (`http://127.0.0.1:PORT/metrics`).
    static func configuration(metricsURL: String) -> String {
        let target = URL(string: metricsURL).map { "\($0.host ?? "127.0.0.1"):\($0.port ?? 80)" } ?? metricsURL
        return """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: \(job)
                metrics_path: /metrics
                static_configs:
                  - targets: ["\(target)"]

            """
    }

    let url: String
    let directory: URL
    private let process: Process
    private let client: HTTPClient

    private init(url: String, directory: URL, process: Process, client: HTTPClient) {
        self.url = url
        self.directory = directory
        self.process = process
        self.client = client
    }

    static func with<T: Sendable>(scraping metricsURL: String, _ body: (PrometheusServer) async throws -> T) async throws -> T {
        let server = try await start(scraping: metricsURL)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts Prometheus on a free loopback port; tries another port when the one picked was
    /// taken in the meantime.
    static func start(scraping metricsURL: String) async throws -> PrometheusServer {
        guard let binary else { throw PrometheusError("prometheus is not installed; run scripts/install-deps.sh") }
        var lastLog = ""
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-prometheus-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("prometheus.yml")
            try configuration(metricsURL: metricsURL).write(to: config, atomically: true, encoding: .utf8)
            let port = try freeLoopbackPort()
            let log = directory.appendingPathComponent("prometheus.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ]
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? handle.close()
            let server = PrometheusServer(url: "http://127.0.0.1:\(port)", directory: directory, process: process, client: try HTTPClient())
            if try await server.waitUntilReady() { return server }
            lastLog = server.log
            await server.stop()
        }
        throw PrometheusError("prometheus did not become ready: \(lastLog.suffix(2000))")
    }

    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    /// Waits for /-/ready and then for the cluster target to be scraped successfully.
    private func waitUntilReady() async throws -> Bool {
        let ready = try await waitFor(timeout: .seconds(30)) {
            guard self.process.isRunning else { return true }
            return (try? await self.client.execute(HTTPRequest(url: self.url + "/-/ready", timeout: .seconds(2))))?.status == 200
        }
        guard ready, process.isRunning else { return false }
        return try await waitFor(timeout: .seconds(30)) {
            (try? await self.query("up{job=\"\(Self.job)\"}"))?.first?.value == 1
        }
    }

    /// One sample of an instant vector or scalar.
    struct Sample: Sendable {
        var labels: [String: String]
        var value: Double
    }

    /// An instant query (`GET /api/v1/query`); the result's samples, NaN included.
    func query(_ promQL: String) async throws -> [Sample] {
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await client.execute(HTTPRequest(url: "\(url)/api/v1/query?query=\(encoded)", timeout: .seconds(5)))
        let body = try JSONValue(parsing: response.body)
        guard response.status == 200, body["status"]?.stringValue == "success" else {
            throw PrometheusError("query \(promQL) failed (\(response.status)): \(body["error"]?.stringValue ?? "")")
        }
        let data = body["data"] ?? .null
        func number(_ pair: JSONValue?) -> Double { pair?.arrayValue?.last?.stringValue.flatMap(Double.init) ?? .nan }
        if data["resultType"]?.stringValue == "scalar" { return [Sample(labels: [:], value: number(data["result"]))] }
        return (data["result"]?.arrayValue ?? []).map { item in
            var labels: [String: String] = [:]
            for (key, value) in item["metric"]?.objectValue ?? [:] { labels[key] = value.stringValue }
            return Sample(labels: labels, value: number(item["value"]))
        }
    }

    /// Waits until Prometheus holds a scrape of the cluster taken at or after `date`, so that a
    /// range ending now covers only what happened since.
    func waitForScrape(after date: Date, timeout: Duration = .seconds(30)) async throws -> Bool {
        try await waitFor(timeout: timeout) {
            let newest = (try? await self.query("max(timestamp(up{job=\"\(Self.job)\"}))"))?.first?.value ?? 0
            return newest >= date.timeIntervalSince1970
        }
    }

    /// SIGTERM, SIGKILL after 10 s, then the files go.
    func stop() async {
        client.shutdown()
        if process.isRunning { process.terminate() }
        let stopped = (try? await waitFor(timeout: .seconds(10)) { !self.process.isRunning }) ?? false
        if !stopped, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = try? await waitFor(timeout: .seconds(5)) { !self.process.isRunning }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitFor(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// A port on 127.0.0.1 nobody listens on right now (bound, read and released).
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PrometheusError("no socket for finding a free port") }
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
        guard bound else { throw PrometheusError("could not bind 127.0.0.1:0 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct PrometheusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
