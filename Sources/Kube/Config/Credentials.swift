import Foundation

/// How requests prove who they are. Descriptions and mirrors never show the secrets, so a
/// configuration can be logged or printed safely.
public enum Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    case none
    case bearerToken(String)
    /// A token re-read from a file as it rotates.
    case tokenFile(TokenFile)
    case basic(username: String, password: String)
    /// A token or client certificate from an exec credential plugin.
    case exec(ExecCredentialProvider)

    public var description: String {
        switch self {
        case .none: return "none"
        case .bearerToken: return "bearer token <redacted>"
        case .tokenFile(let file): return "bearer token from \(file.path)"
        case .basic(let username, _): return "basic auth as \(username) <password redacted>"
        case .exec(let provider): return "exec plugin \(provider.config.command)"
        }
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// Everything a `KubeClient` needs to reach one cluster: where, how to trust it, who we are,
/// and the default namespace. Made from a kubeconfig, from the in-cluster service account, or
/// by hand.
public struct ClusterConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The API server's base URL: `https://10.0.0.1:443` (a path prefix is allowed).
    public var server: String
    /// The namespace used when a call gives none.
    public var namespace: String
    public var tls: TLSSettings
    public var proxy: String?
    public var credentials: Credentials
    /// Where the configuration came from (a kubeconfig path and context, or "in-cluster"),
    /// for messages.
    public var source: String

    public init(server: String, namespace: String = "default", tls: TLSSettings = TLSSettings(), proxy: String? = nil,
                credentials: Credentials = .none, source: String = "explicit configuration") {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.proxy = proxy
        self.credentials = credentials
        self.source = source
    }

    public var description: String {
        "ClusterConfiguration(server: \(server), namespace: \(namespace), tls: \(tls), credentials: \(credentials), source: \(source))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }

    /// Kubeconfig first (KUBECONFIG or ~/.kube/config), then the in-cluster service account,
    /// the order kube-rs and client-go use.
    public static func infer(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeError) -> ClusterConfiguration {
        let paths = KubeConfig.defaultPaths(environment: environment)
        if paths.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            return try kubeconfig(paths: paths)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment)
        }
        throw .configuration(.init("no kubeconfig found (\(paths.joined(separator: ", "))) and not running in a cluster (KUBERNETES_SERVICE_HOST is unset); set KUBECONFIG"))
    }

    /// From kubeconfig files, using `context` or else the `current-context`.
    public static func kubeconfig(paths: [String]? = nil, context: String? = nil) throws(KubeError) -> ClusterConfiguration {
        let config = try KubeConfig.load(paths: paths ?? KubeConfig.defaultPaths())
        return try config.clusterConfiguration(context: context)
    }
}

/// TLS material in memory (read from kubeconfig files or inline data), handed to libcurl as blobs.
public struct TLSSettings: Sendable, CustomStringConvertible, CustomReflectable {
    public var certificateAuthorityPEM: [UInt8]?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipVerify: Bool
    public var serverName: String?

    public init(certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
                insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }

    public var description: String {
        var parts: [String] = []
        if certificateAuthorityPEM != nil { parts.append("custom CA") }
        if clientCertificatePEM != nil { parts.append("client certificate") }
        if clientKeyPEM != nil { parts.append("client key <redacted>") }
        if insecureSkipVerify { parts.append("verification OFF") }
        if let serverName { parts.append("server name \(serverName)") }
        return "TLSSettings(\(parts.joined(separator: ", ")))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
