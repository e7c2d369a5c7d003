import Foundation
import JSON

/// The Markdown of `docs/benchmarks.md`: the machine, the figures, the ratios, and where a
/// list spends its time.
struct BenchmarkReport {
    var figures: Figures
    var machine: [String]
    var load: [String]
    var cores: Int
    var command: String

    private struct ListRow {
        var client: String
        var how: String
        var seconds: [Double]
        var best: Double { seconds.min() ?? .nan }
        var median: Double {
            let sorted = seconds.sorted()
            return sorted.isEmpty ? .nan : sorted[(sorted.count - 1) / 2]
        }
    }

    private var objects: Int { figures.list["objects"]?.intValue ?? 0 }

    private func doubles(_ value: JSONValue?) -> [Double] {
        (value?.arrayValue ?? []).compactMap { $0.doubleValue ?? $0.intValue.map(Double.init) }
    }

    private func number(_ value: JSONValue?) -> Double {
        value?.doubleValue ?? value?.intValue.map(Double.init) ?? .nan
    }

    private var rows: [ListRow] {
        [
            ListRow(client: "Slipway `KubeClient`, typed", how: "`listAll(ConfigMap.self)`: `JSONDecoder` into `ConfigMap`",
                    seconds: doubles(figures.list["typedSeconds"])),
            ListRow(client: "Slipway `KubeClient`, dynamic", how: "`listAll(.configMaps)`: parsed into `JSONValue`",
                    seconds: doubles(figures.list["dynamicSeconds"])),
            ListRow(client: "kubectl", how: "`get configmaps -o json --chunk-size=500 > /dev/null`, whole process",
                    seconds: figures.kubectlList),
            ListRow(client: "Python `kubernetes` client", how: "`list_namespaced_config_map(limit=500, _continue=…)`, typed models",
                    seconds: doubles(figures.python["runs"])),
        ]
    }

    var markdown: String {
        var text = """
            # Benchmarks

            Figures from one run of `\(command)` (`scripts/bench.sh`), which rewrites this file each time.
            One embedded cluster (`slipway cluster`, release build, objects in memory) serves every client
            over HTTPS on loopback; clients and server share the machine's cores.

            ## Machine

            """
        text += "\n" + machine.map { "- \($0)" }.joined(separator: "\n") + "\n"
        if !load.isEmpty { text += "- Load average (1, 5, 15 min) at start and end: \(load.joined(separator: "; "))\n" }
        if let note = noiseNote { text += "\n" + note + "\n" }
        text += listSection + ratioSection + breakdownSection + watchSection + getSection + seedSection + method
        return text
    }

    /// A warning when other work was running: the 1-minute load average above half the cores.
    private var noiseNote: String? {
        let busiest = load.compactMap { $0.split(separator: " ").first.flatMap { Double($0) } }.max() ?? 0
        guard busiest > Double(cores) / 2 else { return nil }
        return "> The machine was busy with other work during this run (1-minute load average up to "
            + format(busiest, 2) + " on \(cores) logical CPUs): the absolute figures are noisy and lower than on an idle "
            + "machine; ratios between clients measured back to back are more telling than the figures themselves."
    }

    private var listSection: String {
        var text = """

            ## List and decode: \(objects) ConfigMaps of about 1 KiB, pages of \(figures.list["pageSize"]?.intValue ?? 0)

            Best and median of the measured runs (after one warm-up run for the in-process clients).

            | Client | What is measured | Runs | Best (s) | Median (s) | Objects/s (best) |
            |---|---|---:|---:|---:|---:|

            """
        for row in rows {
            text += "| \(row.client) | \(row.how) | \(row.seconds.count) | \(format(row.best, 3)) | \(format(row.median, 3)) | "
                + "\(format(Double(objects) / row.best, 0)) |\n"
        }
        return text
    }

    private var ratioSection: String {
        let list = rows
        let typed = list[0].best
        func ratio(_ other: Double) -> String { format(other / typed, 1) + "×" }
        return """

            ## Ratios (best run against best run)

            - Slipway typed vs kubectl: **\(ratio(list[2].best))** as fast
            - Slipway typed vs Python client: **\(ratio(list[3].best))** as fast
            - Slipway dynamic vs kubectl: \(format(list[2].best / list[1].best, 1))× as fast

            kubectl's time includes starting the process (about \(format(kubectlStartup * 1000, 0)) ms, the median of a
            single-object `kubectl get` below) and writing its JSON to `/dev/null`; the Python figure excludes
            interpreter start-up.

            """
    }

    private var kubectlStartup: Double {
        let sorted = figures.kubectlGet.sorted()
        return sorted.isEmpty ? .nan : sorted[(sorted.count - 1) / 2]
    }

    private var breakdownSection: String {
        let breakdown = figures.list["breakdown"]
        let bytes = number(breakdown?["bytes"])
        let fetch = number(breakdown?["fetchSeconds"])
        let decode = number(breakdown?["typedDecodeSeconds"])
        let parse = number(breakdown?["parseSeconds"])
        let typed = rows[0].best
        let kubectl = rows[2].best
        var text = """

            ## Where the time goes

            The same pages fetched as bytes with Slipway's HTTP client (libcurl, configured as `KubeClient`
            configures it), then decoded from memory; each phase is its best of \(figures.list["runs"]?.intValue ?? 0).

            | Phase | Seconds | Share of fetch + typed decode | Throughput |
            |---|---:|---:|---:|
            | Transfer: request, server encoding, TLS, receive (\(format(bytes / 1_048_576, 1)) MiB) | \(format(fetch, 3)) | \(percent(fetch, fetch + decode)) | \(format(bytes / fetch / 1_048_576, 0)) MiB/s |
            | Typed decode, `JSONDecoder` → `ObjectList<ConfigMap>` | \(format(decode, 3)) | \(percent(decode, fetch + decode)) | \(format(bytes / decode / 1_048_576, 0)) MiB/s |
            | Untyped parse, `JSONValue(parsing:)` (dynamic path) | \(format(parse, 3)) | | \(format(bytes / parse / 1_048_576, 0)) MiB/s |

            """
        if typed > kubectl {
            text += """

                Slipway's typed list was slower than kubectl in this run. Transfer is \(percent(fetch, fetch + decode)) of its time
                and `JSONDecoder` \(percent(decode, fetch + decode)); see the notes below.

                """
        } else {
            text += """

                Transfer, which every client pays alike since the server encodes the same pages, is \(percent(fetch, fetch + decode)) of
                the typed list; typed decoding with `JSONDecoder` is the rest.

                """
        }
        return text
    }

    private var watchSection: String {
        let watch = figures.watch
        return """

            ## Watch

            One watch on the namespace, from the current resourceVersion, typed events (`ConfigMap`);
            \(watch["updates"]?.intValue ?? 0) updates (PUT) with \(watch["concurrency"]?.intValue ?? 0) in flight.
            Timed from the first update to the event of the last one.

            | Events | Seconds | Events/s | Updates/s (writes alone) |
            |---:|---:|---:|---:|
            | \(watch["updates"]?.intValue ?? 0) | \(format(number(watch["seconds"]), 3)) | \(format(number(watch["eventsPerSecond"]), 0)) | \(format(number(watch["updatesPerSecond"]), 0)) |

            """
    }

    private var getSection: String {
        let get = figures.get
        var text = """

            ## Single GET latency

            \(get["requests"]?.intValue ?? 0) sequential typed GETs of one ConfigMap on a warm connection.

            | Client | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |
            |---|---:|---:|---:|---:|
            | Slipway `get(ConfigMap.self, name:)` | \(format(number(get["p50Milliseconds"]), 3)) | \(format(number(get["p90Milliseconds"]), 3)) | \(format(number(get["p99Milliseconds"]), 3)) | \(format(number(get["maxMilliseconds"]), 3)) |

            """
        if !figures.kubectlGet.isEmpty {
            let sorted = figures.kubectlGet.sorted()
            text += "| `kubectl get configmap NAME -o json`, one process per GET (\(sorted.count) runs) | "
                + "\(format(kubectlStartup * 1000, 1)) | | | \(format((sorted.last ?? .nan) * 1000, 1)) |\n"
        }
        return text
    }

    private var seedSection: String {
        """

        ## Seeding

        \(figures.seed["objects"]?.intValue ?? 0) creates with \(figures.seed["concurrency"]?.intValue ?? 0) in flight: \
        \(format(number(figures.seed["seconds"]), 2)) s, \(format(number(figures.seed["objectsPerSecond"]), 0)) creates/s.

        """
    }

    private var method: String {
        """

        ## Method

        - Slipway figures come from `Benchmarks/SlipwayBenchmarks` (release build), with `KubeClient`'s default
          connection options; the embedded cluster speaks HTTP/1.1, so HTTP/2 is not in play.
        - kubectl is timed as a whole process by `scripts/bench.sh`; the Python client by
          `scripts/bench_python_client.py` inside one interpreter, after a warm-up list.
        - Every list returns all the objects, which is checked for Slipway and the Python client.

        """
    }

    private func percent(_ part: Double, _ whole: Double) -> String {
        format(part / whole * 100, 0) + " %"
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(decimals)f", value)
    }
}
