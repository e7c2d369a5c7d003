import Foundation
import JSON
import LocalCluster
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A cluster started in this process on a free port, with its kubeconfig in a fresh
/// directory, and the means to run the real kubectl and curl against it.
struct RunningCluster: Sendable {
    let endpoint: EmbeddedCluster.Endpoint
    let directory: URL

    var kubeconfig: URL { directory.appendingPathComponent("kubeconfig") }

    /// Starts a cluster (on `port`, 0 for a free one), runs `body` against it, and stops it.
    static func with<T: Sendable>(
        port: Int = 0, stateDirectory: URL? = nil, insecureHTTP: Bool = false, watchHistoryLimit: Int = 10_000,
        bookmarkInterval: Duration = .seconds(60), simulation: SimulationConfiguration? = nil, log: CapturedLog? = nil,
        _ body: (RunningCluster) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = log.map { log in Logger(label: "slipway.cluster.test") { _ in log } } ?? Logger(label: "slipway.cluster.test")
        logger.logLevel = log == nil ? .warning : .debug
        let cluster = EmbeddedCluster(configuration: .init(
            port: port, insecureHTTP: insecureHTTP, stateDirectory: stateDirectory, kubeconfigPath: directory.appendingPathComponent("kubeconfig"),
            watchTimeout: 300...300, watchHistoryLimit: watchHistoryLimit, bookmarkInterval: bookmarkInterval,
            simulation: simulation, logger: logger))
        let services = ServiceGroup(services: [cluster], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            do {
                let endpoint = try await cluster.endpoint()
                let result = try await body(RunningCluster(endpoint: endpoint, directory: directory))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    /// curl against this cluster with the admin token and the CA trusted; returns the HTTP
    /// code and the body.
    func curl(_ path: String, _ extra: [String] = []) async throws -> (code: Int, body: String) {
        var arguments = ["-sS", "--max-time", "60", "-w", "\n%{http_code}"]
        if let credentials = endpoint.credentials {
            arguments += ["--cacert", try manifest("ca.crt", credentials.caCertificatePEM), "-H", "Authorization: Bearer \(credentials.adminToken)"]
        }
        let result = try await Command.run(Command.find("curl"), arguments + [endpoint.url + path] + extra)
        #expect(result.status == 0, "curl failed: \(result.stderr)")
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n"))
    }

    /// Creates a ConfigMap through the API and returns its resourceVersion.
    @discardableResult
    func createConfigMap(_ name: String, namespace: String = "default") async throws -> String {
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"k":"v"}}"#
        let (code, text) = try await curl("/api/v1/namespaces/\(namespace)/configmaps", ["-H", "Content-Type: application/json", "-d", body])
        #expect(code == 201, "create \(name): \(text)")
        return (try? JSONValue(parsing: text))?[path: "metadata", "resourceVersion"]?.stringValue ?? ""
    }

    /// Runs kubectl with this cluster's kubeconfig and its own discovery cache.
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        try await Command.run(
            Command.find("kubectl"), arguments + ["--cache-dir", directory.appendingPathComponent("cache").path],
            environment: ["KUBECONFIG": kubeconfig.path], stdin: stdin)
    }

    /// Runs kubectl and requires it to succeed; returns its standard output.
    @discardableResult
    func kubectlOK(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await kubectl(arguments, stdin: stdin)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Writes a manifest into the cluster's directory and returns its path.
    func manifest(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Starts kubectl in the background (for `get -w` or `wait`).
    func startKubectl(_ arguments: [String]) throws -> BackgroundCommand {
        try BackgroundCommand(
            Command.find("kubectl"), arguments + ["--cache-dir", directory.appendingPathComponent("cache").path],
            environment: ["KUBECONFIG": kubeconfig.path])
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(
        timeout: Duration = .seconds(20), _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
    }
}

struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Command {
    /// The absolute path of `name` on PATH.
    static func find(_ name: String) -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/usr/bin/\(name)")
    }

    /// Runs a program with an argument array (no shell) and collects its output.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> CommandResult {
        // The blocking reads and waits run on threads of their own: on Linux, blocking a
        // Dispatch global-queue thread starves the Swift concurrency pool every test shares.
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = arguments
                    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
                    let out = Pipe(), err = Pipe(), input = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    process.standardInput = input
                    try process.run()
                    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
                    try? input.fileHandleForWriting.close()
                    let errors = Mutex(Data())
                    let errorsRead = DispatchSemaphore(value: 0)
                    Thread.detachNewThread {
                        let data = err.fileHandleForReading.readDataToEndOfFile()
                        errors.withLock { $0 = data }
                        errorsRead.signal()
                    }
                    let output = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    errorsRead.wait()
                    continuation.resume(returning: CommandResult(
                        status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                        stderr: String(decoding: errors.withLock { $0 }, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// A program running in the background whose output lines are collected as they arrive.
final class BackgroundCommand {
    private let process: Process
    private let output = LockedText()
    private let errors = LockedText()

    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        self.process = process
        let output = self.output, errors = self.errors
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            output.append(data)
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            errors.append(data)
        }
        try process.run()
    }

    var stdout: String { output.text }
    var stderr: String { errors.text }
    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.terminationStatus }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits until the output holds `text`; false when the deadline passes first.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stdout.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return stdout.contains(text)
    }

    /// Waits for the process to exit; false when the deadline passes first.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return !process.isRunning
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

enum TemporaryDirectory {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-cluster-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Text appended from a reader thread and read from tests.
final class LockedText: Sendable {
    private let storage = Mutex("")

    func append(_ data: Data) {
        storage.withLock { $0 += String(decoding: data, as: UTF8.self) }
    }

    var text: String { storage.withLock { $0 } }
}

/// A log handler that keeps the messages, so that tests can see what the server did.
struct CapturedLog: LogHandler {
    private let messages = LockedText()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        messages.append(Data("\(event.message)\n".utf8))
    }

    func count(of message: String) -> Int {
        messages.text.split(separator: "\n").filter { $0 == message }.count
    }
}
