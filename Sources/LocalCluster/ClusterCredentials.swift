import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's PKI and admin token: a CA, a server certificate signed by it, an admin client
/// certificate (`CN=slipway-admin, O=system:masters`, the group that kube-apiserver grants
/// everything) and a random bearer token.
///
/// Keys are ECDSA P-256, which Go's crypto/tls (kubectl), OpenSSL (Python) and BoringSSL
/// (the server) all accept. With a state directory the CA, the admin certificate and the token
/// are kept under `pki/`, so a restarted cluster still accepts the kubeconfig written before;
/// the server certificate is issued anew at each start so that its names follow the host.
/// See https://kubernetes.io/docs/setup/best-practices/certificates/
public struct ClusterCredentials: Sendable {
    public var caCertificatePEM: String
    public var serverCertificatePEM: String
    public var serverKeyPEM: String
    public var clientCertificatePEM: String
    public var clientKeyPEM: String
    public var adminToken: String

    /// Loads the credentials kept in `directory` (creating what is missing) or, without a
    /// directory, makes new ones in memory.
    public static func load(directory: URL?, serverNames: [String]) throws -> ClusterCredentials {
        let files = directory.map { PKIFiles(stateDirectory: $0) }
        let ca: Authority
        if let files, let stored = try? files.readAuthority() {
            ca = stored
        } else {
            ca = try Authority.makeRoot()
            try files?.write(authority: ca)
        }

        let client: (certificate: String, key: String)
        if let files, let stored = files.readPair(certificate: "admin.crt", key: "admin.key") {
            client = stored
        } else {
            let key = P256.Signing.PrivateKey()
            let certificate = try ca.issue(
                subject: try DistinguishedName {
                    OrganizationName("system:masters")
                    CommonName("slipway-admin")
                },
                publicKey: key.publicKey, usage: .clientAuth, alternativeNames: [])
            client = (certificate, key.pemRepresentation)
            try files?.write(client.certificate, to: "admin.crt")
            try files?.write(client.key, to: "admin.key")
        }

        let token: String
        if let files, let stored = files.read("token"), !stored.isEmpty {
            token = stored
        } else {
            token = Self.randomToken()
            try files?.write(token, to: "token")
        }

        let serverKey = P256.Signing.PrivateKey()
        let serverCertificate = try ca.issue(
            subject: try DistinguishedName { CommonName("slipway-apiserver") },
            publicKey: serverKey.publicKey, usage: .serverAuth,
            alternativeNames: Self.alternativeNames(serverNames))
        return ClusterCredentials(
            caCertificatePEM: ca.certificatePEM, serverCertificatePEM: serverCertificate, serverKeyPEM: serverKey.pemRepresentation,
            clientCertificatePEM: client.certificate, clientKeyPEM: client.key, adminToken: token)
    }

    /// Compares a presented bearer token with the admin token in time independent of where
    /// they first differ, so that response timing reveals nothing about the token.
    public func acceptsToken(_ presented: some StringProtocol) -> Bool {
        let expected = Array(adminToken.utf8)
        let given = Array(presented.utf8)
        var difference = UInt8(truncatingIfNeeded: expected.count ^ given.count)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// DNS names and IP addresses for the server certificate's subjectAltName.
    static func alternativeNames(_ names: [String]) -> [GeneralName] {
        var result: [GeneralName] = []
        for name in names where !name.isEmpty {
            if let v4 = IPv4Address(name) {
                result.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(v4.bytes))))
            } else if let v6 = IPv6Address(name) {
                result.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(v6.bytes))))
            } else {
                result.append(.dnsName(name))
            }
        }
        return result
    }
}

/// A certificate authority that can sign leaf certificates.
struct Authority {
    var certificate: Certificate
    var key: P256.Signing.PrivateKey

    var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    static func makeRoot() throws -> Authority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("slipway-ca") }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return Authority(certificate: certificate, key: key)
    }

    func issue(
        subject: DistinguishedName, publicKey: P256.Signing.PublicKey,
        usage: ExtendedKeyUsage.Usage, alternativeNames: [GeneralName]
    ) throws -> String {
        let leafKey = Certificate.PublicKey(publicKey)
        let caKeyIdentifier = SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: leafKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 365 * 86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                SubjectKeyIdentifier(hash: leafKey)
                AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier)
                if !alternativeNames.isEmpty {
                    SubjectAlternativeNames(alternativeNames)
                }
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try leaf.serializeAsPEM().pemString
    }
}

/// The files under `STATE/pki`, written with mode 0600 since they hold private keys.
struct PKIFiles {
    var directory: URL

    init(stateDirectory: URL) {
        directory = stateDirectory.appendingPathComponent("pki", isDirectory: true)
    }

    func read(_ name: String) -> String? {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func readPair(certificate: String, key: String) -> (certificate: String, key: String)? {
        guard let cert = read(certificate), let key = read(key), !cert.isEmpty, !key.isEmpty else { return nil }
        return (cert, key)
    }

    func readAuthority() throws -> Authority? {
        guard let pair = readPair(certificate: "ca.crt", key: "ca.key") else { return nil }
        return Authority(
            certificate: try Certificate(pemEncoded: pair.certificate),
            key: try P256.Signing.PrivateKey(pemRepresentation: pair.key))
    }

    func write(authority: Authority) throws {
        try write(authority.certificatePEM, to: "ca.crt")
        try write(authority.key.pemRepresentation, to: "ca.key")
    }

    func write(_ contents: String, to name: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try SecretFile.write(contents, to: directory.appendingPathComponent(name))
    }
}

/// Writes a file readable by its owner only, replacing it atomically.
enum SecretFile {
    static func write(_ contents: String, to url: URL) throws {
        let temporary = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}

/// Minimal textual IP address parsing for subjectAltName entries.
struct IPv4Address {
    var bytes: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }
}

struct IPv6Address {
    var bytes: [UInt8]

    init?(_ text: String) {
        guard text.contains(":") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &address) { Array($0) }
    }
}
