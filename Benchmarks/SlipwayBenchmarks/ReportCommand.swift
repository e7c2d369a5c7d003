import ArgumentParser
import Foundation
import JSON

/// Turns the results `scripts/bench.sh` collected into `docs/benchmarks.md`, and prints the
/// same tables.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write the benchmark results as Markdown.")

    @Option(help: "Directory holding seed.json, list.json, watch.json, get.json, python_list.json and kubectl_*.txt.")
    var results: String

    @Option(help: "The Markdown file to write.")
    var output: String

    @Option(help: "Machine description lines, `Label: value` (repeatable).")
    var machine: [String] = []

    @Option(help: "Load average when the run started and ended (from /proc/loadavg).")
    var load: [String] = []

    @Option(help: "Logical CPUs, to judge whether the load average made the figures noisy.")
    var cores: Int = 1

    @Option(help: "The command that produced the figures.")
    var command: String = "make bench"

    func run() throws {
        let figures = try Figures(directory: URL(fileURLWithPath: results, isDirectory: true))
        let markdown = BenchmarkReport(figures: figures, machine: machine, load: load, cores: cores, command: command).markdown
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: output))
        print(markdown)
    }
}

/// The measurements of one run, read back from the files the steps wrote.
struct Figures {
    var seed: JSONValue
    var list: JSONValue
    var watch: JSONValue
    var get: JSONValue
    var python: JSONValue
    /// Wall time of each `kubectl get configmaps -o json` process.
    var kubectlList: [Double]
    /// Wall time of each `kubectl get configmap NAME -o json` process.
    var kubectlGet: [Double]

    init(directory: URL) throws {
        func json(_ name: String) throws -> JSONValue {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw BenchmarkFailure("\(url.path) is missing: run the benchmark steps first")
            }
            return try JSONValue(parsing: Array(data))
        }
        func seconds(_ name: String) -> [Double] {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
            return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { Double($0) }
        }
        seed = try json("seed.json")
        list = try json("list.json")
        watch = try json("watch.json")
        get = try json("get.json")
        python = try json("python_list.json")
        kubectlList = seconds("kubectl_list.txt")
        kubectlGet = seconds("kubectl_get.txt")
    }
}
