import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Hummingbird
import Logging
import NIOCore
import Registry
import RegistryProcess

/// A registry with htpasswd basic auth, its credentials and a client that trusts its CA, for
/// the body's duration; the registry is stopped however the body ends.
func withBasicAuthRegistry<T: Sendable>(_ body: (RegistryServer, RegistryClient, RegistryCredentials) async throws -> T) async throws -> T {
    let credentials = RegistryCredentials(username: "ci", password: UUID().uuidString)
    let server = try await RegistryServer.start(authentication: .htpasswd(user: credentials.username, password: credentials.password))
    let client = try RegistryClient(caBundlePEM: server.caCertificatePEM)
    do {
        let result = try await body(server, client, credentials)
        client.shutdown()
        await server.stop()
        return result
    } catch {
        client.shutdown()
        await server.stop()
        throw error
    }
}

/// A token service as Docker Hub's or Harbor's: `GET /token?service=…&scope=…` with Basic
/// credentials answers a signed JWT granting the scope asked for, or 401 for wrong credentials.
/// It counts the tokens it issued.
final class TokenService: Sendable {
    let port: Int
    let signer: TokenSigner
    private let task: Task<Void, any Error>
    private let issued: Counter

    var realm: String { "http://127.0.0.1:\(port)/token" }
    var tokensIssued: Int { issued.value }

    private init(port: Int, signer: TokenSigner, task: Task<Void, any Error>, issued: Counter) {
        self.port = port
        self.signer = signer
        self.task = task
        self.issued = issued
    }

    static func start(credentials: RegistryCredentials) async throws -> TokenService {
        let signer = try TokenSigner()
        let issued = Counter()
        let router = Router()
        router.get("/token") { request, _ -> Response in
            let expected = credentials.basicAuthorization
            guard request.headers[.authorization] == expected else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"details":"incorrect username or password"}"#)))
            }
            let scope = request.uri.queryParameters.get("scope") ?? ""
            let parts = scope.split(separator: ":")
            guard parts.count == 3, parts[0] == "repository" else { return Response(status: .badRequest) }
            issued.increment()
            let token = signer.token(subject: credentials.username, repository: String(parts[1]), actions: parts[2].split(separator: ",").map(String.init))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"token":"\#(token)","expires_in":300}"#)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "token-service")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw RegistryServerError("the token service did not start") }
        return TokenService(port: port, signer: signer, task: task, issued: issued)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

extension RegistryServer {
    /// `HOST/REPOSITORY:TAG` in this registry.
    func image(_ repository: String, tag: String) -> ImageReference {
        ImageReference(registry: host, repository: repository, tag: tag)
    }
}

/// Blob storage elsewhere, as S3 or GCS behind a registry: a static HTTPS server (Python's
/// http.server with TLS) on `localhost` serving the storage of the registry under `root`
/// (`root/registry-…/data`), which notes every request and whether it carried an Authorization
/// header (credentials must stay with the registry's host).
final class BlobStorage: Sendable {
    let baseURL: String
    private let process: Process
    private let authorizationLog: URL

    private init(baseURL: String, process: Process, authorizationLog: URL) {
        self.baseURL = baseURL
        self.process = process
        self.authorizationLog = authorizationLog
    }

    static let script = """
        import glob, http.server, signal, ssl, sys
        # A child inherits its parent's blocked signals; SIGTERM must end this server.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        root, cert, key, port, log = sys.argv[1:6]
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                stores = glob.glob(root + "/registry-*/data")
                super().__init__(*args, directory=stores[0] if stores else root, **kwargs)
            def do_GET(self):
                with open(log, "a") as f:
                    f.write(("authorized " if self.headers.get("Authorization") else "anonymous ") + self.path + "\\n")
                super().do_GET()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("serving", flush=True)
        server.serve_forever()
        """

    /// Serves `root` over TLS with a certificate from `pki`, on a port found free just before.
    static func start(root: URL, pki: RegistryPKI) async throws -> BlobStorage {
        let (certificate, key) = try pki.issueLoopbackServerCertificate()
        let files = root.appendingPathComponent("blob-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try certificate.write(to: files.appendingPathComponent("tls.crt"), atomically: true, encoding: .utf8)
        try key.write(to: files.appendingPathComponent("tls.key"), atomically: true, encoding: .utf8)
        let log = files.appendingPathComponent("authorized-requests")
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, root.path, files.appendingPathComponent("tls.crt").path, files.appendingPathComponent("tls.key").path,
                             String(port), log.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready once it says so (a line on its standard output).
        let ready = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread {
                let line = output.fileHandleForReading.availableData
                continuation.resume(returning: String(decoding: line, as: UTF8.self).contains("serving"))
            }
        }
        guard ready else { throw RegistryServerError("the blob storage server did not start") }
        return BlobStorage(baseURL: "https://localhost:\(port)", process: process, authorizationLog: log)
    }

    /// The requests served, `authorized PATH` or `anonymous PATH`.
    var requests: [String] {
        ((try? String(contentsOf: authorizationLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGTERM, then SIGKILL when it is still running after 5 s.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw RegistryServerError("no free port for the blob storage server") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
