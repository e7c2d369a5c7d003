import Foundation
import JSON

extension KubeConfig {
    /// The names of all contexts, for messages and for `slipway` commands that list them.
    public var contextNames: [String] { Array(contexts.keys) }

    /// Resolves one context into what a client needs: reads the certificate and key files,
    /// decodes the inline data, and picks the credentials.
    public func clusterConfiguration(context requested: String? = nil) throws(KubeError) -> ClusterConfiguration {
        let files = self.files.joined(separator: ", ")
        guard let contextName = requested ?? currentContext else {
            throw .configuration(.init("no current-context is set and no context was chosen; pick one of [\(contextNames.joined(separator: ", "))] or run `kubectl config use-context NAME`", file: files))
        }
        guard let context = contexts[contextName] else {
            throw .configuration(.init("context \"\(contextName)\" is not defined; known contexts: [\(contextNames.joined(separator: ", "))]", file: files, field: "contexts"))
        }
        guard let clusterEntry = clusters[context.value.cluster] else {
            throw .configuration(.init("context \"\(contextName)\" names cluster \"\(context.value.cluster)\", which is not defined", file: context.file, field: "contexts[\(contextName)].context.cluster"))
        }
        let cluster = clusterEntry.value
        let clusterField = "clusters[\(context.value.cluster)].cluster"
        guard let server = cluster.server, !server.isEmpty else {
            throw .configuration(.init("cluster \"\(context.value.cluster)\" has no server; set it to the API server's URL (https://HOST:PORT)", file: clusterEntry.file, field: "\(clusterField).server"))
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw .configuration(.init("server \"\(server)\" is not an http(s) URL", file: clusterEntry.file, field: "\(clusterField).server"))
        }

        var tls = TLSSettings(insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        tls.certificateAuthorityPEM = try Self.material(
            data: cluster.certificateAuthorityData, path: cluster.certificateAuthority, entry: clusterEntry,
            dataField: "\(clusterField).certificate-authority-data", pathField: "\(clusterField).certificate-authority")

        var credentials = Credentials.none
        if let userName = context.value.user, !userName.isEmpty {
            guard let userEntry = users[userName] else {
                throw .configuration(.init("context \"\(contextName)\" names user \"\(userName)\", which is not defined", file: context.file, field: "contexts[\(contextName)].context.user"))
            }
            let user = userEntry.value
            let userField = "users[\(userName)].user"
            if let provider = user.authProvider {
                throw .configuration(.init("auth-provider \"\(provider)\" is not supported; use an exec credential plugin instead", file: userEntry.file, field: "\(userField).auth-provider"))
            }
            tls.clientCertificatePEM = try Self.material(
                data: user.clientCertificateData, path: user.clientCertificate, entry: userEntry,
                dataField: "\(userField).client-certificate-data", pathField: "\(userField).client-certificate")
            tls.clientKeyPEM = try Self.material(
                data: user.clientKeyData, path: user.clientKey, entry: userEntry,
                dataField: "\(userField).client-key-data", pathField: "\(userField).client-key")
            if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
                let missing = tls.clientKeyPEM == nil ? "client-key or client-key-data" : "client-certificate or client-certificate-data"
                throw .configuration(.init("a client certificate needs its key and a key its certificate; add \(missing)", file: userEntry.file, field: userField))
            }

            if let token = user.token, !token.isEmpty {
                credentials = .bearerToken(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                credentials = .tokenFile(TokenFile(path: Self.resolve(tokenFile, in: userEntry)))
            } else if let exec = user.exec {
                credentials = .exec(ExecCredentialProvider(config: exec, server: server))
            } else if let username = user.username, !username.isEmpty {
                guard let password = user.password else {
                    throw .configuration(.init("basic authentication needs a password next to the username", file: userEntry.file, field: "\(userField).password"))
                }
                credentials = .basic(username: username, password: password)
            }
        }

        let namespace = context.value.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClusterConfiguration(server: server, namespace: namespace, tls: tls, proxy: cluster.proxyURL,
                                    credentials: credentials, source: "kubeconfig \(files), context \(contextName)")
    }

    /// A relative path in a kubeconfig is relative to the file's directory.
    static func resolve<V>(_ path: String, in entry: Entry<V>) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") {
            return (NSHomeDirectory() as NSString).appendingPathComponent(String(path.dropFirst(2)))
        }
        return (entry.directory as NSString).appendingPathComponent(path)
    }

    /// Inline base64 `*-data` wins over the file, as in kubectl.
    static func material<V>(data: String?, path: String?, entry: Entry<V>, dataField: String, pathField: String) throws(KubeError) -> [UInt8]? {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else {
                throw .configuration(.init("is not valid base64; it must hold the base64 of a PEM file", file: entry.file, field: dataField))
            }
            return [UInt8](decoded)
        }
        if let path, !path.isEmpty {
            let resolved = resolve(path, in: entry)
            do {
                return [UInt8](try Data(contentsOf: URL(fileURLWithPath: resolved)))
            } catch {
                throw .configuration(.init("cannot read \(resolved) (\(error.localizedDescription)); fix the path (relative paths are taken from the kubeconfig's directory)", file: entry.file, field: pathField))
            }
        }
        return nil
    }
}
