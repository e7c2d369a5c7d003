import Foundation
import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// A real distribution registry (Debian's `docker-registry`) on loopback with TLS from a
/// throwaway CA, for the tests and the demo: storage, configuration and log in a directory of
/// its own. `start` returns once `/v2/` answers; `stop` ends it and removes the directory.
/// https://distribution.github.io/distribution/about/configuration/
public final class RegistryServer: Sendable {
    /// How clients must authenticate.
    public enum Authentication: Sendable {
        /// Anyone may pull and push.
        case none
        /// HTTP Basic against an htpasswd file with this one user.
        case htpasswd(user: String, password: String)
        /// Bearer tokens from `realm`, signed by `signer`.
        case token(realm: String, signer: TokenSigner)
    }

    /// `127.0.0.1:PORT`: the registry part of image references.
    public let host: String
    /// The CA that issued the server certificate: what a target's `caBundle` holds.
    public let caCertificatePEM: String
    public let directory: URL
    private let process: Process

    private init(host: String, caCertificatePEM: String, directory: URL, process: Process) {
        self.host = host
        self.caCertificatePEM = caCertificatePEM
        self.directory = directory
        self.process = process
    }

    public static let binary: String? = ["/usr/bin/docker-registry", "/usr/local/bin/registry"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts a registry on a free loopback port, `attempts` times in all when another process
    /// takes the port first, each within `readinessTimeout`.
    /// - Parameter blobsRedirectTo: a base URL (`https://localhost:PORT`) blob downloads are
    ///   redirected to, as registries backed by object storage redirect them: the registry answers
    ///   307 to `BASE/docker/registry/v2/blobs/…/data`, the blob's path under `directory/data`.
    public static func start(authentication: Authentication = .none, pki: RegistryPKI? = nil,
                             in parent: URL = FileManager.default.temporaryDirectory, binary: String? = RegistryServer.binary,
                             blobsRedirectTo: String? = nil,
                             readinessTimeout: Duration = .seconds(30), attempts: Int = 3) async throws -> RegistryServer {
        guard let binary else { throw RegistryServerError("docker-registry is not installed; run scripts/install-deps.sh") }
        let pki = try pki ?? RegistryPKI()
        var lastLog = ""
        for _ in 0..<max(attempts, 1) {
            let server = try launch(binary: binary, authentication: authentication, pki: pki, in: parent, blobsRedirectTo: blobsRedirectTo)
            if try await server.waitUntilReady(timeout: readinessTimeout) { return server }
            lastLog = server.log
            await server.stop()
        }
        throw RegistryServerError("docker-registry did not answer within \(readinessTimeout): \(lastLog.suffix(2000))")
    }

    private static func launch(binary: String, authentication: Authentication, pki: RegistryPKI, in parent: URL,
                               blobsRedirectTo: String?) throws -> RegistryServer {
        let directory = parent.appendingPathComponent("registry-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let (certificate, key) = try pki.issueLoopbackServerCertificate()
        try certificate.write(to: directory.appendingPathComponent("server.crt"), atomically: true, encoding: .utf8)
        try write(key, to: directory.appendingPathComponent("server.key"))
        guard let port = LoopbackPort.free() else { throw RegistryServerError("could not bind 127.0.0.1:0 to find a free port for the registry") }
        var auth = ""
        switch authentication {
        case .none: break
        case .htpasswd(let user, let password):
            try write(try Htpasswd.line(user: user, password: password) + "\n", to: directory.appendingPathComponent("htpasswd"))
            auth = """
            auth:
              htpasswd:
                realm: slipway-registry
                path: \(directory.path)/htpasswd
            """
        case .token(let realm, let signer):
            try signer.certificatePEM.write(to: directory.appendingPathComponent("token.crt"), atomically: true, encoding: .utf8)
            auth = """
            auth:
              token:
                realm: \(realm)
                service: \(signer.service)
                issuer: \(signer.issuer)
                rootcertbundle: \(directory.path)/token.crt
            """
        }
        let redirect = blobsRedirectTo.map { base in
            """
            middleware:
              storage:
                - name: redirect
                  options:
                    baseurl: \(base)
            """
        } ?? ""
        let configuration = """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(directory.path)/data
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)
          tls:
            certificate: \(directory.path)/server.crt
            key: \(directory.path)/server.key
        \(auth)
        \(redirect)

        """
        let config = directory.appendingPathComponent("config.yml")
        try configuration.write(to: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("registry.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", config.path]
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        // The registry reads REGISTRY_* variables as configuration: none of the caller's apply.
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        try process.run()
        return RegistryServer(host: "127.0.0.1:\(port)", caCertificatePEM: pki.caCertificatePEM, directory: directory, process: process)
    }

    private static func write(_ text: String, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RegistryServerError("cannot write \(url.path)")
        }
    }

    public var isRunning: Bool { process.isRunning }

    /// What the registry has logged (warnings and errors).
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("registry.log"), encoding: .utf8)) ?? ""
    }

    /// `/v2/` answers 200 or 401 (authentication needed) once the registry serves.
    private func waitUntilReady(timeout: Duration) async throws -> Bool {
        var configuration = HTTPClientConfiguration(connectTimeout: .seconds(2))
        configuration.tls.certificateAuthorityPEM = Array(caCertificatePEM.utf8)
        let client = try HTTPClient(configuration: configuration)
        defer { Thread.detachNewThread { client.shutdown() } }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return false }
            if let status = try? await client.execute(HTTPRequest(url: "https://\(host)/v2/", timeout: .seconds(2))).status, status == 200 || status == 401 {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// SIGTERM, SIGKILL after 10 s, then the directory goes.
    public func stop() async {
        await halt()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the process and keeps its directory: how tests make the registry unreachable.
    public func halt() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// SIGTERM without waiting, for a synchronous `defer`.
    public func terminate() {
        if process.isRunning { process.terminate() }
    }
}
