import Foundation

/// The files a pod's service account is mounted as. Injectable so that tests can use a
/// temporary directory.
/// See https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/#directly-accessing-the-rest-api
public struct ServiceAccountPaths: Sendable, Equatable {
    public var token: String
    public var certificateAuthority: String
    public var namespace: String

    public init(directory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
        token = (directory as NSString).appendingPathComponent("token")
        certificateAuthority = (directory as NSString).appendingPathComponent("ca.crt")
        namespace = (directory as NSString).appendingPathComponent("namespace")
    }
}

extension ClusterConfiguration {
    /// The configuration of a pod: the API at KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT,
    /// trusted through the mounted ca.crt, authenticated with the mounted token (re-read as the
    /// kubelet rotates it), in the pod's namespace.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 paths: ServiceAccountPaths = ServiceAccountPaths()) throws(KubeError) -> ClusterConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .configuration(.init("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set; outside a cluster use a kubeconfig"))
        }
        guard Int(port) != nil else {
            throw .configuration(.init("KUBERNETES_SERVICE_PORT is \"\(port)\", not a port number"))
        }
        // An IPv6 address goes in brackets in a URL.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let ca: [UInt8]
        do {
            ca = [UInt8](try Data(contentsOf: URL(fileURLWithPath: paths.certificateAuthority)))
        } catch {
            throw .configuration(.init("cannot read the service account CA (\(error.localizedDescription)); is a service account token mounted (automountServiceAccountToken)?", file: paths.certificateAuthority))
        }
        let tokenFile = TokenFile(path: paths.token)
        _ = try tokenFile.token()  // fail now, not on the first request, when it is missing
        var namespace = "default"
        if let data = try? Data(contentsOf: URL(fileURLWithPath: paths.namespace)) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        return ClusterConfiguration(server: "https://\(hostPart):\(port)", namespace: namespace,
                                    tls: TLSSettings(certificateAuthorityPEM: ca), credentials: .tokenFile(tokenFile),
                                    source: "in-cluster service account")
    }
}
