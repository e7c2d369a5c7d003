import Foundation
import JSON
import Kube
import Registry

/// Where the checker finds a target's pull secret: the controller asks the API server for the
/// one Secret a target names, the bot the same. Returns the `.dockerconfigjson` bytes, or nil
/// when the Secret does not exist.
public protocol PullSecretSource: Sendable {
    func dockerConfigJSON(namespace: String, name: String) async throws -> [UInt8]?
}

/// The outcome of checking one image against a target's `imagePolicy`.
public enum ImageCheck: Sendable, Equatable {
    /// The image may run. `image` is what workloads get: the digest reference with `pinDigest`,
    /// else the image as asked for. `digest` is what the tag resolved to.
    case accepted(image: String, digest: ImageDigest?, signedBy: String?)
    /// The image must not run, and asking again will not change that (not in the registry,
    /// credentials refused, unsigned, wrongly signed). The message names the image and the reason.
    case refused(String)
    /// The registry does not have the image (yet): a special case of `refused`, worded by the
    /// bot as "is CI still building it?".
    case notInRegistry(String)
    /// The registry could not be asked (unreachable, overloaded, failing): try again later.
    case unavailable(String)

    public var isAccepted: Bool { if case .accepted = self { return true } else { return false } }
}

/// Checks images against `imagePolicy` with the OCI client: resolves the tag (with the pull
/// secret's credentials), verifies cosign signatures of the digest, and says what a workload
/// should run. One checker serves the whole process: it keeps one registry client per CA bundle,
/// so connections and tokens are reused across requests.
public actor ImagePolicyChecker {
    private var clients: [String: RegistryClient] = [:]
    private let timeout: Duration

    public init(timeout: Duration = .seconds(10)) {
        self.timeout = timeout
    }

    /// Checks `image` for a target in `namespace` with `policy`. A policy that asks nothing of
    /// the registry accepts the image as it is, without a request.
    public func check(_ image: String, policy: ImagePolicy?, namespace: String, secrets: any PullSecretSource) async -> ImageCheck {
        guard let policy, policy.effectiveRequireInRegistry else { return .accepted(image: image, digest: nil, signedBy: nil) }
        let reference: Registry.ImageReference
        do throws(RegistryError) { reference = try Registry.ImageReference(parsing: image) } catch { return .refused(error.description) }

        var credentials: RegistryCredentials?
        if let secretName = policy.registry?.pullSecret {
            let bytes: [UInt8]?
            do { bytes = try await secrets.dockerConfigJSON(namespace: namespace, name: secretName) } catch let problem as PullSecretProblem {
                return .refused("imagePolicy.registry.pullSecret: \(problem.description)")
            } catch {
                return .unavailable("the pull secret \(namespace)/\(secretName) cannot be read: \(error)")
            }
            guard let bytes else {
                return .refused("imagePolicy.registry.pullSecret: Secret \(namespace)/\(secretName) does not exist; create it with kubectl create secret docker-registry \(secretName)")
            }
            do throws(RegistryError) { credentials = try RegistryCredentials.from(dockerConfigJSON: bytes, registry: reference.registry) } catch {
                return .refused("imagePolicy.registry.pullSecret: Secret \(namespace)/\(secretName): \(error.description)")
            }
        }

        let client: RegistryClient
        do throws(RegistryError) { client = try self.client(caBundle: policy.registry?.caBundle) } catch { return .unavailable(error.description) }
        let resolved: ResolvedImage
        do throws(RegistryError) { resolved = try await client.resolve(reference, credentials: credentials) } catch {
            if case .notFound = error { return .notInRegistry(error.description) }
            return error.isTransient ? .unavailable(error.description) : .refused(error.description)
        }

        var signedBy: String?
        if let keys = policy.signatures?.publicKeys, !keys.isEmpty {
            do {
                let verifier = try SignatureVerifier(publicKeysPEM: keys)
                signedBy = try await verifier.verify(reference, digest: resolved.digest, client: client, credentials: credentials)
            } catch let error as RegistryError {
                let message = "\(image): the signature cannot be checked: \(error.description)"
                return error.isTransient ? .unavailable(message) : .refused(message)
            } catch {
                return .refused("\(error)")
            }
        }
        let runs = policy.effectivePinDigest ? Self.pinned(image, to: resolved.digest) : image
        return .accepted(image: runs, digest: resolved.digest, signedBy: signedBy)
    }

    /// `image` as written, its tag replaced by `@digest` (an image that names a digest already stays as it is).
    public static func pinned(_ image: String, to digest: ImageDigest) -> String {
        if image.contains("@") { return image }
        var name = Substring(image)
        if let colon = name.lastIndex(of: ":"), !name[name.index(after: colon)...].contains("/") { name = name[..<colon] }
        return name + "@" + digest.rawValue
    }

    private func client(caBundle: String?) throws(RegistryError) -> RegistryClient {
        let key = caBundle ?? ""
        if let client = clients[key] { return client }
        let client = try RegistryClient(caBundlePEM: caBundle, timeout: timeout)
        clients[key] = client
        return client
    }

    /// Ends every registry client's transfers.
    public func shutdown() {
        for client in clients.values { client.shutdown() }
        clients = [:]
    }
}

/// Short forms for messages and tables.
public enum ImageText {
    /// `REPO@sha256:0123456789ab` for a digest reference, the image unchanged otherwise.
    public static func short(_ image: String) -> String {
        guard let at = image.firstIndex(of: "@"), let digest = ImageDigest(String(image[image.index(after: at)...])) else { return image }
        return image[..<at] + "@" + digest.short
    }

    /// The repository part of a digest reference (`REPO@sha256:…` → `REPO`).
    public static func withoutDigest(_ image: String) -> String {
        image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
    }

    /// What a table shows in its IMAGE column: the image as asked for, and with a digest from
    /// the registry, `@` and its short form (`shop/web:1.4.2@sha256:0123456789ab`).
    public static func withDigest(_ image: String?, status: DeploymentRequestStatus?) -> String? {
        guard let digest = status?.releaseDigest.flatMap(ImageDigest.init) else { return image.map(short) }
        let shown = status?.requestedImage ?? image.map(withoutDigest) ?? status?.releaseImage.map(withoutDigest) ?? "?"
        return shown.contains("@") ? short(shown) : shown + "@" + digest.short
    }
}

/// A pull secret that exists but cannot be used: not readable under the RBAC in force, of
/// another type, or without `.dockerconfigjson`. Final: asking again will not change it.
public struct PullSecretProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A `PullSecretSource` that asks the API server for the one Secret named, and nothing else:
/// the controller's RBAC may then grant `get` on exactly the pull secrets targets name.
public struct KubePullSecretSource: PullSecretSource {
    public let client: KubeClient

    public init(client: KubeClient) { self.client = client }

    public func dockerConfigJSON(namespace: String, name: String) async throws -> [UInt8]? {
        let secret: DynamicObject
        do {
            secret = try await client.get(.secrets, name: name, namespace: namespace)
        } catch {
            if error.isNotFound { return nil }
            if error.isForbidden {
                throw PullSecretProblem("the controller may not read Secret \(namespace)/\(name); grant its ServiceAccount get on that Secret (the chart's registryPullSecrets renders that Role)")
            }
            throw error
        }
        guard secret["type"]?.stringValue == "kubernetes.io/dockerconfigjson" else {
            throw PullSecretProblem("Secret \(namespace)/\(name) is of type \(secret["type"]?.stringValue ?? "Opaque"), not kubernetes.io/dockerconfigjson; create it with kubectl create secret docker-registry")
        }
        guard let encoded = secret["data"]?[".dockerconfigjson"]?.stringValue, let bytes = Data(base64Encoded: encoded) else {
            throw PullSecretProblem("Secret \(namespace)/\(name) has no .dockerconfigjson key")
        }
        return Array(bytes)
    }
}
