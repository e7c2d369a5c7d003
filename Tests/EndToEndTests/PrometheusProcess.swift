import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus on loopback scraping the application metrics of a `slipway cluster`
/// process every second, with its storage in a temporary directory. Start it with `start`,
/// which returns once it is ready and the cluster target is up; `stop` ends it and removes
/// the files. https://prometheus.io/docs/prometheus/latest/querying/api/
final class PrometheusProcess: Sendable {
    static let job = "slipway-cluster-apps"

    /// `prometheus` on PATH or in /usr/bin (scripts/install-deps.sh installs it on a fresh machine).
    static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/prometheus" } + ["/usr/bin/prometheus"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Where the gates of a target reach this Prometheus (`http://127.0.0.1:PORT`).
    let address: String
    let directory: URL
    private let process: Process

    private init(address: String, directory: URL, process: Process) {
        self.address = address
        self.directory = directory
        self.process = process
    }

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

    /// Starts Prometheus on a free loopback port (another one when the port picked was taken
    /// in the meantime) and waits until it has scraped the cluster.
    static func start(scraping metricsURL: String) async throws -> PrometheusProcess {
        guard let binary else { throw EndToEndError("prometheus is not installed; run scripts/install-deps.sh") }
        var lastLog = ""
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-e2e-prometheus-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("prometheus.yml")
            try configuration(metricsURL: metricsURL).write(to: config, atomically: true, encoding: .utf8)
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
            let server = PrometheusProcess(address: "http://127.0.0.1:\(port)", directory: directory, process: process)
            let up = try await waitUntil(timeout: .seconds(40)) {
                guard process.isRunning else { return true }
                return (try? await server.query("up{job=\"\(job)\"}"))?.first == 1
            }
            if up && process.isRunning { return server }
            lastLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            await server.stop()
        }
        throw EndToEndError("prometheus did not start scraping the cluster: \(lastLog.suffix(2000))")
    }

    /// The values of an instant query's result (NaN included).
    func query(_ promQL: String) async throws -> [Double] {
        var components = URLComponents(string: address + "/api/v1/query")
        components?.queryItems = [URLQueryItem(name: "query", value: promQL)]
        guard let url = components?.url else { throw EndToEndError("cannot form a query URL for \(promQL)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let body = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              body["status"] as? String == "success", let result = body["data"] as? [String: Any] else {
            throw EndToEndError("query \(promQL) failed: \(String(decoding: data, as: UTF8.self))")
        }
        func number(_ pair: Any?) -> Double { ((pair as? [Any])?.last as? String).flatMap(Double.init) ?? .nan }
        if result["resultType"] as? String == "scalar" { return [number(result["result"])] }
        return ((result["result"] as? [[String: Any]]) ?? []).map { number($0["value"]) }
    }

    /// SIGTERM, SIGKILL after 10 s, then the files go.
    func stop() async {
        if process.isRunning { process.terminate() }
        let process = self.process
        if (try? await waitUntil(timeout: .seconds(10)) { !process.isRunning }) != true, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = try? await waitUntil(timeout: .seconds(5)) { !process.isRunning }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port on 127.0.0.1 nobody listens on right now (bound, read and released).
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EndToEndError("no socket for finding a free port") }
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
        guard bound else { throw EndToEndError("could not bind 127.0.0.1:0 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
