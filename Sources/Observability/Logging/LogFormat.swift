import Foundation
import Logging

/// How the executables write their logs. A terminal gets lines for people; a pod gets JSON
/// lines, one object each, which log collectors (Fluent Bit, Vector, CloudWatch, Loki) parse
/// without rules of their own.
public enum LogFormat: String, Sendable, CaseIterable {
    /// JSON in a pod (KUBERNETES_SERVICE_HOST is set), text elsewhere.
    case auto
    case json
    case text

    /// The format to use in this environment.
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogFormat {
        guard self == .auto else { return self }
        let inPod = environment["KUBERNETES_SERVICE_HOST"].map { !$0.isEmpty } ?? false
        return inPod ? .json : .text
    }
}

public enum LoggingSetup {
    /// Installs Slipway's log handler for the whole process, writing to standard error.
    /// Call once, first thing in a command's `run()`.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        let resolved = format.resolved()
        LoggingSystem.bootstrap { label in
            SlipwayLogHandler(label: label, format: resolved, level: level, output: StandardErrorOutput.write)
        }
    }
}

/// One `write(2)` per line, so that lines from concurrent tasks never interleave.
enum StandardErrorOutput {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data(line.utf8))
    }
}
