import FakeTelegramAPI
import Foundation
import HTTP

/// `slipway bot` as a child process of the soak, polling the loopback Bot API server, with one
/// admin who may deploy anywhere without a confirmation (the soak measures the bot's load, not
/// its dialogues), its audit log and state in the soak's directory.
struct SoakBot: Sendable {
    static let admin = FakeUser(id: 7001, username: "soak", firstName: "Soak")

    let process: Process
    let metricsURL: String
    let healthURL: String
    var pid: Int32 { process.processIdentifier }

    static func start(slipway: String, directory: String, namespace: String, kubeconfig: String, telegram: FakeTelegram) throws -> SoakBot {
        let files = FileManager.default
        try files.createDirectory(atPath: "\(directory)/state", withIntermediateDirectories: true)
        let secret = "\(directory)/callback-secret"
        try Data(String(repeating: "s0ak", count: 12).utf8).write(to: URL(fileURLWithPath: secret))
        let token = "\(directory)/bot-token"
        try Data(telegram.token.utf8).write(to: URL(fileURLWithPath: token))
        let configuration = "\(directory)/chatops.yaml"
        try Data("""
            namespace: \(namespace)
            chats: [\(admin.id)]
            roles:
              admin: [\(admin.id)]
            callbacks:
              secretFile: \(secret)
              lifetimeSeconds: 600
            audit:
              file: \(directory)/audit.jsonl
            stateDirectory: \(directory)/state
            github:
              apiURL: http://127.0.0.1:9
            image:
              tagTemplate: "{commit}"

            """.utf8).write(to: URL(fileURLWithPath: configuration))
        guard let metricsPort = LoopbackPort.free(), let healthPort = LoopbackPort.free() else {
            throw BenchmarkFailure("no free loopback port for the bot's metrics and health endpoints")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipway)
        process.arguments = [
            "bot", "--kubeconfig", kubeconfig, "--config", configuration, "--token-file", token, "--api-url", telegram.url,
            "--metrics-addr", "127.0.0.1:\(metricsPort)", "--health-addr", "127.0.0.1:\(healthPort)", "--log-level", "warning",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = "\(directory)/bot.log"
        _ = files.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        // For scripts/bench-soak.sh, which stops the bot too if the soak itself is interrupted.
        try Data("\(process.processIdentifier)\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/bot.pid"))
        return SoakBot(process: process, metricsURL: "http://127.0.0.1:\(metricsPort)/metrics", healthURL: "http://127.0.0.1:\(healthPort)/readyz")
    }

    /// Returns once the bot says it is ready (its configuration loaded, the targets listed).
    func waitUntilServing(timeout: Duration = .seconds(60)) async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchmarkFailure("the bot exited (status \(process.terminationStatus)); see bot.log") }
            if let response = try? await client.execute(HTTPRequest(url: healthURL, timeout: .seconds(2))), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchmarkFailure("the bot was not ready within \(timeout); see bot.log")
    }

    /// Asks the bot to stop and waits up to ten seconds, then kills it. (Not `waitUntilExit`:
    /// it spins a run loop that an async context never lets finish.)
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
