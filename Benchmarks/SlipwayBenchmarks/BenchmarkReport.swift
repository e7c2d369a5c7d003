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
            ListRow(client: "Slipway `KubeClient`, typed", how: "`listAll(ConfigMap.self)`: parsed, then `JSONValueDecoder` into `ConfigMap`",
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
            - Slipway dynamic vs Python client: \(format(list[3].best / list[1].best, 1))× as fast

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
        let foundation = number(breakdown?["foundationDecodeSeconds"])
        let parseThenMap = number(breakdown?["parseThenMapSeconds"])
        let typed = rows[0].best
        let kubectl = rows[2].best
        let python = rows[3].best
        func row(_ phase: String, _ seconds: Double, share: Bool) -> String {
            "| \(phase) | \(format(seconds, 3)) | \(share ? percent(seconds, fetch + decode) : "") | "
                + "\(format(bytes / seconds / 1_048_576, 0)) MiB/s |\n"
        }
        var text = """

            ## Where the time goes

            The same pages fetched as bytes with Slipway's HTTP client (libcurl, configured as `KubeClient`
            configures it), then decoded from memory in several ways; each phase is its best of \(figures.list["runs"]?.intValue ?? 0).

            | Phase | Seconds | Share of fetch + typed decode | Throughput |
            |---|---:|---:|---:|

            """
        text += row("Transfer: request, server encoding, TLS, receive (\(format(bytes / 1_048_576, 1)) MiB)", fetch, share: true)
        text += row("Typed decode as the client does it: `JSONValue(parsing:)`, then `JSONValueDecoder` → `ObjectList<ConfigMap>`", decode, share: true)
        text += row("Foundation's `JSONDecoder` → `ObjectList<ConfigMap>` (the client's decoder before)", foundation, share: false)
        text += row("Untyped parse, `JSONValue(parsing:)` (the dynamic path)", parse, share: false)
        text += row("`JSONValue(parsing:)`, then ConfigMaps mapped field by field", parseThenMap, share: false)
        let interleaved = number(breakdown?["interleavedSeconds"])
        text += "| Fetch and typed decode page after page, as `listAll` does, without `KubeClient` | \(format(interleaved, 3)) | | |\n"
        text += "| The typed `listAll` itself (from the table above) | \(format(typed, 3)) | | |\n"
        let projected = fetch + parseThenMap
        text += """

            Transfer is the part every client pays alike (the server encodes the same pages for all of them);
            what differs is decoding. The typed decode (parse, then `JSONValueDecoder` walking the parsed tree)
            takes \(format(foundation > 0 ? decode / foundation : .nan, 2))× the time of Foundation's `JSONDecoder` on the same pages and
            \(format(parse > 0 ? decode / parse : .nan, 1))× the parse alone. Typed objects built from the parsed `JSONValue` field by field,
            without `Decoder`, would make the typed list about \(format(projected, 3)) s
            (\(format(Double(objects) / projected, 0)) objects/s, \(format(python / projected, 1))× the Python client,
            \(format(kubectl / projected, 1))× kubectl) instead of \(format(typed, 3)) s.
            Fetching and decoding page after page takes \(format(interleaved, 3)) s against \(format(fetch + decode, 3)) s for the two
            phases measured apart; \(clientShare(typed - interleaved)).

            """
        if typed > kubectl {
            text += "\nSlipway's typed list was slower than kubectl in this run; the split above says where its time went.\n"
        }
        if python / typed < 2 {
            text += """

                The typed list does not leave the Python client far behind on ConfigMaps: their bulk is string
                data, which Python's C `json` module parses at native speed before the models wrap a handful of
                fields per object, while a `Decoder` pays for every key through keyed containers and builds
                each `[String: String]` member by member.

                """
        }
        return text
    }

    private func clientShare(_ extra: Double) -> String {
        let pageSize = max(figures.list["pageSize"]?.intValue ?? 1, 1)
        let pages = (objects + pageSize - 1) / pageSize
        guard extra.isFinite, extra > 0.001 * Double(pages) else {
            return "`KubeClient` adds no measurable time over that"
        }
        return "`KubeClient` adds \(format(extra, 3)) s over that for \(pages) requests"
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

            The last event arrived \(format((number(watch["seconds"]) - number(watch["updateSeconds"])) * 1000, 1)) ms after the last update was acknowledged:
            the watcher keeps up with the writes, so this figure is the rate at which the server accepts updates
            (with its writers sharing the cores), not a limit of the watch's decoding.

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
          connection options (HTTP/2 when offered); the embedded cluster offers only HTTP/1.1 in TLS ALPN, so
          every client here reuses one kept-alive HTTP/1.1 connection per request in flight.
        - kubectl is timed as a whole process by `scripts/bench.sh`, after one untimed run (`-o name`,
          which also counts the objects and fills kubectl's discovery cache); the Python client
          by `scripts/bench_python_client.py` inside one interpreter, after a warm-up list.
        - Every client's list is checked to return all the objects.

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
