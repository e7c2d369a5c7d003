import Foundation

/// Writing metric families in the Prometheus text format, for the families rendered at scrape
/// time from state kept elsewhere (per-target gauges, release counters).
///
/// Why not registered series: swift-prometheus copies a family's whole label dictionary on
/// every new series, so registering one series per target costs O(targets²); at 10,000 targets
/// that was minutes of start-up.
/// See https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
enum PrometheusText {
    /// One label of a series.
    struct Label: Hashable {
        var name: String
        var value: String
    }

    /// A family with its HELP (from the catalogue) and TYPE lines and its series sorted by labels.
    static func family(_ name: String, type: String, series: [(labels: [Label], value: String)], into buffer: inout [UInt8]) {
        guard !series.isEmpty else { return }
        var text = ""
        if let help = MetricCatalogue.help[name], !help.isEmpty { text += "# HELP \(name) \(escapeHelp(help))\n" }
        text += "# TYPE \(name) \(type)\n"
        for (labels, value) in series.map({ (labels: labelText($0.labels), value: $0.value) }).sorted(by: { $0.labels < $1.labels }) {
            text += line(name, labels, value)
        }
        buffer.append(contentsOf: Array(text.utf8))
    }

    static func line(_ name: String, _ labels: String, _ value: String) -> String {
        labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
    }

    static func labelText(_ labels: [Label]) -> String {
        labels.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
