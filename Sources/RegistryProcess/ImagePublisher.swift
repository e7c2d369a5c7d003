import Crypto
import Foundation
import Registry

/// Pushes small but real OCI images to a registry: a config blob, a tar layer and a manifest,
/// or a multi-arch index of several; and cosign signatures of them. What the demo and the tests
/// publish, as a CI pipeline would with `docker push` and `cosign sign --key`.
public struct ImagePublisher: Sendable {
    public let client: RegistryClient
    public let credentials: RegistryCredentials?

    public init(client: RegistryClient, credentials: RegistryCredentials? = nil) {
        self.client = client
        self.credentials = credentials
    }

    /// Pushes an image for one platform whose single layer holds `content` in `/release`, tags it
    /// `image.tag` and returns its digest. Different content gives a different digest.
    @discardableResult
    public func pushImage(_ image: ImageReference, content: String, platform: String = "linux/amd64") async throws -> ImageDigest {
        let manifest = try await pushManifestOnly(image, content: content, platform: platform)
        return try await client.pushManifest(manifest.bytes, mediaType: MediaType.ociManifest, to: image,
                                             reference: image.tag ?? manifest.digest.rawValue, credentials: credentials)
    }

    /// Pushes one image per platform and an index of them under `image.tag`; returns the index's digest.
    @discardableResult
    public func pushIndex(_ image: ImageReference, content: String, platforms: [String] = ["linux/amd64", "linux/arm64"]) async throws -> ImageDigest {
        var entries: [Descriptor] = []
        for platform in platforms {
            let manifest = try await pushManifestOnly(image, content: content + " " + platform, platform: platform)
            try await client.pushManifest(manifest.bytes, mediaType: MediaType.ociManifest, to: image, reference: manifest.digest.rawValue, credentials: credentials)
            entries.append(Descriptor(mediaType: MediaType.ociManifest, digest: manifest.digest, size: manifest.bytes.count, platform: platform))
        }
        let index = Manifest.indexBytes(manifests: entries)
        return try await client.pushManifest(index, mediaType: MediaType.ociIndex, to: image, reference: image.tag ?? ImageDigest(of: index).rawValue,
                                             credentials: credentials)
    }

    private func pushManifestOnly(_ image: ImageReference, content: String, platform: String) async throws -> (bytes: [UInt8], digest: ImageDigest) {
        let layerBytes = Tar.archive(name: "release", contents: Array(content.utf8))
        let layer = try await client.pushBlob(layerBytes, mediaType: "application/vnd.oci.image.layer.v1.tar", to: image, credentials: credentials)
        let parts = platform.split(separator: "/").map(String.init)
        let configText = #"{"architecture":"\#(parts.count > 1 ? parts[1] : "amd64")","os":"\#(parts[0])","rootfs":{"type":"layers","diff_ids":["\#(layer.digest.rawValue)"]},"config":{}}"#
        let config = try await client.pushBlob(Array(configText.utf8), mediaType: MediaType.ociConfig, to: image, credentials: credentials)
        let bytes = Manifest.imageManifestBytes(config: config, layers: [layer])
        return (bytes, ImageDigest(of: bytes))
    }

    /// How a signature is made: correctly, or wrongly in one of the ways verification must catch.
    public enum Signing: Sendable {
        case valid
        /// The payload names another digest (a signature copied from another image).
        case forDigest(ImageDigest)
        /// The payload is changed after signing (the signature stays).
        case tamperedPayload
    }

    /// Signs `digest` of `image` with `key` in cosign's layout: `REPO:sha256-<hex>.sig`, one
    /// simple-signing layer with the DER signature in its annotation.
    public func sign(_ image: ImageReference, digest: ImageDigest, key: P256.Signing.PrivateKey, signing: Signing = .valid) async throws {
        let signedDigest: ImageDigest
        if case .forDigest(let other) = signing { signedDigest = other } else { signedDigest = digest }
        let payload = SignatureVerifier.payload(for: image, digest: signedDigest)
        let signature = try key.signature(for: payload).derRepresentation.base64EncodedString()
        var stored = payload
        if case .tamperedPayload = signing {
            stored = Array(String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "cosign container image signature", with: "cosign container image signature ").utf8)
        }
        var layer = try await client.pushBlob(stored, mediaType: MediaType.cosignSimpleSigning, to: image, credentials: credentials)
        layer.annotations = [SignatureVerifier.signatureAnnotation: signature]
        let config = try await client.pushBlob(Array("{}".utf8), mediaType: MediaType.ociConfig, to: image, credentials: credentials)
        let manifest = Manifest.imageManifestBytes(config: config, layers: [layer])
        try await client.pushManifest(manifest, mediaType: MediaType.ociManifest, to: image, reference: digest.cosignSignatureTag, credentials: credentials)
    }
}

/// A ustar archive holding one regular file: a real layer, small enough to push in a test.
enum Tar {
    static func archive(name: String, contents: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", contents.count), at: 124)
        put("00000000000", at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", checksum), at: 148)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        let padding = (512 - contents.count % 512) % 512
        return header + contents + [UInt8](repeating: 0, count: padding + 1024)
    }
}
