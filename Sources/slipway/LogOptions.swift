import ArgumentParser
import Foundation
import Logging
import Observability
import Telegram

/// `--log-level` and `--log-format`, as `slipway controller` takes them, for the other
/// long-running commands: one line per message, JSON in a pod and text elsewhere by default.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "auto (JSON in a pod, text elsewhere), json or text.")
    var logFormat = "auto"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be one of auto, json, text")
        }
    }

    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }
    var format: LogFormat { LogFormat(rawValue: logFormat) ?? .auto }

    /// Installs Slipway's log handler for the process.
    func bootstrap() {
        LoggingSetup.bootstrap(format: format, level: level)
    }

    /// Installs Slipway's log handler behind a redactor that removes `secrets` (the bot token,
    /// webhook and callback secrets) from every message and metadata value, whatever their shape.
    func bootstrap(redacting secrets: [String]) {
        let format = self.format.resolved(), level = self.level
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(wrapping: SlipwayLogHandler(label: label, format: format, level: level, output: { line in
                FileHandle.standardError.write(Data(line.utf8))
            }), secrets: secrets)
        }
    }
}
