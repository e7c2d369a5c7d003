import Foundation
import JSON

/// `users[].user.exec` of a kubeconfig: a program that prints an `ExecCredential`.
/// See https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
///
/// Its description leaves out the environment values, which may hold secrets.
public struct ExecConfig: Sendable, CustomStringConvertible, CustomReflectable {
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    public var apiVersion: String
    /// The program: a path (relative ones resolved against `baseDirectory`) or a name looked up in PATH.
    public var command: String
    public var args: [String]
    /// Added to the environment the program inherits.
    public var env: [(name: String, value: String)]
    /// Shown when the program cannot be found.
    public var installHint: String?
    public var provideClusterInfo: Bool
    /// The directory of the kubeconfig that names the plugin.
    public var baseDirectory: String

    public init(apiVersion: String = "client.authentication.k8s.io/v1", command: String, args: [String] = [],
                env: [(name: String, value: String)] = [], installHint: String? = nil, provideClusterInfo: Bool = false,
                baseDirectory: String = FileManager.default.currentDirectoryPath) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.baseDirectory = baseDirectory
    }

    public var description: String {
        "ExecConfig(\(apiVersion), command: \(command), args: \(args), env: \(env.map(\.name)))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// The `status` of an ExecCredential: a token, or a client certificate and key, and until when
/// they are good. Its description never shows the secrets.
public struct ExecCredentialStatus: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var token: String?
    public var clientCertificateData: String?
    public var clientKeyData: String?
    public var expirationTimestamp: Date?

    public init(token: String? = nil, clientCertificateData: String? = nil, clientKeyData: String? = nil, expirationTimestamp: Date? = nil) {
        self.token = token
        self.clientCertificateData = clientCertificateData
        self.clientKeyData = clientKeyData
        self.expirationTimestamp = expirationTimestamp
    }

    public var description: String {
        var parts: [String] = []
        if token != nil { parts.append("token: <redacted>") }
        if clientCertificateData != nil { parts.append("client certificate") }
        if clientKeyData != nil { parts.append("client key: <redacted>") }
        if let expirationTimestamp { parts.append("expires \(expirationTimestamp)") }
        return "ExecCredentialStatus(\(parts.joined(separator: ", ")))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// Runs an exec credential plugin and caches its answer until it expires. Concurrent callers
/// share one run. The program is started directly (no shell), with the configured arguments.
public actor ExecCredentialProvider {
    nonisolated public let config: ExecConfig
    /// The server URL, passed to the plugin when `provideClusterInfo` is set.
    nonisolated public let server: String?
    /// Renew this long before the credential expires, so that a request never carries one that
    /// expires on the way.
    nonisolated public let expiryMargin: Duration

    private var cached: ExecCredentialStatus?
    private var running: Task<ExecCredentialStatus, any Error>?
    /// How many times the program was run (for diagnostics).
    public private(set) var runCount = 0

    public init(config: ExecConfig, server: String? = nil, expiryMargin: Duration = .seconds(10)) {
        self.config = config
        self.server = server
        self.expiryMargin = expiryMargin
    }

    /// The cached credential if still valid, else a fresh one from the program.
    public func credential(now: Date = Date()) async throws(KubeError) -> ExecCredentialStatus {
        if let cached, isValid(cached, now: now) { return cached }
        return try await refresh()
    }

    /// Drops the cached credential (after a 401) so that the next call runs the program.
    public func invalidate() {
        cached = nil
    }

    private func isValid(_ credential: ExecCredentialStatus, now: Date) -> Bool {
        guard let expiry = credential.expirationTimestamp else { return true }
        let margin = Double(expiryMargin.components.seconds) + Double(expiryMargin.components.attoseconds) / 1e18
        return expiry.timeIntervalSince(now) > margin
    }

    private func refresh() async throws(KubeError) -> ExecCredentialStatus {
        let task: Task<ExecCredentialStatus, any Error>
        if let running {
            task = running
        } else {
            runCount += 1
            let config = config
            let server = server
            task = Task.detached { try await ExecCredentialRunner.run(config, server: server) }
            running = task
        }
        do {
            let credential = try await task.value
            if running == task { running = nil }
            cached = credential
            return credential
        } catch {
            if running == task { running = nil }
            if let error = error as? KubeError { throw error }
            throw .configuration(.init("the exec credential plugin \(config.command) failed: \(error)"))
        }
    }
}

/// Starting the plugin process and reading its answer.
enum ExecCredentialRunner {
    static func run(_ config: ExecConfig, server: String?) async throws(KubeError) -> ExecCredentialStatus {
        let executable = try resolve(config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = config.args
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo(config, server: server)
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice

        let outcome: (status: Int32, output: Data, errors: Data)
        do {
            try process.run()
        } catch {
            throw .configuration(.init("cannot start the exec credential plugin \(executable): \(error.localizedDescription)"))
        }
        // Both pipes are drained while the program runs so that neither fills up and blocks it.
        outcome = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                nonisolated(unsafe) var errors = Data()
                group.enter()
                DispatchQueue.global().async {
                    errors = stderr.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, output, errors))
            }
        }
        guard outcome.status == 0 else {
            let detail = String(decoding: outcome.errors.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .configuration(.init("the exec credential plugin \(config.command) exited with status \(outcome.status)"
                + (detail.isEmpty ? "" : ": \(detail)")))
        }
        return try parse(outcome.output, config: config)
    }

    /// Finds the program as kubectl does: a name without a slash is looked up in PATH, a relative
    /// path is taken from the kubeconfig's directory.
    static func resolve(_ config: ExecConfig) throws(KubeError) -> String {
        let command = config.command
        let hint = config.installHint.map { "\n\($0)" } ?? ""
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : (config.baseDirectory as NSString).appendingPathComponent(command)
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw .configuration(.init("the exec credential plugin \(path) does not exist or is not executable\(hint)"))
            }
            return path
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = (String(directory) as NSString).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .configuration(.init("the exec credential plugin \(command) was not found in PATH\(hint)"))
    }

    /// The ExecCredential given to the plugin in KUBERNETES_EXEC_INFO.
    static func execInfo(_ config: ExecConfig, server: String?) -> String {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo, let server { spec["cluster"] = ["server": .string(server)] }
        let info: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
        return info.jsonString()
    }

    /// Reads the ExecCredential the plugin printed.
    static func parse(_ output: Data, config: ExecConfig) throws(KubeError) -> ExecCredentialStatus {
        let what = "the exec credential plugin \(config.command)"
        let document: JSONValue
        do {
            document = try JSONValue(parsing: Array(output))
        } catch {
            throw .configuration(.init("\(what) did not print a JSON ExecCredential (\(error.message) at line \(error.line))"))
        }
        if let kind = document["kind"]?.stringValue, kind != "ExecCredential" {
            throw .configuration(.init("\(what) printed a \(kind), expected an ExecCredential"))
        }
        if let apiVersion = document["apiVersion"]?.stringValue, apiVersion != config.apiVersion {
            throw .configuration(.init("\(what) answered with apiVersion \(apiVersion) but the kubeconfig asks for \(config.apiVersion)"))
        }
        guard let status = document["status"], case .object = status else {
            throw .configuration(.init("\(what) printed an ExecCredential without status"))
        }
        var credential = ExecCredentialStatus(
            token: status["token"]?.stringValue,
            clientCertificateData: status["clientCertificateData"]?.stringValue,
            clientKeyData: status["clientKeyData"]?.stringValue)
        if credential.token?.isEmpty == true { credential.token = nil }
        if credential.token == nil, credential.clientCertificateData == nil {
            throw .configuration(.init("\(what) returned neither status.token nor status.clientCertificateData"))
        }
        if (credential.clientCertificateData == nil) != (credential.clientKeyData == nil) {
            throw .configuration(.init("\(what) returned only one of status.clientCertificateData and status.clientKeyData; it must return both"))
        }
        if let stamp = status["expirationTimestamp"]?.stringValue {
            guard let date = RFC3339.parse(stamp) else {
                throw .configuration(.init("\(what) returned an expirationTimestamp that is not RFC 3339: \(stamp)"))
            }
            credential.expirationTimestamp = date
        }
        return credential
    }
}

/// RFC 3339 timestamps as the API writes them (`2026-01-02T03:04:05Z`, optionally with fractions).
public enum RFC3339 {
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
