import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Per-request context that keeps the connection's channel, so that the responder can read
/// the client certificate the TLS handshake verified.
public struct ClusterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The API server's request body limit (3 MiB), checked by the responder itself.
    public var maxUploadSize: Int { APIServer.maximumBodySize }
}
