import Crypto
import Foundation
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
