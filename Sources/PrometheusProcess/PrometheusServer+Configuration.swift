import Foundation

extension PrometheusServer {
    /// `prometheus` on PATH, else in /usr/bin where Debian installs it
    /// (scripts/install-deps.sh installs it on a fresh machine); nil when neither has it.
    public static let binary: String? = executable("prometheus")
    /// `promtool`, installed with `prometheus`, which checks configuration files.
    public static let promtool: String? = executable("promtool")

    /// The first executable called `name` on PATH, then in /usr/bin.
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A configuration scraping one metrics endpoint (`http://HOST:PORT/PATH`, `/metrics` when
    /// the path is empty) as `job`. Scrapes, their timeout and rule evaluation all run every
    /// `scrapeInterval` (one second by default) so that short `rate(...[5s])` windows already
    /// hold samples a few seconds after traffic starts.
    /// https://prometheus.io/docs/prometheus/latest/configuration/configuration/
    public static func configuration(job: String, metricsURL: String,
                                     scrapeInterval: Duration = .seconds(1)) throws(PrometheusServerError) -> String {
        guard let url = URL(string: metricsURL), let host = url.host, let port = url.port else {
            throw PrometheusServerError("the metrics address \(metricsURL) is not a URL with a host and port, like http://127.0.0.1:9464/metrics")
        }
        let interval = prometheusDuration(scrapeInterval)
        return """
            global:
              scrape_interval: \(interval)
              scrape_timeout: \(interval)
              evaluation_interval: \(interval)
            scrape_configs:
              - job_name: \(job)
                metrics_path: \(url.path.isEmpty ? "/metrics" : url.path)
                static_configs:
                  - targets: ["\(host):\(port)"]

            """
    }

    /// A duration in Prometheus' notation: whole seconds as `5s`, anything finer in milliseconds
    /// (`250ms`), never below 1 ms, which Prometheus rejects as zero.
    /// https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration
    static func prometheusDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0, seconds > 0 { return "\(seconds)s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return "\(max(milliseconds, 1))ms"
    }
}
