import ArgumentParser
import Foundation
import JSON

/// Appends the release benchmarks (`scripts/bench-releases.sh`) to the Markdown report: one
/// row per burst and build, the API bound beside each time, and the steady state.
struct ReleaseReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-report", abstract: "Append the release benchmark results as Markdown.")

    @Option(help: "Result directories, `LABEL=DIR` (repeatable; the first is this build).")
    var results: [String]

    @Option(help: "The Markdown file to append to.")
    var output: String

    @Option(help: "Lines saying when and where the releases were measured (repeatable).")
    var note: [String] = []

    func validate() throws {
        guard !results.isEmpty, results.allSatisfy({ $0.contains("=") }) else {
            throw ValidationError("--results takes LABEL=DIR, at least once")
        }
    }

    func run() throws {
        let runs = results.map { entry -> (label: String, directory: URL) in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), URL(fileURLWithPath: String(parts[1]), isDirectory: true))
        }
        let markdown = ReleaseReport(runs: runs, notes: note).markdown
        try ReleaseReport.append(markdown, to: output)
        print(markdown)
    }
}

struct ReleaseReport {
    let runs: [(label: String, directory: URL)]
    var notes: [String] = []

    /// Adds a section at the end of the report, after a blank line.
    static func append(_ markdown: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        var existing = FileManager.default.contents(atPath: url.path) ?? Data()
        existing.append(Data(("\n" + markdown).utf8))
        try existing.write(to: url)
    }

    static func json(_ directory: URL, _ name: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
        return try? JSONValue(parsing: Array(data))
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let value)?: Double(value)
        case .double(let value)?: value
        default: nil
        }
    }

    static func format(_ value: Double?, _ decimals: Int) -> String {
        guard let value else { return "–" }
        return String(format: "%.\(decimals)f", value)
    }

    /// Result files of the bursts, in a fixed order.
    static func burstFiles(_ directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        func size(_ name: String) -> Int { Int(name.split(separator: "-").last?.split(separator: ".").first ?? "") ?? 0 }
        let bursts = names.filter { ($0.hasPrefix("bluegreen-") || $0.hasPrefix("canary-")) && !$0.contains("seed") && $0.hasSuffix(".json") }
        return bursts.sorted { ($0.hasPrefix("canary") ? 1 : 0, size($0)) < ($1.hasPrefix("canary") ? 1 : 0, size($1)) }
    }

    var markdown: String {
        var lines: [String] = [
            "## The controller at scale: concurrent releases",
            "",
            "`scripts/bench-releases.sh`: for each row a fresh embedded cluster (`--readiness-delay 0.2 --traffic-rate 0`) and one",
            "`slipway controller` (4 workers) from the same build; N applications seeded (blue/green: two Deployments, two Services,",
            "one readiness gate; canary: two Deployments, one Service, the replica-ratio router with two weight steps), then N",
            "DeploymentRequests in one burst.\(notes.isEmpty ? "" : " " + notes.joined(separator: " ")) *Reaction* is a watch seeing a request's first status after seeing it created.",
            "*API bound* is the controller's API writes per release (measured from its metrics) × N ÷ the embedded API's write",
            "throughput measured on the same cluster build (concurrent ConfigMap updates): no controller issuing those writes",
            "one after another through that API could finish sooner. Cluster CPU is the embedded cluster's over the same burst.",
            "",
            "| Build | Releases | Finished | All finished after (s) | Controller CPU (s) | CPU per release (ms) | Reaction p50 / p99 (s) | Controller peak RSS (MiB) | Cluster CPU (s) | Cluster peak RSS (MiB) | Writes per release | API bound (s) | Time ÷ bound |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        var throughputs: [String] = []
        for run in runs {
            let throughput = Self.number(Self.json(run.directory, "api-writes.json")?["updatesPerSecond"])
            for file in Self.burstFiles(run.directory) {
                guard let result = Self.json(run.directory, file) else { continue }
                let releases = Self.number(result["releases"]) ?? 0
                let finished = Self.number(result["finished"]) ?? releases
                let seconds = Self.number(result["seconds"])
                let timedOut = result["timedOut"]?.boolValue ?? false
                let writes = Self.number(result["writesPerRelease"])
                let bound = writes.flatMap { writes in throughput.map { writes * releases / $0 } }
                let ratio = timedOut ? nil : seconds.flatMap { seconds in bound.map { seconds / $0 } }
                let kind = file.hasPrefix("canary") ? "canary" : "blue/green"
                lines.append("| \(run.label) | \(Int(releases)) \(kind) | \(Int(finished)) | \(timedOut ? "not all in \(Self.format(seconds, 0))" : Self.format(seconds, 1)) "
                    + "| \(Self.format(Self.number(result["controllerCPUSeconds"]), 1)) "
                    + "| \(timedOut ? "–" : Self.format(Self.number(result["controllerCPUPerRelease"]).map { $0 * 1000 }, 1)) "
                    + "| \(Self.format(Self.number(result["reactionP50"]), 3)) / \(Self.format(Self.number(result["reactionP99"]), 3)) "
                    + "| \(Self.format(Self.number(result["controllerPeakRSSMiB"]), 0)) | \(Self.format(Self.number(result["clusterCPUSeconds"]), 1)) "
                    + "| \(Self.format(Self.number(result["clusterPeakRSSMiB"]), 0)) "
                    + "| \(Self.format(writes, 1)) | \(Self.format(bound, 1)) | \(ratio.map { Self.format($0, 1) + "×" } ?? "–") |")
            }
            if let throughput { throughputs.append("\(run.label): \(Self.format(throughput, 0)) updates/s") }
        }
        if !throughputs.isEmpty {
            lines += ["", "Embedded API write throughput, per build: " + throughputs.joined(separator: "; ") + "."]
        }
        lines += [
            "",
            "## The controller at scale: steady state",
            "",
            "N blue/green targets (2N Deployments, 2N Services) and their finished requests already in the cluster; the controller",
            "started on them. *Synced* is start to \"slipway controller started\" (every cache listed); idle CPU is measured over the",
            "given window after the start-up reconciles of the finished requests; reaction is that of single requests created one",
            "at a time on the quiet controller.",
            "",
            "| Build | Targets | Finished requests | Synced after (s) | RSS (MiB) | Peak RSS (MiB) | Idle CPU (%) | Single request reaction p50 / p99 (ms) | Cluster peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for run in runs {
            guard let steady = Self.json(run.directory, "steady.json") else { continue }
            let singles = Self.json(run.directory, "steady-singles.json")
            lines.append("| \(run.label) | \(Self.format(Self.number(steady["targets"]), 0)) | \(Self.format(Self.number(steady["finishedRequests"]), 0)) "
                + "| \(Self.format(Self.number(steady["syncSeconds"]), 1)) | \(Self.format(Self.number(steady["rssMiB"]), 0)) "
                + "| \(Self.format(Self.number(steady["peakRSSMiB"]), 0)) | \(Self.format(Self.number(steady["idleCPUPercent"]), 2)) "
                + "| \(Self.format(Self.number(singles?["singleReactionP50"]).map { $0 * 1000 }, 0)) / \(Self.format(Self.number(singles?["singleReactionP99"]).map { $0 * 1000 }, 0)) "
                + "| \(Self.format(Self.number(steady["clusterPeakRSSMiB"]), 0)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
