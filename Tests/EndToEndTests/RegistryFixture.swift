import Crypto
import Foundation
import Registry
import RegistryProcess

/// The blue/green fixture with its images in a real registry (TLS from a throwaway CA, htpasswd
/// basic auth) and a target whose imagePolicy asks for them there.
struct RegistryFixture {
    let server: RegistryServer
    let client: RegistryClient
    let credentials: RegistryCredentials
    let publisher: ImagePublisher

    var repository: String { "\(server.host)/shop/app" }
    var firstImage: String { "\(repository):1.0.0" }

    func image(_ tag: String) -> String { "\(repository):\(tag)" }
    func reference(_ tag: String) -> ImageReference { ImageReference(registry: server.host, repository: "shop/app", tag: tag) }

    /// Pushes `tag` (content unique to `content`) and returns its digest.
    @discardableResult
    func push(_ tag: String, content: String? = nil) async throws -> ImageDigest {
        try await publisher.pushImage(reference(tag), content: content ?? "app \(tag)")
    }

    /// Starts a registry, pushes the first image, runs `body` and stops the registry.
    static func with(_ body: (RegistryFixture) async throws -> Void) async throws {
        let credentials = RegistryCredentials(username: "ci", password: UUID().uuidString)
        let server = try await RegistryServer.start(authentication: .htpasswd(user: credentials.username, password: credentials.password))
        let client = try RegistryClient(caBundlePEM: server.caCertificatePEM)
        let fixture = RegistryFixture(server: server, client: client, credentials: credentials,
                                      publisher: ImagePublisher(client: client, credentials: credentials))
        do {
            try await fixture.push("1.0.0")
            try await body(fixture)
        } catch {
            client.shutdown()
            await server.stop()
            throw error
        }
        client.shutdown()
        await server.stop()
    }

    /// `Fixture.application` on this registry's images, with a pull secret and an imagePolicy.
    func application(pinDigest: Bool = true, publicKeys: [String] = [], progressDeadlineSeconds: Int = 60) -> String {
        var yaml = Fixture.application(progressDeadlineSeconds: progressDeadlineSeconds)
            .replacingOccurrences(of: "imageRepository: \(Fixture.repository)", with: "imageRepository: \(repository)")
            .replacingOccurrences(of: "image: \(Fixture.firstImage)", with: "image: \(firstImage)")
        func block(_ text: String, indent: Int) -> String {
            text.split(separator: "\n").map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n")
        }
        yaml += """

          imagePolicy:
            requireInRegistry: true
            pinDigest: \(pinDigest)
            registry:
              pullSecret: regcred
              caBundle: |
        \(block(server.caCertificatePEM, indent: 8))
        """
        if !publicKeys.isEmpty {
            yaml += "\n    signatures:\n      publicKeys:\n"
            yaml += publicKeys.map { "        - |\n" + block($0, indent: 10) }.joined(separator: "\n")
        }
        let auth = Data((credentials.username + ":" + credentials.password).utf8).base64EncodedString()
        let dockerConfig = #"{"auths":{"\#(server.host)":{"auth":"\#(auth)"}}}"#
        return yaml + """

        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: regcred
          namespace: \(Fixture.namespace)
        type: kubernetes.io/dockerconfigjson
        data:
          .dockerconfigjson: \(Data(dockerConfig.utf8).base64EncodedString())
        """
    }
}
