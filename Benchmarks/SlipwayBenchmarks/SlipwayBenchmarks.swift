import ArgumentParser

/// Measures Slipway's Kubernetes client against a running API server (the embedded cluster
/// under `make bench`). Each subcommand measures one thing and prints one JSON object on
/// stdout, so that `scripts/bench.sh` can run the steps in order and compare them with other
/// clients; `report` turns the collected results into `docs/benchmarks.md`.
@main
struct SlipwayBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipway-benchmarks",
        abstract: "Throughput and latency of Slipway's Kubernetes client and controller.",
        subcommands: [SeedCommand.self, ListCommand.self, WatchCommand.self, GetCommand.self, SeedReleasesCommand.self,
                      RunReleasesCommand.self, SoakCommand.self, SoakReportCommand.self, ReportCommand.self, ReleaseReportCommand.self])
}
