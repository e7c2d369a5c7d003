import Foundation
import JSON
import Logging
import Observability
import Synchronization
import Testing

/// Lines written by a handler, kept for the test to read.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

@Suite("Log handler")
struct LogHandlerTests {
    func logger(_ format: LogFormat, level: Logger.Level = .info) -> (Logger, Lines) {
        let lines = Lines()
        let logger = Logger(label: "slipway.test") { label in
            SlipwayLogHandler(label: label, format: format, level: level, metadataProvider: nil, output: lines.append)
        }
        return (logger, lines)
    }

    @Test("JSON format writes one object per line: timestamp, level, label, message, metadata")
    func jsonLine() throws {
        let (logger, lines) = logger(.json)
        logger.info("release finished", metadata: ["request": "shop/release-2", "attempt": "\(3)",
                                                   "gates": ["pre/health", "post/health"], "target": ["env": "production"]])
        let written = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(written.hasSuffix("\n"))
        #expect(written.dropLast().contains("\n") == false)
        let object = try JSONValue(parsing: String(written.dropLast()))
        guard case .object(let fields) = object else { Issue.record("not an object: \(written)"); return }
        #expect(Array(fields.keys) == ["timestamp", "level", "label", "message", "metadata"])
        #expect(object["level"]?.stringValue == "info")
        #expect(object["label"]?.stringValue == "slipway.test")
        #expect(object["message"]?.stringValue == "release finished")
        #expect(object[path: "metadata", "request"]?.stringValue == "shop/release-2")
        #expect(object[path: "metadata", "attempt"]?.stringValue == "3")
        #expect(object[path: "metadata", "gates"] == .array([.string("pre/health"), .string("post/health")]))
        #expect(object[path: "metadata", "target", "env"]?.stringValue == "production")
        let timestamp = try #require(object["timestamp"]?.stringValue)
        #expect(timestamp.hasSuffix("Z"))
        #expect((try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil)
    }

    @Test("messages with quotes, newlines and non-ASCII text stay one valid JSON line")
    func escaping() throws {
        let (logger, lines) = logger(.json)
        logger.warning("gate \"live\" failed:\nHTTP 503 — zurück")
        let written = try #require(lines.all.first)
        #expect(written.filter { $0 == "\n" }.count == 1)
        let object = try JSONValue(parsing: String(written.dropLast()))
        #expect(object["message"]?.stringValue == "gate \"live\" failed:\nHTTP 503 — zurück")
        #expect(object["level"]?.stringValue == "warning")
        #expect(object["metadata"] == nil)
    }

    @Test("secrets never reach the output, in metadata or in text")
    func secrets() throws {
        let botToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        for format in [LogFormat.json, .text] {
            let (logger, lines) = logger(format)
            logger.error("calling https://api.telegram.org/bot\(botToken)/getUpdates failed",
                         metadata: ["token": "s3cr3t-value", "Authorization": "Bearer abc.def.ghi", "clientToken": "xyz-123",
                                    "header": "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload", "user": "4242"])
            let written = lines.all.joined()
            for secret in [botToken, "s3cr3t-value", "abc.def.ghi", "xyz-123", "eyJhbGciOiJSUzI1NiJ9.payload"] {
                #expect(!written.contains(secret), "\(format): \(written)")
            }
            #expect(written.contains("<redacted>"))
            #expect(written.contains("4242"), "user ids are not secrets")
        }
    }

    @Test("text format reads as one line for people, metadata sorted")
    func textLine() throws {
        let (logger, lines) = logger(.text)
        logger.notice("caches synced", metadata: ["workers": "4", "namespace": "shop"])
        let written = try #require(lines.all.first)
        #expect(written.hasSuffix(" notice slipway.test: caches synced namespace=shop workers=4\n"))
    }

    @Test("messages below the level are dropped")
    func level() {
        let (logger, lines) = logger(.json, level: .warning)
        logger.info("quiet")
        logger.debug("quieter")
        logger.error("loud")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("loud") == true)
    }

    @Test("auto is JSON in a pod and text on a terminal")
    func autoFormat() {
        #expect(LogFormat.auto.resolved(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]) == .json)
        #expect(LogFormat.auto.resolved(environment: [:]) == .text)
        #expect(LogFormat.text.resolved(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]) == .text)
        #expect(LogFormat.json.resolved(environment: [:]) == .json)
    }
}
