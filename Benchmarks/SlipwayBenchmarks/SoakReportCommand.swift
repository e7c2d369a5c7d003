import ArgumentParser
import Foundation
import JSON

/// Appends the soak (`scripts/bench-soak.sh`) to the Markdown report: how every release ended,
/// the watch events the controller and the bot took, and the growth of their memory,
/// descriptors and threads after warm-up, against the goal of at most 5 %.
struct SoakReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak-report", abstract: "Append the soak's result as Markdown.")

    @Option(help: "The soak's result (the last line `soak` printed).")
    var result: String

    @Option(help: "The soak's samples (one JSON object per line), for a timeline every ten minutes.")
    var samples: String?

    @Option(help: "The Markdown file to append to.")
    var output: String

    @Option(help: "Lines saying when and where the soak ran (repeatable).")
    var note: [String] = []

    func run() throws {
        guard let data = FileManager.default.contents(atPath: result) else { throw ValidationError("cannot read \(result)") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let last = lines.last(where: { $0.contains("\"step\":\"soak\"") }),
              let soak = try? JSONValue(parsing: Array(last.utf8)) else {
            throw ValidationError("\(result) holds no soak result (a line with \"step\":\"soak\")")
        }
        let timeline = samples.flatMap { FileManager.default.contents(atPath: $0) }.map { data in
            String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONValue(parsing: Array($0.utf8)) }
        } ?? []
        let markdown = Self.markdown(soak, timeline: timeline, notes: note)
        try ReleaseReport.append(markdown, to: output)
        print(markdown)
    }

    static func markdown(_ soak: JSONValue, timeline: [JSONValue], notes: [String]) -> String {
        func number(_ value: JSONValue?) -> Double? { ReleaseReport.number(value) }
        func format(_ value: JSONValue?, _ decimals: Int) -> String { ReleaseReport.format(number(value), decimals) }
        let minutes = (number(soak["seconds"]) ?? 0) / 60
        let warmUp = (number(soak["warmUpSeconds"]) ?? 0) / 60
        let phases = soak["phases"]?.objectValue.map { $0.map { "\($0.key) \(ReleaseReport.format(number($0.value), 0))" }.joined(separator: ", ") } ?? "–"
        var lines = [
            "## Soak: continuous releases for \(ReleaseReport.format(minutes, 0)) minutes",
            "",
            "\(format(soak["applications"], 0)) applications (half blue/green, half canary over the replica-ratio router), "
                + "\(format(soak["inFlight"], 0)) releases running at all times, one in \(format(soak["botEvery"], 0)) asked of the bot "
                + "(`/deploy ENVIRONMENT COMMIT` through a loopback Bot API server), the rest created through the API. "
                + "Growth is from the median of the first three samples after \(ReleaseReport.format(warmUp, 0)) minutes of warm-up "
                + "to the median of the last three (goal: at most 5 %).",
            "",
            "- Releases: \(format(soak["releases"], 0)) ended (\(phases)); ended wrongly: \(format(soak["wrongCount"], 0)); "
                + "never started (no request appeared): \(format(soak["neverCreatedCount"], 0)); still running at the end: \(format(soak["stuck"], 0)).",
            "- Bot: \(format(soak["botMessages"], 0)) messages sent or edited; Bot API violations: \(format(soak["botAPIViolations"], 0)).",
            "",
            "| Process | Watch events | CPU s | RSS after warm-up → end (MiB) | RSS growth | Max RSS | Descriptors | Threads |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in ["controller", "bot"] {
            let process = soak[name]
            func span(_ key: String, _ decimals: Int) -> String {
                "\(format(process?[path: key, "afterWarmUp"], decimals)) → \(format(process?[path: key, "end"], decimals))"
            }
            lines.append("| \(name) | \(format(process?["watchEvents"], 0)) | \(format(process?["cpuSeconds"], 0)) | \(span("rssMiB", 1)) | "
                + "\(format(process?[path: "rssMiB", "growthPercent"], 1)) % | \(format(process?[path: "rssMiB", "max"], 1)) | "
                + "\(span("descriptors", 0)) | \(span("threads", 0)) |")
        }
        var lastMinute = -10.0
        var rows: [String] = []
        for sample in timeline {
            let minute = (number(sample["seconds"]) ?? 0) / 60
            guard minute - lastMinute >= 9.5 else { continue }
            lastMinute = minute
            rows.append("| \(ReleaseReport.format(minute, 0)) | \(format(sample["finished"], 0)) | \(format(sample[path: "controller", "watchEvents"], 0)) | "
                + "\(format(sample[path: "controller", "rssMiB"], 1)) | \(format(sample[path: "controller", "descriptors"], 0)) | "
                + "\(format(sample[path: "controller", "threads"], 0)) | \(format(sample[path: "bot", "watchEvents"], 0)) | "
                + "\(format(sample[path: "bot", "rssMiB"], 1)) | \(format(sample[path: "bot", "descriptors"], 0)) | \(format(sample[path: "bot", "threads"], 0)) |")
        }
        if !rows.isEmpty {
            lines += ["", "| Minute | Releases ended | Controller events | RSS MiB | fds | threads | Bot events | RSS MiB | fds | threads |",
                      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows
        }
        if let cluster = number(soak["clusterRSSMiBAtEnd"]) { lines += ["", "The embedded cluster's RSS at the end: \(ReleaseReport.format(cluster, 0)) MiB."] }
        if let wrong = soak["wrong"]?.arrayValue, !wrong.isEmpty {
            lines += ["", "Releases that ended wrongly (first 20):", ""] + wrong.compactMap(\.stringValue).map { "- \($0)" }
        }
        if let never = soak["neverCreated"]?.arrayValue, !never.isEmpty {
            lines += ["", "Releases that never started (first 20):", ""] + never.compactMap(\.stringValue).map { "- \($0)" }
        }
        if !notes.isEmpty { lines += [""] + notes }
        return lines.joined(separator: "\n") + "\n"
    }
}
