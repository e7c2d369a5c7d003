import Foundation
import JSON
import Logging

/// A swift-log handler that writes one line per message, as JSON or as text, with secrets removed.
///
/// JSON lines hold `timestamp` (RFC 3339, UTC, milliseconds), `level`, `label`, `message` and
/// `metadata` (an object, absent when empty), in that order. Text lines read
/// `2026-11-25T12:00:00.000Z info slipway.controller: message key=value`.
///
/// Secrets never reach the output: values whose key names a credential (`token`,
/// `authorization`, `password`, `secret`, …) are replaced, and so is anything that looks like
/// a Telegram bot token or an `Authorization` header value, wherever it appears.
/// See https://github.com/apple/swift-log#log-handlers
public struct SlipwayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let output: @Sendable (String) -> Void

    public init(label: String, format: LogFormat, level: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
                output: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format == .auto ? .text : format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        output(line(level: event.level, message: event.message.description, metadata: merged, time: Date()))
    }

    /// The line for one message, newline included.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, time: Date) -> String {
        let timestamp = Self.timestamp(time)
        let message = Redaction.redact(message)
        switch format {
        case .json, .auto:
            var object: OrderedDictionary<String, JSONValue> = [
                "timestamp": .string(timestamp), "level": .string(level.rawValue), "label": .string(label), "message": .string(message),
            ]
            if !metadata.isEmpty {
                var fields: OrderedDictionary<String, JSONValue> = [:]
                for key in metadata.keys.sorted() {
                    if let value = metadata[key] { fields[key] = Self.json(value, key: key) }
                }
                object["metadata"] = .object(fields)
            }
            return JSONValue.object(object).jsonString() + "\n"
        case .text:
            var text = "\(timestamp) \(level.rawValue) \(label): \(message)"
            for key in metadata.keys.sorted() {
                if let value = metadata[key] { text += " \(key)=\(Self.text(value, key: key))" }
            }
            return text + "\n"
        }
    }

    private static func json(_ value: Logger.Metadata.Value, key: String) -> JSONValue {
        if Redaction.isSecretKey(key) { return .string(Redaction.placeholder) }
        switch value {
        case .string(let string): return .string(Redaction.redact(string))
        case .stringConvertible(let convertible): return .string(Redaction.redact(convertible.description))
        case .array(let values): return .array(values.map { json($0, key: "") })
        case .dictionary(let fields):
            var object: OrderedDictionary<String, JSONValue> = [:]
            for name in fields.keys.sorted() {
                if let field = fields[name] { object[name] = json(field, key: name) }
            }
            return .object(object)
        }
    }

    private static func text(_ value: Logger.Metadata.Value, key: String) -> String {
        if Redaction.isSecretKey(key) { return Redaction.placeholder }
        switch value {
        case .string(let string): return Redaction.redact(string)
        case .stringConvertible(let convertible): return Redaction.redact(convertible.description)
        case .array(let values): return "[" + values.map { text($0, key: "") }.joined(separator: ", ") + "]"
        case .dictionary(let fields):
            return "[" + fields.keys.sorted().compactMap { name in fields[name].map { "\(name): \(text($0, key: name))" } }
                .joined(separator: ", ") + "]"
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC") ?? .gmt))
    }
}

/// What must never be written to a log.
enum Redaction {
    static let placeholder = "<redacted>"

    /// Keys whose values are credentials whatever they hold.
    static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["token", "authorization", "password", "passwd", "secret", "apikey", "api_key", "api-key", "credential", "cookie",
                "private_key", "privatekey", "client-key", "client_key"].contains { lowered.contains($0) }
    }

    /// Removes Telegram bot tokens (`123456789:AA…`, 35 characters after the colon) and the
    /// value of `Bearer`/`Basic` credentials from free text.
    static func redact(_ text: String) -> String {
        guard text.contains(":") || text.contains("Bearer") || text.contains("Basic") else { return text }
        var result = text.replacing(/[0-9]{5,}:[A-Za-z0-9_-]{30,}/, with: placeholder)
        result = result.replacing(/(Bearer|Basic)\s+[A-Za-z0-9._~+\/=-]+/) { match in "\(match.output.1) \(placeholder)" }
        return result
    }
}
