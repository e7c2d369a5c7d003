import Crypto
import Foundation
import JSON

/// Verifies cosign's key-based signatures of an image digest, as `cosign verify --key` does.
///
/// cosign stores the signatures of `REPO@sha256:H` as the image `REPO:sha256-H.sig`; each layer
/// of it is a simple-signing payload (a JSON document naming the repository and the digest)
/// with the base64 ECDSA signature of that payload in the layer's
/// `dev.cosignproject.cosign/signature` annotation. An image is accepted when one layer's
/// payload names this digest and repository and its signature verifies with one of the keys.
/// Keyless signatures (Fulcio certificates, Rekor entries) are not verified.
/// https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
public struct SignatureVerifier: Sendable {
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    public static let payloadType = "cosign container image signature"

    /// DER forms (the key type itself is not Sendable) and fingerprints.
    let keys: [(der: [UInt8], fingerprint: String)]

    /// The keys as PEM `PUBLIC KEY` blocks (ECDSA P-256, what `cosign generate-key-pair` makes).
    /// Throws naming the index of a key that is not one.
    public init(publicKeysPEM: [String]) throws(SignatureError) {
        var keys: [([UInt8], String)] = []
        for (index, pem) in publicKeysPEM.enumerated() {
            do {
                let key = try P256.Signing.PublicKey(pemRepresentation: pem)
                keys.append((Array(key.derRepresentation), Self.fingerprint(key)))
            } catch {
                throw .invalidKey(index: index)
            }
        }
        self.keys = keys
    }

    /// Checks a PEM text without keeping it: nil when it is an ECDSA P-256 public key, else why not.
    public static func keyProblem(_ pem: String) -> String? {
        (try? P256.Signing.PublicKey(pemRepresentation: pem)) == nil ? "is not a PEM ECDSA P-256 public key (-----BEGIN PUBLIC KEY-----, as cosign generate-key-pair writes)" : nil
    }

    /// Throws `SignatureError` saying why `digest` of `image` is not signed by one of the keys;
    /// returns the fingerprint of the key that signed it.
    @discardableResult
    public func verify(_ image: ImageReference, digest: ImageDigest, client: RegistryClient,
                       credentials: RegistryCredentials? = nil) async throws -> String {
        let signatureImage = ImageReference(registry: image.registry, repository: image.repository, tag: digest.cosignSignatureTag)
        let manifest: Manifest
        do {
            manifest = try await client.manifest(signatureImage, credentials: credentials)
        } catch {
            if case .notFound = error {
                throw SignatureError.unsigned(image: image.pinned(to: digest).description, signatureTag: digest.cosignSignatureTag)
            }
            throw error
        }
        var reasons: [String] = []
        for layer in manifest.layers where layer.mediaType == MediaType.cosignSimpleSigning {
            guard let signatureText = layer.annotations[Self.signatureAnnotation], let signature = Data(base64Encoded: signatureText) else {
                reasons.append("a layer has no \(Self.signatureAnnotation) annotation")
                continue
            }
            let payload: [UInt8]
            do {
                payload = try await client.blob(layer.digest, of: image, credentials: credentials, maxBytes: 64 << 10)
            } catch {
                guard case .invalidResponse(_, _, let reason) = error else { throw error }
                reasons.append("a payload was tampered with (\(reason))")
                continue
            }
            guard let key = keys.first(where: { entry in
                (try? P256.Signing.PublicKey(derRepresentation: entry.der)).map { Self.isValid(signature: signature, of: payload, by: $0) } ?? false
            }) else {
                reasons.append("a signature does not verify with any configured key (signed by another key, or its payload was changed)")
                continue
            }
            if let problem = Self.payloadProblem(payload, image: image, digest: digest) {
                reasons.append("a payload signed by key \(key.fingerprint) \(problem)")
                continue
            }
            return key.fingerprint
        }
        if reasons.isEmpty { reasons.append("\(digest.cosignSignatureTag) holds no cosign signature layer") }
        throw SignatureError.notVerified(image: image.pinned(to: digest).description, reasons: reasons)
    }

    /// DER (what cosign writes) or raw r‖s.
    static func isValid(signature: Data, of payload: [UInt8], by key: P256.Signing.PublicKey) -> Bool {
        if let der = try? P256.Signing.ECDSASignature(derRepresentation: signature), key.isValidSignature(der, for: payload) { return true }
        if let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signature), key.isValidSignature(raw, for: payload) { return true }
        return false
    }

    /// Why a verified payload does not vouch for this image; nil when it names its digest and repository.
    static func payloadProblem(_ payload: [UInt8], image: ImageReference, digest: ImageDigest) -> String? {
        guard let json = try? JSONValue(parsing: payload), let critical = json["critical"] else { return "is not a simple-signing document" }
        guard critical["type"]?.stringValue == payloadType else { return "is not of type \(payloadType)" }
        let signedDigest = critical["image"]?["docker-manifest-digest"]?.stringValue ?? "(none)"
        guard signedDigest == digest.rawValue else { return "is for digest \(signedDigest), not \(digest.rawValue)" }
        let reference = critical["identity"]?["docker-reference"]?.stringValue ?? "(none)"
        guard sameRepository(reference, image) else { return "is for repository \(reference), not \(image.name)" }
        return nil
    }

    /// `index.docker.io/library/nginx` and `docker.io/library/nginx` are the same repository; a tag in the reference is ignored.
    static func sameRepository(_ reference: String, _ image: ImageReference) -> Bool {
        guard let parsed = try? ImageReference(parsing: reference.contains("@") || reference.split(separator: "/").last?.contains(":") == true ? reference : reference + ":x") else {
            return false
        }
        let hub = ["docker.io", "index.docker.io", "registry-1.docker.io"]
        let sameRegistry = parsed.registry == image.registry || (hub.contains(parsed.registry) && hub.contains(image.registry))
        return sameRegistry && parsed.repository == image.repository
    }

    /// The first 8 bytes of the SHA-256 of the key's DER form, in hex: how messages name a key.
    static func fingerprint(_ key: P256.Signing.PublicKey) -> String {
        SHA256.hash(data: key.derRepresentation).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The simple-signing payload cosign signs for `digest` of `image`.
    public static func payload(for image: ImageReference, digest: ImageDigest) -> [UInt8] {
        let document: JSONValue = [
            "critical": [
                "identity": ["docker-reference": .string(image.name)],
                "image": ["docker-manifest-digest": .string(digest.rawValue)],
                "type": .string(payloadType),
            ],
            "optional": nil,
        ]
        return document.jsonBytes()
    }
}

/// Why an image's signature was not accepted.
public enum SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey(index: Int)
    case unsigned(image: String, signatureTag: String)
    case notVerified(image: String, reasons: [String])

    public var description: String {
        switch self {
        case .invalidKey(let index):
            return "imagePolicy.signatures.publicKeys[\(index)] is not a PEM ECDSA P-256 public key"
        case .unsigned(let image, let tag):
            return "\(image) is not signed: the registry has no \(tag); sign it with cosign sign --key"
        case .notVerified(let image, let reasons):
            return "\(image) has no valid signature by a configured key: " + reasons.joined(separator: "; ")
        }
    }
}
