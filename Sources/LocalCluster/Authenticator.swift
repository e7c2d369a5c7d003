import ClusterCore
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOSSL

/// Who may call the API: a client certificate the cluster CA signed (checked by the TLS
/// handshake, which refuses any other presented certificate) or the admin bearer token.
/// Anything else gets 401, as kube-apiserver answers requests it cannot authenticate.
/// See https://kubernetes.io/docs/reference/access-authn-authz/authentication/
struct Authenticator: Sendable {
    enum Mode: Sendable {
        /// Plain HTTP on loopback without credentials.
        case open
        /// A bearer token, or over TLS a verified client certificate.
        case credentials(ClusterCredentials, clientCertificates: Bool)
    }

    let mode: Mode

    func authenticate(_ request: Request, channel: any Channel) async throws {
        guard case .credentials(let credentials, let clientCertificates) = mode else { return }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer", credentials.acceptsToken(parts[1].trimmingSpaces) {
                return
            }
            // A wrong token is refused even when a certificate is also presented, as the API server does.
            throw APIError.unauthorized
        }
        // With optional verification, a presented certificate is there only if the CA signed it.
        if clientCertificates, (try? await channel.nioSSL_peerCertificate().get()) != nil {
            return
        }
        throw APIError.unauthorized
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
