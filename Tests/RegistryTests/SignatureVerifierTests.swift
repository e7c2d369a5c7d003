import Crypto
import Foundation
@testable import Registry
import RegistryProcess
import Testing

@Suite("cosign key-based signatures against a real registry")
struct SignatureVerifierTests {
    let key = P256.Signing.PrivateKey()
    let otherKey = P256.Signing.PrivateKey()

    @Test("an image signed by a configured key verifies; unsigned, another key's, another digest's and a tampered payload are refused with the reason")
    func verification() async throws {
        try await withBasicAuthRegistry { server, client, credentials in
            let publisher = ImagePublisher(client: client, credentials: credentials)
            let verifier = try SignatureVerifier(publicKeysPEM: [otherKey.publicKey.pemRepresentation, key.publicKey.pemRepresentation])
            let onlyOther = try SignatureVerifier(publicKeysPEM: [otherKey.publicKey.pemRepresentation])

            let signed = server.image("shop/web", tag: "signed")
            let signedDigest = try await publisher.pushImage(signed, content: "signed")
            try await publisher.sign(signed, digest: signedDigest, key: key)
            try await verifier.verify(signed, digest: signedDigest, client: client, credentials: credentials)

            let byOther = await #expect(throws: SignatureError.self) {
                try await onlyOther.verify(signed, digest: signedDigest, client: client, credentials: credentials)
            }
            #expect(byOther?.description.contains("does not verify with any configured key") == true)

            let unsigned = server.image("shop/web", tag: "unsigned")
            let unsignedDigest = try await publisher.pushImage(unsigned, content: "unsigned")
            let none = await #expect(throws: SignatureError.self) {
                try await verifier.verify(unsigned, digest: unsignedDigest, client: client, credentials: credentials)
            }
            #expect(none == .unsigned(image: unsigned.pinned(to: unsignedDigest).description, signatureTag: unsignedDigest.cosignSignatureTag))

            let copied = server.image("shop/web", tag: "copied")
            let copiedDigest = try await publisher.pushImage(copied, content: "copied")
            try await publisher.sign(copied, digest: copiedDigest, key: key, signing: .forDigest(signedDigest))
            let wrongDigest = await #expect(throws: SignatureError.self) {
                try await verifier.verify(copied, digest: copiedDigest, client: client, credentials: credentials)
            }
            #expect(wrongDigest?.description.contains("is for digest \(signedDigest.rawValue)") == true)

            let tampered = server.image("shop/web", tag: "tampered")
            let tamperedDigest = try await publisher.pushImage(tampered, content: "tampered")
            try await publisher.sign(tampered, digest: tamperedDigest, key: key, signing: .tamperedPayload)
            let changed = await #expect(throws: SignatureError.self) {
                try await verifier.verify(tampered, digest: tamperedDigest, client: client, credentials: credentials)
            }
            #expect(changed?.description.contains("does not verify") == true)
        }
    }

    @Test("blobs redirected to storage on another host are fetched there without the registry's credentials, and a signature still verifies")
    func redirectedBlobs() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("registry-redirect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let pki = try RegistryPKI()
        let storage = try await BlobStorage.start(root: parent, pki: pki)
        let credentials = RegistryCredentials(username: "ci", password: UUID().uuidString)
        let server: RegistryServer
        do {
            server = try await RegistryServer.start(authentication: .htpasswd(user: credentials.username, password: credentials.password), pki: pki,
                                                    in: parent, blobsRedirectTo: storage.baseURL)
        } catch {
            await storage.stop()
            throw error
        }
        let client = try RegistryClient(caBundlePEM: server.caCertificatePEM)
        defer { client.shutdown() }
        do {
            let image = server.image("shop/web", tag: "signed")
            let publisher = ImagePublisher(client: client, credentials: credentials)
            let digest = try await publisher.pushImage(image, content: "redirected")
            try await publisher.sign(image, digest: digest, key: key)
            let layer = try #require(try await client.manifest(image, credentials: credentials).layers.first)
            let bytes = try await client.blob(layer.digest, of: image, credentials: credentials)
            #expect(ImageDigest(of: bytes) == layer.digest)
            let verifier = try SignatureVerifier(publicKeysPEM: [key.publicKey.pemRepresentation])
            try await verifier.verify(image, digest: digest, client: client, credentials: credentials)
            // Both the layer and the signature payload came from the storage, without credentials.
            let served = storage.requests
            #expect(served.contains { $0.hasPrefix("anonymous ") && $0.contains(layer.digest.hex) }, "\(served)")
            #expect(served.count >= 2, "\(served)")
            #expect(!served.contains { $0.hasPrefix("authorized ") }, "credentials went to blob storage: \(served)")
        } catch {
            await server.stop()
            await storage.stop()
            throw error
        }
        await server.stop()
        await storage.stop()
    }

    @Test("a payload for another repository is refused even with a valid signature")
    func otherRepository() async throws {
        let digest = ImageDigest(of: Array("x".utf8))
        let image = ImageReference(registry: "registry.example.com", repository: "shop/web", tag: "1")
        let other = ImageReference(registry: "registry.example.com", repository: "shop/api", tag: "1")
        let payload = SignatureVerifier.payload(for: other, digest: digest)
        #expect(SignatureVerifier.payloadProblem(payload, image: image, digest: digest)?.contains("repository registry.example.com/shop/api") == true)
        #expect(SignatureVerifier.payloadProblem(SignatureVerifier.payload(for: image, digest: digest), image: image, digest: digest) == nil)
    }

    @Test("a key that is not PEM ECDSA P-256 is named by its index")
    func invalidKey() {
        #expect(throws: SignatureError.invalidKey(index: 1)) {
            try SignatureVerifier(publicKeysPEM: [key.publicKey.pemRepresentation, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"])
        }
        #expect(SignatureVerifier.keyProblem("nonsense") != nil)
        #expect(SignatureVerifier.keyProblem(key.publicKey.pemRepresentation) == nil)
    }
}
