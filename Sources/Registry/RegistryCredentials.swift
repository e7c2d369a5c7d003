import Foundation
import JSON

/// A user name and password (or token) for one registry, as a `kubernetes.io/dockerconfigjson`
/// Secret holds them. Never printed: `description` hides the password.
public struct RegistryCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization: Basic` value.
    public var basicAuthorization: String {
        "Basic " + Data((username + ":" + password).utf8).base64EncodedString()
    }

    public var description: String { "credentials of \(username)" }

    /// The credentials a Docker config file (the `.dockerconfigjson` key of a Secret) holds for
    /// `registry`, or nil when it names that registry nowhere. Keys may be `host`, `host:port`,
    /// `https://host/v1/` (Docker Hub's historic form) or a URL with a path; entries hold either
    /// `auth` (base64 of `user:password`) or `username` and `password`.
    /// https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets
    public static func from(dockerConfigJSON bytes: [UInt8], registry: String) throws(RegistryError) -> RegistryCredentials? {
        let document: JSONValue
        do { document = try JSONValue(parsing: bytes) } catch {
            throw .invalidCredentials(reason: ".dockerconfigjson is not JSON; create the Secret with kubectl create secret docker-registry")
        }
        guard let auths = document["auths"]?.objectValue else {
            throw .invalidCredentials(reason: ".dockerconfigjson has no \"auths\" object; create the Secret with kubectl create secret docker-registry")
        }
        let wanted = Self.hostKey(registry)
        let dockerHub = ["docker.io", "index.docker.io", "registry-1.docker.io"]
        for (key, entry) in auths {
            let host = Self.hostKey(key)
            guard host == wanted || (dockerHub.contains(host) && dockerHub.contains(wanted)) else { continue }
            if let username = entry["username"]?.stringValue, let password = entry["password"]?.stringValue, !username.isEmpty {
                return RegistryCredentials(username: username, password: password)
            }
            guard let auth = entry["auth"]?.stringValue, let decoded = Data(base64Encoded: auth),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
                throw .invalidCredentials(reason: "the entry for \(key) holds neither username and password nor auth as base64 of user:password")
            }
            return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        return nil
    }

    /// `https://Host:5000/v1/` → `host:5000`.
    static func hostKey(_ key: String) -> String {
        var text = Substring(key)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        return text.lowercased()
    }
}
