import Foundation
import JSON
@testable import Kube
import Testing

@Suite("Kube kubeconfig")
struct KubeConfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
    static let certPEM = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n"
    static let keyPEM = "-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"

    /// A kubeconfig as JSON (a kubeconfig may be JSON or YAML).
    static func kubeconfig(current: String?, clusters: [JSONValue] = [], users: [JSONValue] = [], contexts: [JSONValue] = []) -> String {
        var document: JSONValue = ["apiVersion": "v1", "kind": "Config", "clusters": .array(clusters), "users": .array(users), "contexts": .array(contexts)]
        if let current { document["current-context"] = .string(current) }
        return document.jsonString(pretty: true)
    }

    static func cluster(_ name: String, _ body: JSONValue) -> JSONValue { ["name": .string(name), "cluster": body] }
    static func user(_ name: String, _ body: JSONValue) -> JSONValue { ["name": .string(name), "user": body] }
    static func context(_ name: String, cluster: String, user: String?, namespace: String? = nil) -> JSONValue {
        var body: JSONValue = ["cluster": .string(cluster)]
        if let user { body["user"] = .string(user) }
        if let namespace { body["namespace"] = .string(namespace) }
        return ["name": .string(name), "context": body]
    }

    @Test("the first file to set a name or current-context wins when several are merged")
    func mergeRules() throws {
        let dir = try TemporaryDirectory()
        let first = try dir.write("a/config", Self.kubeconfig(
            current: "dev",
            clusters: [Self.cluster("shared", ["server": "https://first:6443"])],
            users: [Self.user("me", ["token": "first-token"])],
            contexts: [Self.context("dev", cluster: "shared", user: "me", namespace: "dev-ns")]))
        let second = try dir.write("b/config", Self.kubeconfig(
            current: "prod",
            clusters: [Self.cluster("shared", ["server": "https://second:6443"]), Self.cluster("prod", ["server": "https://prod:443"])],
            users: [Self.user("me", ["token": "second-token"]), Self.user("ops", ["token": "ops-token"])],
            contexts: [Self.context("prod", cluster: "prod", user: "ops")]))
        let missing = (dir.path as NSString).appendingPathComponent("does-not-exist")
        let config = try KubeConfig.load(environment: ["KUBECONFIG": "\(first):\(missing):\(second)"])
        #expect(config.currentContext == "dev")
        #expect(config.files == [first, second])
        #expect(config.contextNames == ["dev", "prod"])

        let dev = try config.clusterConfiguration()
        #expect(dev.server == "https://first:6443")
        #expect(dev.namespace == "dev-ns")
        guard case .bearerToken(let token) = dev.credentials else {
            Issue.record("expected a bearer token")
            return
        }
        #expect(token == "first-token")

        let prod = try config.clusterConfiguration(context: "prod")
        #expect(prod.server == "https://prod:443")
        #expect(prod.namespace == "default")
        #expect(prod.source.contains("context prod"))
    }

    @Test("a YAML kubeconfig as kubectl writes it is read")
    func yamlKubeconfig() throws {
        let dir = try TemporaryDirectory()
        try dir.write("pki/ca.crt", Self.caPEM)
        let path = try dir.write("config", """
        apiVersion: v1
        kind: Config
        preferences: {}
        current-context: kind-dev
        clusters:
        - cluster:
            certificate-authority: pki/ca.crt
            server: https://127.0.0.1:6443
            tls-server-name: kubernetes
          name: kind-dev
        contexts:
        - context:
            cluster: kind-dev
            user: kind-dev
            namespace: "yes"
          name: kind-dev
        users:
        - name: kind-dev
          user:
            client-certificate-data: \(Self.certPEM.base64)
            client-key-data: \(Self.keyPEM.base64)
        - name: oidc
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: kubectl
              args:
              - oidc-login
              - get-token
              env: null
              provideClusterInfo: true
              interactiveMode: Never
        """)
        let config = try KubeConfig.load(paths: [path])
        let resolved = try config.clusterConfiguration()
        #expect(resolved.server == "https://127.0.0.1:6443")
        // `yes` stays a string under the YAML 1.2 core schema.
        #expect(resolved.namespace == "yes")
        #expect(resolved.tls.serverName == "kubernetes")
        #expect(resolved.tls.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        #expect(resolved.tls.clientKeyPEM == Array(Self.keyPEM.utf8))
        let exec = try #require(config.users["oidc"]?.value.exec)
        #expect(exec.args == ["oidc-login", "get-token"])
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        #expect(exec.provideClusterInfo)
    }

    @Test("a kubeconfig that is not YAML names the file")
    func invalidYAML() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("broken", "clusters: [\n  - name: a\n")
        #expect {
            _ = try KubeConfig.load(paths: [path])
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("YAML")
        }
    }

    @Test("inline -data fields are decoded, file fields are read relative to the kubeconfig's directory")
    func tlsMaterial() throws {
        let dir = try TemporaryDirectory()
        try dir.write("certs/ca.crt", Self.caPEM)
        try dir.write("kube/certs/client.crt", Self.certPEM)
        try dir.write("kube/certs/client.key", Self.keyPEM)
        let path = try dir.write("kube/config", Self.kubeconfig(
            current: "files",
            clusters: [
                Self.cluster("inline", ["server": "https://inline:6443", "certificate-authority-data": .string(Self.caPEM.base64), "tls-server-name": "api.internal", "proxy-url": "http://proxy:3128"]),
                Self.cluster("files", ["server": "https://files:6443", "certificate-authority": .string((dir.path as NSString).appendingPathComponent("certs/ca.crt"))]),
            ],
            users: [
                Self.user("inline", ["client-certificate-data": .string(Self.certPEM.base64), "client-key-data": .string(Self.keyPEM.base64)]),
                Self.user("files", ["client-certificate": "certs/client.crt", "client-key": "certs/client.key"]),
            ],
            contexts: [Self.context("inline", cluster: "inline", user: "inline"), Self.context("files", cluster: "files", user: "files")]))
        let config = try KubeConfig.load(paths: [path])

        let files = try config.clusterConfiguration()
        #expect(files.tls.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        #expect(files.tls.clientCertificatePEM == Array(Self.certPEM.utf8))
        #expect(files.tls.clientKeyPEM == Array(Self.keyPEM.utf8))
        #expect(!files.tls.insecureSkipVerify)

        let inline = try config.clusterConfiguration(context: "inline")
        #expect(inline.tls.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        #expect(inline.tls.clientKeyPEM == Array(Self.keyPEM.utf8))
        #expect(inline.tls.serverName == "api.internal")
        #expect(inline.proxy == "http://proxy:3128")
        // Nothing secret shows when the configuration is printed.
        var printed = "\(inline) \(inline.tls) \(String(reflecting: inline.credentials))"
        dump(inline, to: &printed)
        #expect(!printed.contains("SECRETKEYMATERIAL") && !printed.contains(Self.keyPEM.base64))
    }

    @Test("insecure-skip-tls-verify turns verification off only when set")
    func insecureFlag() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("config", Self.kubeconfig(
            current: "a",
            clusters: [Self.cluster("insecure", ["server": "https://x", "insecure-skip-tls-verify": true]), Self.cluster("secure", ["server": "https://y"])],
            contexts: [Self.context("a", cluster: "insecure", user: nil), Self.context("b", cluster: "secure", user: nil)]))
        let config = try KubeConfig.load(paths: [path])
        #expect(try config.clusterConfiguration().tls.insecureSkipVerify)
        #expect(try !config.clusterConfiguration(context: "b").tls.insecureSkipVerify)
    }

    @Test("token, tokenFile, basic auth and exec are recognised, and printing them hides secrets")
    func credentialKinds() throws {
        let dir = try TemporaryDirectory()
        try dir.write("token", "file-token\n")
        let path = try dir.write("config", Self.kubeconfig(
            current: "t",
            clusters: [Self.cluster("c", ["server": "https://c"])],
            users: [
                Self.user("token", ["token": "s3cr3t-token"]),
                Self.user("file", ["tokenFile": "token"]),
                Self.user("basic", ["username": "admin", "password": "hunter2"]),
                Self.user("exec", ["exec": ["apiVersion": "client.authentication.k8s.io/v1", "command": "./plugin", "args": ["--x"], "env": [["name": "A", "value": "1"]]]]),
            ],
            contexts: [Self.context("t", cluster: "c", user: "token"), Self.context("f", cluster: "c", user: "file"),
                       Self.context("b", cluster: "c", user: "basic"), Self.context("e", cluster: "c", user: "exec")]))
        let config = try KubeConfig.load(paths: [path])

        let token = try config.clusterConfiguration(context: "t")
        #expect(!"\(token)".contains("s3cr3t-token"))
        #expect(!String(reflecting: token.credentials).contains("s3cr3t-token"))
        var dumped = ""
        dump(token.credentials, to: &dumped)
        #expect(!dumped.contains("s3cr3t-token"))

        guard case .tokenFile(let file) = try config.clusterConfiguration(context: "f").credentials else {
            Issue.record("expected a token file")
            return
        }
        #expect(file.path == (dir.path as NSString).appendingPathComponent("token"))
        #expect(try file.token() == "file-token")

        let basic = try config.clusterConfiguration(context: "b")
        #expect(!"\(basic)".contains("hunter2"))

        // Neither the parsed file nor the resolved configuration reveals a secret when dumped.
        var everything = ""
        dump(config, to: &everything)
        dump(token, to: &everything)
        dump(basic, to: &everything)
        #expect(!everything.contains("s3cr3t-token") && !everything.contains("hunter2"))
        #expect(everything.contains("token <redacted>"))

        guard case .exec(let provider) = try config.clusterConfiguration(context: "e").credentials else {
            Issue.record("expected an exec plugin")
            return
        }
        #expect(provider.config.args == ["--x"])
        #expect(provider.config.env.first?.name == "A")
        #expect(provider.config.baseDirectory == dir.path)
    }

    @Test("missing or wrong fields give errors that name the file and field and never the secret")
    func errors() throws {
        let dir = try TemporaryDirectory()
        let noServer = try dir.write("no-server", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["certificate-authority-data": "AAAA"])], contexts: [Self.context("a", cluster: "c", user: nil)]))
        try expectConfigurationError(path: noServer, context: nil, contains: ["no-server", "clusters[c].cluster.server"])

        let noCurrent = try dir.write("no-current", Self.kubeconfig(
            current: nil, clusters: [Self.cluster("c", ["server": "https://c"])], contexts: [Self.context("a", cluster: "c", user: nil)]))
        try expectConfigurationError(path: noCurrent, context: nil, contains: ["current-context", "[a]"])
        try expectConfigurationError(path: noCurrent, context: "nope", contains: ["\"nope\"", "known contexts: [a]"])

        let badData = try dir.write("bad-data", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["server": "https://c"])],
            users: [Self.user("u", ["client-certificate-data": .string(Self.certPEM.base64), "client-key-data": "!!not base64 SECRETKEYMATERIAL"])],
            contexts: [Self.context("a", cluster: "c", user: "u")]))
        let error = try expectConfigurationError(path: badData, context: nil, contains: ["users[u].user.client-key-data", "base64"])
        #expect(!error.contains("SECRETKEYMATERIAL"))

        let missingFile = try dir.write("missing-file", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["server": "https://c", "certificate-authority": "nowhere/ca.crt"])],
            contexts: [Self.context("a", cluster: "c", user: nil)]))
        try expectConfigurationError(path: missingFile, context: nil, contains: ["certificate-authority", "nowhere/ca.crt"])

        let keyless = try dir.write("keyless", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["server": "https://c"])],
            users: [Self.user("u", ["client-certificate-data": .string(Self.certPEM.base64)])],
            contexts: [Self.context("a", cluster: "c", user: "u")]))
        try expectConfigurationError(path: keyless, context: nil, contains: ["client-key"])

        let unknownUser = try dir.write("unknown-user", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["server": "https://c"])], contexts: [Self.context("a", cluster: "c", user: "ghost")]))
        try expectConfigurationError(path: unknownUser, context: nil, contains: ["ghost"])

        let badExec = try dir.write("bad-exec", Self.kubeconfig(
            current: "a", clusters: [Self.cluster("c", ["server": "https://c"])],
            users: [Self.user("u", ["exec": ["apiVersion": "client.authentication.k8s.io/v1alpha1", "command": "x"]])],
            contexts: [Self.context("a", cluster: "c", user: "u")]))
        #expect {
            _ = try KubeConfig.load(paths: [badExec])
        } throws: { error in
            "\(error)".contains("users[u].user.exec.apiVersion") && "\(error)".contains("bad-exec")
        }

        #expect {
            _ = try KubeConfig.load(paths: [(dir.path as NSString).appendingPathComponent("absent")])
        } throws: { error in
            "\(error)".contains("KUBECONFIG")
        }
    }

    @discardableResult
    func expectConfigurationError(path: String, context: String?, contains fragments: [String],
                                  sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        do {
            _ = try KubeConfig.load(paths: [path]).clusterConfiguration(context: context)
            Issue.record("expected a configuration error", sourceLocation: sourceLocation)
            return ""
        } catch {
            guard case .configuration = error else {
                Issue.record("expected a configuration error, got \(error)", sourceLocation: sourceLocation)
                return ""
            }
            let text = error.description
            for fragment in fragments {
                #expect(text.contains(fragment), "\(text) should mention \(fragment)", sourceLocation: sourceLocation)
            }
            return text
        }
    }
}
