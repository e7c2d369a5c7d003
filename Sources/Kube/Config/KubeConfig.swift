import Foundation
import JSON
import YAML

/// A kubeconfig: clusters, users and contexts, read from one file or merged from several as
/// kubectl merges `KUBECONFIG=a:b:c` (the first file to set a name or `current-context` wins).
/// See https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files
///
/// Every entry remembers the file it came from: relative paths in it are resolved against that
/// file's directory, and errors name it.
public struct KubeConfig: Sendable {
    public var currentContext: String?
    public var clusters: OrderedDictionary<String, Entry<Cluster>>
    public var users: OrderedDictionary<String, Entry<User>>
    public var contexts: OrderedDictionary<String, Entry<Context>>
    /// The files read, in order.
    public var files: [String]

    public init(currentContext: String? = nil, clusters: OrderedDictionary<String, Entry<Cluster>> = [:],
                users: OrderedDictionary<String, Entry<User>> = [:], contexts: OrderedDictionary<String, Entry<Context>> = [:],
                files: [String] = []) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.files = files
    }

    /// A named entry and the file that defined it.
    public struct Entry<Value: Sendable>: Sendable {
        public var value: Value
        public var file: String
        public init(value: Value, file: String) {
            self.value = value
            self.file = file
        }
        /// The directory relative paths of this entry are resolved against.
        public var directory: String { (file as NSString).deletingLastPathComponent }
    }

    public struct Cluster: Sendable, Equatable {
        public var server: String?
        public var certificateAuthority: String?
        /// Base64 PEM, as written in the file.
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
        public var proxyURL: String?
    }

    /// A user entry. Printing or dumping it shows which kinds of credentials it has, never
    /// their values.
    public struct User: Sendable, CustomStringConvertible, CustomReflectable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        /// Set when the user names an `auth-provider`, which this client does not support.
        public var authProvider: String?

        public var description: String {
            var kinds: [String] = []
            if clientCertificate != nil || clientCertificateData != nil { kinds.append("client certificate") }
            if token != nil { kinds.append("token <redacted>") }
            if let tokenFile { kinds.append("token file \(tokenFile)") }
            if let username { kinds.append("basic auth as \(username) <password redacted>") }
            if let exec { kinds.append("exec \(exec.command)") }
            if let authProvider { kinds.append("auth-provider \(authProvider)") }
            return "User(\(kinds.joined(separator: ", ")))"
        }

        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    /// The files `KUBECONFIG` names (split on `:`), or `~/.kube/config` when it is unset or empty.
    public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [(home as NSString).appendingPathComponent(".kube/config")]
    }

    /// Reads and merges the files. Files that do not exist are skipped, as kubectl does; it is
    /// an error when none exists.
    public static func load(paths: [String]) throws(KubeError) -> KubeConfig {
        var merged = KubeConfig()
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .configuration(.init("cannot read the kubeconfig file (\(error.localizedDescription)); check its permissions", file: path))
            }
            merged.merge(try parse(text, file: path))
        }
        if merged.files.isEmpty {
            throw .configuration(.init("no kubeconfig file found at \(paths.joined(separator: ", ")); set KUBECONFIG or create ~/.kube/config"))
        }
        return merged
    }

    /// Loads the files of `KUBECONFIG` (or `~/.kube/config`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KubeError) -> KubeConfig {
        try load(paths: defaultPaths(environment: environment))
    }

    /// Adds `other` under kubectl's rule: what is already set stays.
    public mutating func merge(_ other: KubeConfig) {
        if currentContext == nil || currentContext == "" { currentContext = other.currentContext }
        for (name, entry) in other.clusters where clusters[name] == nil { clusters[name] = entry }
        for (name, entry) in other.users where users[name] == nil { users[name] = entry }
        for (name, entry) in other.contexts where contexts[name] == nil { contexts[name] = entry }
        files.append(contentsOf: other.files)
    }

    /// Parses one kubeconfig document. `file` is used to resolve relative paths and in errors.
    public static func parse(_ text: String, file: String) throws(KubeError) -> KubeConfig {
        let document: JSONValue
        if text.first(where: { !$0.isWhitespace }) == "{" {
            // A JSON kubeconfig (JSON is YAML, but the JSON parser is faster and stricter).
            do {
                document = try JSONValue(parsing: text)
            } catch {
                throw .configuration(.init("the kubeconfig is not valid JSON: \(error)", file: file))
            }
        } else {
            do {
                document = try YAML.parse(text)
            } catch {
                throw .configuration(.init("the kubeconfig is not valid YAML: \(error)", file: file))
            }
        }
        if document.isNull { return KubeConfig(files: [file]) }
        guard case .object = document else {
            throw .configuration(.init("the kubeconfig must be a mapping with clusters, users and contexts", file: file))
        }
        let reader = FieldReader(file: file)
        var config = KubeConfig(files: [file])
        config.currentContext = try reader.string(document["current-context"], "current-context")
        if config.currentContext == "" { config.currentContext = nil }

        for (index, item) in try reader.array(document["clusters"], "clusters").enumerated() {
            let (name, body) = try reader.namedEntry(item, list: "clusters", index: index, bodyKey: "cluster")
            let at = "clusters[\(name)].cluster"
            let cluster = Cluster(
                server: try reader.string(body["server"], "\(at).server"),
                certificateAuthority: try reader.string(body["certificate-authority"], "\(at).certificate-authority"),
                certificateAuthorityData: try reader.string(body["certificate-authority-data"], "\(at).certificate-authority-data"),
                insecureSkipTLSVerify: try reader.bool(body["insecure-skip-tls-verify"], "\(at).insecure-skip-tls-verify") ?? false,
                tlsServerName: try reader.string(body["tls-server-name"], "\(at).tls-server-name"),
                proxyURL: try reader.string(body["proxy-url"], "\(at).proxy-url"))
            if config.clusters[name] == nil { config.clusters[name] = Entry(value: cluster, file: file) }
        }

        for (index, item) in try reader.array(document["users"], "users").enumerated() {
            let (name, body) = try reader.namedEntry(item, list: "users", index: index, bodyKey: "user")
            let at = "users[\(name)].user"
            var user = User(
                clientCertificate: try reader.string(body["client-certificate"], "\(at).client-certificate"),
                clientCertificateData: try reader.string(body["client-certificate-data"], "\(at).client-certificate-data"),
                clientKey: try reader.string(body["client-key"], "\(at).client-key"),
                clientKeyData: try reader.string(body["client-key-data"], "\(at).client-key-data"),
                token: try reader.string(body["token"], "\(at).token"),
                tokenFile: try reader.string(body["tokenFile"], "\(at).tokenFile"),
                username: try reader.string(body["username"], "\(at).username"),
                password: try reader.string(body["password"], "\(at).password"),
                exec: nil,
                authProvider: nil)
            if let exec = body["exec"], !exec.isNull {
                user.exec = try reader.execConfig(exec, at: "\(at).exec")
            }
            if let provider = body["auth-provider"], !provider.isNull {
                user.authProvider = provider["name"]?.stringValue ?? "unnamed"
            }
            if config.users[name] == nil { config.users[name] = Entry(value: user, file: file) }
        }

        for (index, item) in try reader.array(document["contexts"], "contexts").enumerated() {
            let (name, body) = try reader.namedEntry(item, list: "contexts", index: index, bodyKey: "context")
            let at = "contexts[\(name)].context"
            guard let cluster = try reader.string(body["cluster"], "\(at).cluster"), !cluster.isEmpty else {
                throw .configuration(.init("context \(name) names no cluster; set it to one of the clusters' names", file: file, field: "\(at).cluster"))
            }
            let context = Context(cluster: cluster,
                                  user: try reader.string(body["user"], "\(at).user"),
                                  namespace: try reader.string(body["namespace"], "\(at).namespace"))
            if config.contexts[name] == nil { config.contexts[name] = Entry(value: context, file: file) }
        }
        return config
    }
}

/// Reads kubeconfig fields with errors that name the file and the field.
private struct FieldReader {
    let file: String

    func fail(_ field: String, _ message: String) -> KubeError {
        .configuration(.init(message, file: file, field: field))
    }

    func string(_ value: JSONValue?, _ field: String) throws(KubeError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        // YAML turns `server: 8080`-like scalars into numbers; kubectl reads them as text.
        case .int(let number)?: return String(number)
        case .bool(let flag)?: return String(flag)
        case let other?: throw fail(field, "expected a string, found \(other.typeName)")
        }
    }

    func bool(_ value: JSONValue?, _ field: String) throws(KubeError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string("true")?: return true
        case .string("false")?: return false
        case let other?: throw fail(field, "expected true or false, found \(other.typeName)")
        }
    }

    func array(_ value: JSONValue?, _ field: String) throws(KubeError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?: throw fail(field, "expected a list, found \(other.typeName)")
        }
    }

    func namedEntry(_ item: JSONValue, list: String, index: Int, bodyKey: String) throws(KubeError) -> (String, JSONValue) {
        guard case .object = item else { throw fail("\(list)[\(index)]", "expected a mapping with name and \(bodyKey)") }
        guard let name = try string(item["name"], "\(list)[\(index)].name"), !name.isEmpty else {
            throw fail("\(list)[\(index)].name", "every entry of \(list) needs a name")
        }
        let body = item[bodyKey] ?? .emptyObject
        if body.isNull { return (name, .emptyObject) }
        guard case .object = body else { throw fail("\(list)[\(name)].\(bodyKey)", "expected a mapping, found \(body.typeName)") }
        return (name, body)
    }

    func execConfig(_ exec: JSONValue, at: String) throws(KubeError) -> ExecConfig {
        guard case .object = exec else { throw fail(at, "expected a mapping with apiVersion and command") }
        guard let command = try string(exec["command"], "\(at).command"), !command.isEmpty else {
            throw fail("\(at).command", "the exec credential plugin needs a command")
        }
        let apiVersion = try string(exec["apiVersion"], "\(at).apiVersion") ?? ""
        guard ExecConfig.supportedAPIVersions.contains(apiVersion) else {
            throw fail("\(at).apiVersion", "unsupported exec apiVersion \"\(apiVersion)\"; use \(ExecConfig.supportedAPIVersions.joined(separator: " or "))")
        }
        var args: [String] = []
        for (index, arg) in try array(exec["args"], "\(at).args").enumerated() {
            guard let text = try string(arg, "\(at).args[\(index)]") else { continue }
            args.append(text)
        }
        var env: [(name: String, value: String)] = []
        for (index, variable) in try array(exec["env"], "\(at).env").enumerated() {
            guard let name = try string(variable["name"], "\(at).env[\(index)].name"), !name.isEmpty else {
                throw fail("\(at).env[\(index)].name", "every exec environment variable needs a name")
            }
            env.append((name, try string(variable["value"], "\(at).env[\(index)].value") ?? ""))
        }
        return ExecConfig(apiVersion: apiVersion, command: command, args: args, env: env,
                          installHint: try string(exec["installHint"], "\(at).installHint"),
                          provideClusterInfo: try bool(exec["provideClusterInfo"], "\(at).provideClusterInfo") ?? false,
                          baseDirectory: (file as NSString).deletingLastPathComponent)
    }
}
