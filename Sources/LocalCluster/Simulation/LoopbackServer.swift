import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Serves one responder on 127.0.0.1 as a service; `url()` waits until it listens. The
/// simulation's proxy and its metrics endpoint are both this, with their own responder.
final class LoopbackServer<Responder: HTTPResponder>: Service, Sendable where Responder.Context == BasicRequestContext {
    let responder: Responder
    let port: Int
    /// Appended to `http://127.0.0.1:PORT` in `url()` (`/metrics` for the metrics endpoint).
    let path: String
    let logger: Logger
    private let ready = ReadySignal<String>()

    init(responder: Responder, port: Int, path: String = "", logger: Logger) {
        self.responder = responder
        self.port = port
        self.path = path
        self.logger = logger
    }

    /// `http://127.0.0.1:PORT` plus `path`, once listening.
    func url() async throws -> String {
        try await ready.wait()
    }

    func run() async throws {
        let ready = self.ready
        let port = self.port
        let path = self.path
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                ready.succeed("http://127.0.0.1:\(channel.localAddress?.port ?? port)\(path)")
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            ready.fail(error)
            throw error
        }
    }
}
