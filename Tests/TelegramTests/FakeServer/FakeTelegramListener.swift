import Hummingbird
import Logging
import NIOCore

/// The HTTP side of the fake server: one Hummingbird application on 127.0.0.1 that hands every
/// request to `FakeTelegram.handle`. Stopping it closes the port, so clients see "connection
/// refused" until a new listener binds the same port.
final class FakeTelegramListener: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    static func start(port: Int, server: FakeTelegram) async throws -> FakeTelegramListener {
        var logger = Logger(label: "fake-telegram")
        logger.logLevel = .critical
        let router = Router()
        router.post("**") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let answer = await server.handle(path: request.uri.path, body: Array(body.readableBytesView))
            return Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = stream.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            _ = try await task.value
            throw FakeTelegramError("the fake Telegram server did not start")
        }
        return FakeTelegramListener(port: bound, task: task)
    }

    /// Closes the port and waits until the server is gone.
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
