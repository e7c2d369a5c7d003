import Foundation
import HTTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real Prometheus server process on loopback, with its configuration, log and storage in a
/// directory of its own: what the demo's PromQL gates and the tests of real queries run against.
/// `start` returns once the server is ready and has scraped its job; `stop` ends it and removes
/// the directory. https://prometheus.io/docs/prometheus/latest/querying/api/
public final class PrometheusServer: Sendable {
    /// Where gates reach it: `http://127.0.0.1:PORT`.
    public let address: String
    /// Holds `prometheus.yml`, `prometheus.log` and the TSDB in `data/`.
    public let directory: URL
    /// The scrape job whose targets must be up before `start` returns.
    public let job: String
    private let process: Process
    let client: HTTPClient

    private init(address: String, directory: URL, job: String, process: Process, client: HTTPClient) {
        self.address = address
        self.directory = directory
        self.job = job
        self.process = process
        self.client = client
    }

    /// Starts Prometheus scraping `metricsURL` every `scrapeInterval` as `job`; see
    /// `configuration(job:metricsURL:scrapeInterval:)` and `start(configuration:job:in:binary:readinessTimeout:attempts:)`.
    public static func start(scraping metricsURL: String, job: String, scrapeInterval: Duration = .seconds(1),
                             in parent: URL = FileManager.default.temporaryDirectory, binary: String? = PrometheusServer.binary,
                             readinessTimeout: Duration = .seconds(60), attempts: Int = 3) async throws -> PrometheusServer {
        let text = try configuration(job: job, metricsURL: metricsURL, scrapeInterval: scrapeInterval)
        return try await start(configuration: text, job: job, in: parent, binary: binary, readinessTimeout: readinessTimeout, attempts: attempts)
    }

    /// Starts Prometheus with `configuration` (prometheus.yml text) in a new directory under
    /// `parent`, on a free loopback port, and returns once it answers `/-/ready` and the targets
    /// of `job` are up, all within `readinessTimeout`. The port is picked before Prometheus binds
    /// it, so another process may take it meanwhile: when the server exits or never gets ready,
    /// it is stopped and started again on a new port, `attempts` times in all. Throws with the
    /// end of its log when no attempt succeeds.
    public static func start(configuration: String, job: String, in parent: URL = FileManager.default.temporaryDirectory,
                             binary: String? = PrometheusServer.binary, readinessTimeout: Duration = .seconds(60),
                             attempts: Int = 3) async throws -> PrometheusServer {
        guard let binary else { throw PrometheusServerError("prometheus is not installed; run scripts/install-deps.sh") }
        var lastLog = ""
        for _ in 0..<max(attempts, 1) {
            let server = try launch(binary: binary, configuration: configuration, job: job, in: parent)
            if try await server.waitUntilReady(timeout: readinessTimeout) { return server }
            lastLog = server.log
            await server.stop()
        }
        throw PrometheusServerError("prometheus did not become ready and scrape job \(job) within \(readinessTimeout): \(lastLog.suffix(2000))")
    }

    /// Starts a server, runs `body` with it and stops it, whether `body` returns or throws.
    public static func with<T: Sendable>(scraping metricsURL: String, job: String, scrapeInterval: Duration = .seconds(1),
                                         _ body: (PrometheusServer) async throws -> T) async throws -> T {
        let server = try await start(scraping: metricsURL, job: job, scrapeInterval: scrapeInterval)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Writes the configuration, then runs the binary with its output going to `prometheus.log`
    /// (a file, not a pipe, so nothing has to drain it) and only warnings and errors logged.
    private static func launch(binary: String, configuration: String, job: String, in parent: URL) throws -> PrometheusServer {
        let directory = parent.appendingPathComponent("prometheus-\(UUID().uuidString)", isDirectory: true)
        let data = directory.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try configuration.write(to: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        guard let port = LoopbackPort.free() else { throw PrometheusServerError("could not bind 127.0.0.1:0 to find a free port for Prometheus") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(data.path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return PrometheusServer(address: "http://127.0.0.1:\(port)", directory: directory, job: job, process: process, client: try HTTPClient())
    }

    /// What Prometheus has logged so far (warnings and errors).
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    /// Waits for `/-/ready` and then for the targets of the job to be scraped successfully
    /// (`up == 1`): ready alone means the gates would still see empty results. False when the
    /// process exited or the deadline passed.
    /// https://prometheus.io/docs/prometheus/latest/management_api/#readiness-check
    private func waitUntilReady(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        let ready = try await Self.waitFor(timeout: timeout) {
            guard self.process.isRunning else { return true }
            return (try? await self.client.execute(HTTPRequest(url: self.address + "/-/ready", timeout: .seconds(2))))?.status == 200
        }
        guard ready, process.isRunning else { return false }
        let up = try await Self.waitFor(timeout: deadline - ContinuousClock.now) {
            guard self.process.isRunning else { return true }
            return (try? await self.query("up{job=\"\(self.job)\"}"))?.first?.value == 1
        }
        return up && process.isRunning
    }

    /// SIGTERM, SIGKILL when it has not exited after 10 s, then the directory goes.
    public func stop() async {
        await Self.offThePool { [client] in client.shutdown() }
        if process.isRunning { process.terminate() }
        let stopped = (try? await Self.waitFor(timeout: .seconds(10)) { !self.process.isRunning }) ?? false
        if !stopped, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = try? await Self.waitFor(timeout: .seconds(5)) { !self.process.isRunning }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGTERM without waiting, for a synchronous `defer` at the end of a command: Prometheus
    /// shuts down in a moment, and its files stay for the caller to remove with `parent`.
    public func terminate() {
        let client = self.client
        Thread.detachNewThread { client.shutdown() }
        if process.isRunning { process.terminate() }
    }

    /// Runs `work`, which blocks (joining a thread), on a thread of its own rather than on the
    /// cooperative pool, which the rest of the process needs to make progress.
    private static func offThePool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                work()
                continuation.resume()
            }
        }
    }

    /// Checks `condition` every 100 ms until it holds or `timeout` passes, then once more.
    static func waitFor(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
