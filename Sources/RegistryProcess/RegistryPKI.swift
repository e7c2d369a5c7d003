import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway certificate authority for a loopback registry: the CA whose PEM clients trust
/// (a target's `imagePolicy.registry.caBundle`) and the server certificates it issues.
/// ECDSA P-256, which Go's crypto/tls (the registry) and OpenSSL (libcurl) accept.
public struct RegistryPKI: Sendable {
    public let caCertificatePEM: String
    let certificate: Certificate
    /// The raw key (the key type itself is not Sendable).
    let keyBytes: Data
    var key: P256.Signing.PrivateKey { (try? P256.Signing.PrivateKey(rawRepresentation: keyBytes)) ?? P256.Signing.PrivateKey() }

    public init(commonName: String = "slipway-registry-ca") throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        keyBytes = key.rawRepresentation
        caCertificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A server certificate for 127.0.0.1 and localhost: PEM certificate and PKCS#8 key.
    public func issueLoopbackServerCertificate() throws -> (certificatePEM: String, keyPEM: String) {
        let leafKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: certificate.subject, subject: try DistinguishedName { CommonName("127.0.0.1") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier)
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (try leaf.serializeAsPEM().pemString, leafKey.pemRepresentation)
    }
}

/// A key that signs registry tokens (JWT, ES256) and the self-signed certificate the registry
/// trusts them by (`auth.token.rootcertbundle`); tokens carry it in their `x5c` header.
/// https://distribution.github.io/distribution/spec/auth/jwt/
public struct TokenSigner: Sendable {
    public let certificatePEM: String
    let certificateDER: [UInt8]
    let keyBytes: Data
    var key: P256.Signing.PrivateKey { (try? P256.Signing.PrivateKey(rawRepresentation: keyBytes)) ?? P256.Signing.PrivateKey() }
    public let issuer: String
    public let service: String

    public init(issuer: String = "slipway-token-service", service: String = "slipway-registry") throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(issuer) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        keyBytes = key.rawRepresentation
        self.issuer = issuer
        self.service = service
        certificatePEM = try certificate.serializeAsPEM().pemString
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        certificateDER = serializer.serializedBytes
    }

    /// A token granting `actions` on `repository` to `subject` for `lifetime`.
    public func token(subject: String, repository: String, actions: [String], lifetime: Duration = .seconds(300)) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = #"{"typ":"JWT","alg":"ES256","x5c":["\#(Data(certificateDER).base64EncodedString())"]}"#
        let accessJSON = actions.map { "\"\($0)\"" }.joined(separator: ",")
        let claims = #"{"iss":"\#(issuer)","sub":"\#(subject)","aud":"\#(service)","exp":\#(now + Int(lifetime.components.seconds)),"nbf":\#(now - 10),"iat":\#(now),"jti":"\#(UUID().uuidString)","access":[{"type":"repository","name":"\#(repository)","actions":[\#(accessJSON)]}]}"#
        let signingInput = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(claims.utf8))
        let signature = (try? key.signature(for: Data(signingInput.utf8)).rawRepresentation) ?? Data()
        return signingInput + "." + Self.base64URL(signature)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
