import Crypto
import Foundation
import HTTP
import Registry
import RegistryProcess
import Testing

@Suite("OCI distribution client against a real registry")
struct RegistryClientTests {
    @Test("a pushed tag resolves to the digest of its manifest, by HEAD and by GET")
    func resolvesPushedTag() async throws {
        try await withBasicAuthRegistry { server, client, credentials in
            let image = server.image("shop/web", tag: "1.4.2")
            let publisher = ImagePublisher(client: client, credentials: credentials)
            let digest = try await publisher.pushImage(image, content: "web 1.4.2")
            let resolved = try await client.resolve(image, credentials: credentials)
            #expect(resolved.digest == digest)
            #expect(resolved.mediaType == MediaType.ociManifest)
            #expect(resolved.pinned.description == "\(server.host)/shop/web@\(digest.rawValue)")
            let manifest = try await client.manifest(resolved.pinned, credentials: credentials)
            #expect(manifest.digest == digest)
            #expect(manifest.layers.count == 1)
            // The same tag pushed again with other content moves; the old digest still resolves.
            let second = try await publisher.pushImage(image, content: "web 1.4.2 rebuilt")
            #expect(second != digest)
            #expect(try await client.resolve(image, credentials: credentials).digest == second)
            #expect(try await client.resolve(resolved.pinned, credentials: credentials).digest == digest)
        }
    }

    @Test("a multi-arch index resolves to the index's digest and lists its platforms")
    func resolvesIndex() async throws {
        try await withBasicAuthRegistry { server, client, credentials in
            let image = server.image("shop/web", tag: "multi")
            let digest = try await ImagePublisher(client: client, credentials: credentials).pushIndex(image, content: "multi")
            let resolved = try await client.resolve(image, credentials: credentials)
            #expect(resolved.digest == digest)
            #expect(resolved.mediaType == MediaType.ociIndex)
            #expect(resolved.platforms == ["linux/amd64", "linux/arm64"])
        }
    }

    @Test("a missing tag is not found, naming the image and the registry's answer; so is a missing repository")
    func missingTag() async throws {
        try await withBasicAuthRegistry { server, client, credentials in
            try await ImagePublisher(client: client, credentials: credentials).pushImage(server.image("shop/web", tag: "1.0"), content: "1.0")
            let missing = server.image("shop/web", tag: "never-pushed")
            let error = await #expect(throws: RegistryError.self) { try await client.resolve(missing, credentials: credentials) }
            guard case .notFound = error else { Issue.record("expected notFound, got \(String(describing: error))"); return }
            #expect(error?.isTransient == false)
            let message = error?.description ?? ""
            #expect(message.contains("\(server.host)/shop/web:never-pushed"))
            #expect(message.contains("MANIFEST_UNKNOWN"))
            // distribution 2.8 answers MANIFEST_UNKNOWN for a repository it has never seen, too.
            let noRepository = await #expect(throws: RegistryError.self) { try await client.resolve(server.image("shop/nothing", tag: "1"), credentials: credentials) }
            guard case .notFound = noRepository else { Issue.record("expected notFound, got \(String(describing: noRepository))"); return }
            #expect(noRepository?.description.contains("\(server.host)/shop/nothing:1") == true)
        }
    }

    @Test("without credentials, or with a wrong password, the answer says to set or renew the pull secret and shows no password")
    func basicAuthRefused() async throws {
        try await withBasicAuthRegistry { server, client, credentials in
            let image = server.image("shop/web", tag: "1.0")
            try await ImagePublisher(client: client, credentials: credentials).pushImage(image, content: "1.0")
            let anonymous = await #expect(throws: RegistryError.self) { try await client.resolve(image) }
            #expect(anonymous?.description.contains("set imagePolicy.registry.pullSecret") == true)
            let wrong = RegistryCredentials(username: "ci", password: "not-the-password-\(UUID().uuidString)")
            let refused = await #expect(throws: RegistryError.self) { try await client.resolve(image, credentials: wrong) }
            guard case .unauthorized(_, _, _, let hadCredentials) = refused else { Issue.record("expected unauthorized, got \(String(describing: refused))"); return }
            #expect(hadCredentials)
            #expect(refused?.description.contains(wrong.password) == false)
            #expect(refused?.description.contains("renew") == true)
        }
    }

    @Test("a registry whose certificate is not from a trusted CA is refused; one that is down is unreachable and worth retrying")
    func tlsAndDown() async throws {
        try await withBasicAuthRegistry { server, _, credentials in
            let image = server.image("shop/web", tag: "1.0")
            let untrusting = try RegistryClient()
            defer { untrusting.shutdown() }
            let tls = await #expect(throws: RegistryError.self) { try await untrusting.resolve(image, credentials: credentials) }
            guard case .unreachable = tls else { Issue.record("expected unreachable, got \(String(describing: tls))"); return }
            #expect(tls?.description.contains("caBundle") == true)

            await server.halt()
            let client = try RegistryClient(caBundlePEM: server.caCertificatePEM)
            defer { client.shutdown() }
            let down = await #expect(throws: RegistryError.self) { try await client.resolve(image, credentials: credentials) }
            #expect(down?.isTransient == true)
            #expect(down?.description.contains("cannot be reached") == true)
        }
    }

    @Test("behind a token service: the Bearer challenge is followed with the pull secret's credentials, and the token is reused")
    func tokenFlow() async throws {
        let credentials = RegistryCredentials(username: "robot", password: UUID().uuidString)
        let tokens = try await TokenService.start(credentials: credentials)
        let server = try await RegistryServer.start(authentication: .token(realm: tokens.realm, signer: tokens.signer))
        let client = try RegistryClient(caBundlePEM: server.caCertificatePEM)
        defer { client.shutdown() }
        do {
            let image = server.image("shop/web", tag: "2.0")
            let digest = try await ImagePublisher(client: client, credentials: credentials).pushImage(image, content: "2.0")
            let issuedAfterPush = tokens.tokensIssued
            #expect(issuedAfterPush >= 1)
            #expect(try await client.resolve(image, credentials: credentials).digest == digest)
            #expect(try await client.resolve(image, credentials: credentials).digest == digest)
            // Pull and push are separate scopes: one more token for pull, then none.
            #expect(tokens.tokensIssued == issuedAfterPush + 1)

            let anonymous = await #expect(throws: RegistryError.self) { try await client.resolve(image) }
            #expect(anonymous?.description.contains("set imagePolicy.registry.pullSecret") == true)
            let wrong = RegistryCredentials(username: "robot", password: "wrong")
            let refused = await #expect(throws: RegistryError.self) { try await client.resolve(image, credentials: wrong) }
            #expect(refused?.description.contains("token service") == true)
            #expect(refused?.description.contains("renew") == true)
        } catch {
            await server.stop()
            await tokens.stop()
            throw error
        }
        await server.stop()
        await tokens.stop()
    }
}
