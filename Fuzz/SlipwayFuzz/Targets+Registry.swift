import Crypto
import JSON
import Registry

extension FuzzTargets {
    /// A registry is reached over the network and may be hostile or broken: its manifests, its
    /// `WWW-Authenticate` challenges and the Docker config a Secret holds are read from bytes
    /// the controller does not control, and so is every image reference a request names.
    static let registry: [FuzzTarget] = [
        FuzzTarget(name: "registry-manifest", input: "a Content-Type line, a NUL byte, then a manifest or index body") { bytes in
            let (head, body) = splitAtNUL(bytes)
            let contentType = head.isEmpty ? nil : String(decoding: head, as: UTF8.self)
            guard let manifest = try? Manifest(bytes: Array(body), contentType: contentType) else { return }
            // The digest is the body's own: what the controller pins must be what it read.
            let hex = SHA256.hash(data: Array(body)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            require(manifest.digest.rawValue == "sha256:" + hex, "the manifest digest is not the body's SHA-256")
            require(manifest.isIndex ? manifest.config == nil && manifest.layers.isEmpty : manifest.manifests.isEmpty,
                    "an index has a config or layers, or an image manifest has entries")
        },
        FuzzTarget(name: "registry-text", input: "a selector byte, then a WWW-Authenticate value, an image reference or a Docker config") { bytes in
            guard let selector = bytes.first else { return }
            let rest = Array(bytes.dropFirst())
            let text = String(decoding: rest, as: UTF8.self)
            switch selector % 3 {
            case 0:
                // Parameter names come out lowercased, so that lookups by name cannot be dodged by case.
                for challenge in AuthenticationChallenge.parse(text) {
                    require(!challenge.scheme.isEmpty, "a challenge without a scheme")
                    require(challenge.parameters.keys.allSatisfy { $0 == $0.lowercased() }, "a parameter name is not lowercased")
                }
            case 1:
                // A reference that parses prints as text that parses to the same reference.
                guard let reference = try? ImageReference(parsing: text) else { return }
                let again = try? ImageReference(parsing: reference.description)
                require(again?.description == reference.description && again?.digest == reference.digest,
                        "\(reference) does not read back as itself")
            default:
                // No error text holds a password the config carries.
                let passwords = (try? JSONValue(parsing: rest))?["auths"]?.objectValue?.values.compactMap { $0["password"]?.stringValue }
                    .filter { $0.utf8.count >= 6 } ?? []
                do {
                    _ = try RegistryCredentials.from(dockerConfigJSON: rest, registry: "registry.example.com")
                } catch {
                    let text = "\(error)"
                    require(!passwords.contains { text.contains($0) }, "an error text holds a password")
                }
            }
        },
    ]
}
