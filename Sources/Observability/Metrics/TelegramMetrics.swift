import Foundation
import Prometheus

/// What the Telegram bot reports: commands by name and outcome, and whether the Bot API
/// answers. The bot calls these; `slipway bot` serves them on its own `/metrics` (the same
/// `StatusServer` as the controller's).
///
/// Label values stay bounded: a command that is not in `commands` (anything a user can type)
/// is counted as `other`, and outcomes are a fixed list. User ids and chat ids never become labels.
public final class TelegramMetrics: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Done as asked.
        case ok
        /// The user may not do this (role, target access, approval rules).
        case denied
        /// The command or its arguments were wrong.
        case invalid
        /// Something failed on the way (Kubernetes API, Telegram).
        case error
        /// The user cancelled at the confirmation, or it expired.
        case cancelled
    }

    public static let otherCommand = "other"

    private let registry: MetricsRegistry
    private let commands: Set<String>
    private let up: Prometheus.Gauge
    private let lastSuccess: Prometheus.Gauge

    /// - Parameter commands: the commands the bot knows, without the slash (`deploy`, `status`).
    public init(registry: MetricsRegistry, commands: Set<String>) {
        self.registry = registry
        self.commands = commands
        up = registry.gauge(MetricName.telegramUp)
        lastSuccess = registry.gauge(MetricName.telegramLastSuccess)
        up.set(to: 0)
        for command in commands.sorted() + [Self.otherCommand] {
            for outcome in Outcome.allCases { _ = counter(command, outcome) }
        }
        for outcome in ["ok", "error"] { _ = registry.counter(MetricName.telegramAPIRequests, [("outcome", outcome)]) }
    }

    /// One command handled. A leading slash and a `@botname` suffix are ignored.
    public func recordCommand(_ command: String, outcome: Outcome) {
        var name = command.hasPrefix("/") ? String(command.dropFirst()) : command
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        counter(commands.contains(name) ? name : Self.otherCommand, outcome).increment()
    }

    /// One call to the Bot API (getUpdates, sendMessage, …) finished.
    public func recordAPICall(succeeded: Bool, at time: Date = Date()) {
        registry.counter(MetricName.telegramAPIRequests, [("outcome", succeeded ? "ok" : "error")]).increment()
        up.set(to: succeeded ? 1 : 0)
        if succeeded { lastSuccess.set(time.timeIntervalSince1970) }
    }

    private func counter(_ command: String, _ outcome: Outcome) -> Prometheus.Counter {
        registry.counter(MetricName.telegramCommands, [("command", command), ("outcome", outcome.rawValue)])
    }
}
