import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A loopback stand-in for the GitHub REST API's `GET /repos/{owner}/{repo}/commits/{ref}`,
/// answering from a table of branch heads and remembering the Authorization headers it saw.
final class FakeGitHub: Sendable {
    let heads: [String: String]
    let requiredToken: String?
    private let authorizations = Mutex<[String?]>([])

    init(heads: [String: String], requiredToken: String? = nil) {
        self.heads = heads
        self.requiredToken = requiredToken
    }

    var seenAuthorizations: [String?] { authorizations.withLock { $0 } }

    /// Serves until `body` returns; `body` gets the base URL.
    func serve<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("/repos/:owner/:repo/commits/:branch") { [self] request, context -> Response in
            let authorization = request.headers[.authorization]
            authorizations.withLock { $0.append(authorization) }
            if let requiredToken, authorization != "Bearer \(requiredToken)" {
                return Self.json(.unauthorized, #"{"message":"Bad credentials"}"#)
            }
            let key = "\(context.parameters.get("owner") ?? "")/\(context.parameters.get("repo") ?? "")@\(context.parameters.get("branch") ?? "")"
            guard let sha = heads[key] else { return Self.json(.unprocessableContent, #"{"message":"No commit found for SHA"}"#) }
            return Self.json(.ok, #"{"sha":"\#(sha)","commit":{"message":"change"}}"#)
        }
        var logger = Logger(label: "fake.github")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let services = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
