import Foundation
import JSON
import YAML

extension ChatOpsConfiguration {
    /// Reads the configuration file (YAML, usually mounted from a ConfigMap) and the
    /// environment. Every key is optional except a callback secret from somewhere:
    ///
    /// ```yaml
    /// namespace: shop                   # of the DeploymentTargets and the requests (default: default)
    /// chats: [-1001234567890]           # the only chats served (ids; groups are negative)
    /// notificationChat: -1001234567890  # hears about releases of notifyEnvironments
    /// notifyEnvironments: [production]  # default [production]
    /// roles:                            # role name -> Telegram user ids
    ///   admin: [111111111]              # everything; admins are staging users too
    ///   staging: [222222222]            # deploy/promote/abort outside adminOnlyEnvironments, status
    ///   release-managers: [333333333]   # any other name: used by targets' access lists
    /// adminOnlyEnvironments: [production]  # default [production]
    /// confirmEnvironments: [production]    # deploys ask Confirm/Cancel; default [production]
    /// callbacks:
    ///   secretFile: /etc/slipway/chatops/callback-secret  # at least 32 bytes; or CHATOPS_CALLBACK_SECRET
    ///   lifetimeSeconds: 600            # how long a button works (default 600)
    /// audit:
    ///   file: /var/lib/slipway/audit.jsonl
    /// stateDirectory: /var/lib/slipway  # used buttons survive a restart here
    /// github:
    ///   apiURL: https://api.github.com  # or a GitHub Enterprise / test server
    ///   tokenFile: /etc/slipway/chatops/github-token      # optional; or GITHUB_TOKEN
    /// image:
    ///   tagTemplate: "{commit}"         # image tag of a deploy; {commit} full, {short} 7 digits
    /// ```
    ///
    /// The environment adds to the file, as the original bot's did: `ADMIN_TELEGRAM_IDS` and
    /// `STAGING_TELEGRAM_IDS` (comma-separated user ids) join the `admin` and `staging` roles;
    /// `TELEGRAM_CHAT_ID` is served and, unless the file names one, is the notification chat;
    /// `CHATOPS_CALLBACK_SECRET` and `GITHUB_TOKEN` stand in for the secret files. Secrets are
    /// never echoed in errors.
    public static func load(fileAt path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ChatOpsConfiguration {
        var document: JSONValue = .object([:])
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ChatOpsError.configuration("cannot read \(path); check the path (mounted ConfigMap?) and permissions")
            }
            do {
                document = try YAML.parse(bytes: Array(data))
            } catch {
                throw ChatOpsError.configuration("\(path) is not valid YAML: \(error)")
            }
            if case .null = document { document = .object([:]) }
            guard case .object = document else { throw ChatOpsError.configuration("\(path) must be a mapping of settings") }
        }
        return try parse(document, environment: environment, file: path ?? "the configuration")
    }

    static func parse(_ document: JSONValue, environment: [String: String], file: String) throws -> ChatOpsConfiguration {
        func fail(_ field: String, _ message: String) -> ChatOpsError { .configuration("\(file): \(field) \(message)") }
        func string(_ value: JSONValue?, _ field: String) throws -> String? {
            guard let value, value != .null else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail(field, "must be a non-empty string") }
            return text
        }
        func id(_ value: JSONValue, _ field: String) throws -> Int64 {
            if let number = value.intValue { return Int64(number) }
            if let text = value.stringValue, let number = Int64(text.trimmingCharacters(in: .whitespaces)) { return number }
            throw fail(field, "must be a Telegram id (an integer)")
        }
        func ids(_ value: JSONValue?, _ field: String) throws -> Set<Int64> {
            guard let value, value != .null else { return [] }
            guard let list = value.arrayValue else { throw fail(field, "must be a list of ids") }
            return Set(try list.map { try id($0, field) })
        }
        func words(_ value: JSONValue?, _ field: String) throws -> Set<String>? {
            guard let value, value != .null else { return nil }
            guard let list = value.arrayValue else { throw fail(field, "must be a list of names") }
            return Set(try list.map { item in
                guard let text = item.stringValue, !text.isEmpty else { throw fail(field, "must list names") }
                return text
            })
        }
        func environmentIDs(_ name: String) throws -> Set<Int64> {
            guard let text = environment[name], !text.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
            return Set(try text.split(separator: ",").map { part in
                guard let number = Int64(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ChatOpsError.configuration("\(name) must be comma-separated Telegram user ids")
                }
                return number
            })
        }
        func secretFile(_ path: String, _ field: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw fail(field, "names \(path), which cannot be read") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        var roles: [String: Set<Int64>] = [:]
        if let roleMap = document["roles"], roleMap != .null {
            guard case .object(let entries) = roleMap else { throw fail("roles", "must map role names to lists of ids") }
            for (name, members) in entries { roles[name] = try ids(members, "roles.\(name)") }
        }
        roles[AccessControl.admin, default: []].formUnion(try environmentIDs("ADMIN_TELEGRAM_IDS"))
        roles[AccessControl.staging, default: []].formUnion(try environmentIDs("STAGING_TELEGRAM_IDS"))

        var chats = try ids(document["chats"], "chats")
        var notificationChat = try document["notificationChat"].flatMap { $0 == .null ? nil : try id($0, "notificationChat") }
        if let text = environment["TELEGRAM_CHAT_ID"], !text.isEmpty {
            guard let chat = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw ChatOpsError.configuration("TELEGRAM_CHAT_ID must be a chat id (an integer)")
            }
            chats.insert(chat)
            if notificationChat == nil { notificationChat = chat }
        }

        var secret: String?
        if let path = try string(document[path: "callbacks", "secretFile"], "callbacks.secretFile") {
            secret = try secretFile(path, "callbacks.secretFile")
        } else if let text = environment["CHATOPS_CALLBACK_SECRET"], !text.isEmpty {
            secret = text
        }
        guard let secret else {
            throw ChatOpsError.configuration("no callback secret: set callbacks.secretFile or CHATOPS_CALLBACK_SECRET (32 random bytes or more, e.g. openssl rand -hex 32)")
        }
        guard secret.utf8.count >= 32 else {
            throw ChatOpsError.configuration("the callback secret is too short: use at least 32 bytes (e.g. openssl rand -hex 32)")
        }
        var lifetime = 600
        if let value = document[path: "callbacks", "lifetimeSeconds"], value != .null {
            guard let seconds = value.intValue, (10...86_400).contains(seconds) else { throw fail("callbacks.lifetimeSeconds", "must be 10 to 86400") }
            lifetime = seconds
        }

        var github = GitHubSettings()
        if let url = try string(document[path: "github", "apiURL"], "github.apiURL") {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw fail("github.apiURL", "must be an http(s) URL") }
            github.apiBaseURL = url
        }
        if let path = try string(document[path: "github", "tokenFile"], "github.tokenFile") {
            github.token = try secretFile(path, "github.tokenFile")
        } else if let token = environment["GITHUB_TOKEN"], !token.isEmpty {
            github.token = token
        }
        let template = try string(document[path: "image", "tagTemplate"], "image.tagTemplate") ?? "{commit}"
        guard template.contains("{commit}") || template.contains("{short}") else {
            throw fail("image.tagTemplate", "must contain {commit} or {short}")
        }

        return ChatOpsConfiguration(
            namespace: try string(document["namespace"], "namespace") ?? "default",
            allowedChats: chats,
            roles: roles.filter { !$0.value.isEmpty },
            adminOnlyEnvironments: try words(document["adminOnlyEnvironments"], "adminOnlyEnvironments") ?? ["production"],
            confirmEnvironments: try words(document["confirmEnvironments"], "confirmEnvironments") ?? ["production"],
            notificationChat: notificationChat,
            notifyEnvironments: try words(document["notifyEnvironments"], "notifyEnvironments") ?? ["production"],
            callbackSecret: Array(secret.utf8),
            callbackLifetime: .seconds(lifetime),
            auditLogPath: try string(document[path: "audit", "file"], "audit.file"),
            stateDirectory: try string(document["stateDirectory"], "stateDirectory"),
            github: github,
            imageTagTemplate: template)
    }
}
