import ClusterCore
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Who may call the API, and as whom: a client certificate the cluster CA signed (checked by
/// the TLS handshake, which refuses any other presented certificate; its subject names the user
/// and groups), the admin bearer token, or a ServiceAccount token the cluster issued.
/// Anything else gets 401, as kube-apiserver answers requests it cannot authenticate.
/// See https://kubernetes.io/docs/reference/access-authn-authz/authentication/
struct Authenticator: Sendable {
    enum Mode: Sendable {
        /// Plain HTTP on loopback without credentials: every caller is the administrator.
        case open
        /// A bearer token, or over TLS a verified client certificate.
        case credentials(ClusterCredentials, clientCertificates: Bool)
    }

    let mode: Mode
    /// Checks ServiceAccount tokens; nil accepts the admin credentials only.
    var serviceAccountTokens: ServiceAccountTokens?

    init(mode: Mode, serviceAccountTokens: ServiceAccountTokens? = nil) {
        self.mode = mode
        self.serviceAccountTokens = serviceAccountTokens
    }

    func authenticate(_ request: Request, channel: any Channel) async throws -> UserInfo {
        guard case .credentials(let credentials, let clientCertificates) = mode else { return .admin }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingSpaces
                if credentials.acceptsToken(token) { return .admin }
                if let user = serviceAccountTokens?.authenticate(token) { return user }
            }
            // A wrong token is refused even when a certificate is also presented, as the API server does.
            throw APIError.unauthorized
        }
        // With optional verification, a presented certificate is there only if the CA signed it.
        // A certificate that names no user (no common name) authenticates no one.
        if clientCertificates, let certificate = try? await channel.nioSSL_peerCertificate().get(),
           let user = Self.user(of: certificate) {
            return user
        }
        throw APIError.unauthorized
    }

    /// The user a client certificate names: CN is the user name, each O a group.
    /// See https://kubernetes.io/docs/reference/access-authn-authz/authentication/#x509-client-certificates
    static func user(of certificate: NIOSSLCertificate) -> UserInfo? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var commonName: String?
        var organizations: [String] = []
        for relativeName in parsed.subject {
            for attribute in relativeName {
                guard let text = String(attribute.value) else { continue }
                if attribute.type == .RDNAttributeType.commonName { commonName = text }
                if attribute.type == .RDNAttributeType.organizationName { organizations.append(text) }
            }
        }
        guard let commonName, !commonName.isEmpty else { return nil }
        return .certificate(commonName: commonName, organizations: organizations)
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
