import Foundation
import Testing

/// `slipway demo --fast`: the whole demo in one process, as `make demo` runs it.
@Suite("EndToEnd demo", .enabled(if: EndToEndCluster.binary != nil))
struct EndToEndDemoTests {
    /// With Prometheus when it is installed (the canary's PromQL gate), and with HTTP gates alone.
    @Test("the demo runs its releases (four with docker-registry installed) and exits 0 with a summary of each", arguments: [[], ["--no-prometheus"]])
    func demo(flags: [String]) async throws {
        let binary = try #require(EndToEndCluster.binary)
        let manifests = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests").path
        // --timeout bounds the releases; the demo exits 1 if they have not ended by then.
        let result = try await runProgram(binary, ["demo", "--fast", "--timeout", "3m", "--manifests", manifests] + flags)
        if flags.isEmpty && FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") {
            #expect(result.stdout.contains("judged by PromQL"), "\(result.stdout)")
            #expect(result.stdout.contains("error-rate Passed"), "\(result.stdout)")
        }
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Every release ended as expected."), "\(result.stdout)")
        let summary = result.stdout.split(separator: "\n").drop { !$0.hasPrefix("RELEASE") }
        #expect(summary.contains { $0.hasPrefix("blue/green release") && $0.contains("Succeeded") }, "\(result.stdout)")
        #expect(summary.contains { $0.hasPrefix("broken release") && $0.contains("RolledBack") }, "\(result.stdout)")
        #expect(summary.contains { $0.hasPrefix("canary release") && $0.contains("Succeeded") }, "\(result.stdout)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-registry") {
            #expect(summary.contains { $0.hasPrefix("unpushed image") && $0.contains("Rejected") }, "\(result.stdout)")
        }
        #expect(!result.stdout.contains("\u{1B}["), "escape codes in output that is not a terminal")
    }

    @Test("--chat takes the bot's commands from standard input as an admin and answers through the chat engine")
    func chat() async throws {
        let binary = try #require(EndToEndCluster.binary)
        let manifests = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests").path
        let result = try await runProgram(binary, ["demo", "--fast", "--no-prometheus", "--chat", "--manifests", manifests],
                                          stdin: "/status\n/deploy staging\n/history staging\nquit\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let chat = String(result.stdout.split(separator: "Console chat", maxSplits: 1).last ?? "")
        #expect(chat.contains("production (web-production)") && chat.contains("staging (api-staging)"), "\(chat)")
        #expect(chat.contains("Deploy") && chat.contains("to staging"), "\(chat)")
        #expect(chat.contains("Recent releases of staging"), "\(chat)")
        #expect(!chat.contains("<b>"), "HTML tags printed to the console")
    }

    /// The flagship path of the console chat: production asks for confirmation, and the
    /// Confirm button (typed as its number) creates a request the controller carries out.
    @Test("in the console chat, /deploy production and /rollback production are confirmed with a button and succeed")
    func chatConfirmsProduction() async throws {
        let binary = try #require(EndToEndCluster.binary)
        let manifests = EndToEndCluster.repositoryRoot.appendingPathComponent("manifests").path
        let demo = try ChildProcess(binary, ["demo", "--fast", "--no-prometheus", "--chat", "--manifests", manifests], interactive: true)
        defer {
            demo.closeInput()
            demo.terminate()
        }
        #expect(try await demo.waitForOutput(containing: "Console chat", timeout: .seconds(240)), "\(demo.stdout)\n\(demo.stderr)")

        demo.type("/deploy production")
        let deployConfirm = try #require(try await Self.button("Confirm", in: demo, after: "to <b>production</b>", or: "to production"),
                                         "no Confirm button: \(demo.stdout)")
        #expect(!demo.stdout.contains("Buttons are unavailable"), "\(demo.stdout)")
        demo.type(String(deployConfirm))
        #expect(try await demo.waitForOutput(containing: "is live on production.", timeout: .seconds(120)),
                "the confirmed deploy did not succeed: \(demo.stdout)\n\(demo.stderr)")

        demo.type("/rollback production")
        let rollbackConfirm = try #require(try await Self.button("Confirm", in: demo, after: "Roll back production", or: "Roll back production"),
                                           "no Confirm button: \(demo.stdout)")
        demo.type(String(rollbackConfirm))
        #expect(try await demo.waitForOutput(containing: "production is back on its previous release.", timeout: .seconds(120)),
                "the confirmed rollback did not succeed: \(demo.stdout)\n\(demo.stderr)")

        demo.type("quit")
        #expect(try await demo.waitForExit(timeout: .seconds(30)))
        #expect(demo.exitStatus == 0, "\(demo.stderr)")
    }

    /// The number of the newest button titled `title` printed after the newest line holding
    /// `marker` (or `alternative`), once it appears.
    static func button(_ title: String, in demo: ChildProcess, after marker: String, or alternative: String) async throws -> Int? {
        var number: Int?
        try await waitUntil(timeout: .seconds(30)) {
            let output = demo.stdout
            guard let range = output.range(of: marker, options: .backwards) ?? output.range(of: alternative, options: .backwards) else {
                return !demo.isRunning
            }
            let rest = output[range.upperBound...]
            guard let button = rest.range(of: "] \(title)") else { return !demo.isRunning }
            let head = rest[..<button.lowerBound]
            guard let open = head.lastIndex(of: "[") else { return false }
            number = Int(head[head.index(after: open)...])
            return true
        }
        return number
    }
}
