import ClusterCore
import Foundation
import JSON
import Testing

@testable import LocalCluster

/// RBAC in the embedded cluster: ServiceAccount tokens from the TokenRequest API (what
/// `kubectl create token` calls), Roles and bindings deciding what those identities may do,
/// and 403s worded as kube-apiserver words them, while the admin keeps every right.
@Suite("Cluster authorization")
struct ClusterAuthorizationTests {
    static let account = "system:serviceaccount:shop:robot"

    /// A namespace `shop` with the ServiceAccount `robot`, and a token for it.
    private func robotToken(_ cluster: RunningCluster) async throws -> String {
        try await cluster.kubectlOK(["create", "namespace", "shop"])
        try await cluster.kubectlOK(["create", "serviceaccount", "robot", "-n", "shop"])
        let token = try await cluster.kubectlOK(["create", "token", "robot", "-n", "shop"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3, "kubectl create token printed \(token.count) characters, not a JWT")
        return token
    }

    /// kubectl as the holder of `token` (the token user's context, with its token replaced).
    private func kubectl(_ cluster: RunningCluster, token: String, _ arguments: [String]) async throws -> CommandResult {
        try await cluster.kubectl(["--context", "slipway-token", "--token", token] + arguments)
    }

    /// curl as the holder of `token`; returns the HTTP code and the body.
    private func curl(_ cluster: RunningCluster, token: String, _ path: String, _ extra: [String] = []) async throws -> (code: Int, body: JSONValue?) {
        let ca = try cluster.manifest("ca.crt", try #require(cluster.endpoint.credentials).caCertificatePEM)
        let result = try await Command.run(Command.find("curl"), [
            "-sS", "--max-time", "30", "--cacert", ca, "-H", "Authorization: Bearer \(token)", "-w", "\n%{http_code}",
            cluster.endpoint.url + path,
        ] + extra)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, try? JSONValue(parsing: lines.dropLast().joined(separator: "\n")))
    }

    @Test("a ServiceAccount token without bindings reads discovery but is refused everything else, with the API server's message")
    func unboundAccountIsForbidden() async throws {
        try await RunningCluster.with { cluster in
            let token = try await robotToken(cluster)
            let whoami = try await kubectl(cluster, token: token, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])
            #expect(whoami.stdout == Self.account, "\(whoami.stderr)")

            let list = try await kubectl(cluster, token: token, ["get", "configmaps", "-n", "shop"])
            #expect(list.status != 0)
            #expect(list.stderr.contains(#"configmaps is forbidden: User "system:serviceaccount:shop:robot" cannot list resource "configmaps" in API group "" in the namespace "shop""#),
                    "\(list.stderr)")

            let (code, body) = try await curl(cluster, token: token, "/apis/apps/v1/namespaces/shop/deployments/web")
            #expect(code == 403)
            #expect(body?["reason"] == "Forbidden")
            #expect(body?["message"]?.stringValue == #"deployments.apps "web" is forbidden: User "system:serviceaccount:shop:robot" cannot get resource "deployments" in API group "apps" in the namespace "shop""#)
            #expect(body?[path: "details", "group"] == "apps")
            #expect(body?[path: "details", "kind"] == "deployments")

            let clusterScope = try await curl(cluster, token: token, "/api/v1/namespaces")
            #expect(clusterScope.body?["message"]?.stringValue == #"namespaces is forbidden: User "system:serviceaccount:shop:robot" cannot list resource "namespaces" in API group "" at the cluster scope"#)

            // Discovery is open to every authenticated user, as the bootstrap policy grants it.
            #expect(try await curl(cluster, token: token, "/apis").code == 200)
            #expect(try await curl(cluster, token: token, "/version").code == 200)
        }
    }

    @Test("a Role bound in one namespace grants exactly its verbs there, and nothing in other namespaces")
    func roleBindingGrantsItsVerbs() async throws {
        try await RunningCluster.with { cluster in
            let token = try await robotToken(cluster)
            try await cluster.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=fast"])
            try await cluster.kubectlOK(["create", "role", "reader", "-n", "shop", "--verb=get,list", "--resource=configmaps"])
            try await cluster.kubectlOK(["create", "rolebinding", "robot-reads", "-n", "shop", "--role=reader", "--serviceaccount=shop:robot"])

            let read = try await kubectl(cluster, token: token, ["get", "configmap", "settings", "-n", "shop", "-o", "jsonpath={.data.mode}"])
            #expect(read.status == 0 && read.stdout == "fast", "\(read.stderr)")
            let elsewhere = try await kubectl(cluster, token: token, ["get", "configmaps", "-n", "default"])
            #expect(elsewhere.stderr.contains(#"cannot list resource "configmaps" in API group "" in the namespace "default""#), "\(elsewhere.stderr)")
            let write = try await kubectl(cluster, token: token, ["create", "configmap", "other", "-n", "shop"])
            #expect(write.stderr.contains(#"cannot create resource "configmaps" in API group "" in the namespace "shop""#), "\(write.stderr)")

            let canList = try await kubectl(cluster, token: token, ["auth", "can-i", "list", "configmaps", "-n", "shop"])
            #expect(canList.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes", "\(canList.stderr)")
            let canDelete = try await kubectl(cluster, token: token, ["auth", "can-i", "delete", "configmaps", "-n", "shop"])
            #expect(canDelete.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no", "\(canDelete.stderr)")

            let listed = try await kubectl(cluster, token: token, ["auth", "can-i", "--list", "-n", "shop"])
            let configMapRow = listed.stdout.split(separator: "\n").first { $0.hasPrefix("configmaps ") }
            #expect(configMapRow?.contains("[get list]") == true, "kubectl auth can-i --list printed: \(listed.stdout) \(listed.stderr)")

            // Taking the binding away takes the right away at once.
            try await cluster.kubectlOK(["delete", "rolebinding", "robot-reads", "-n", "shop"])
            let after = try await kubectl(cluster, token: token, ["get", "configmap", "settings", "-n", "shop"])
            #expect(after.status != 0)
            #expect(after.stderr.contains("forbidden"), "\(after.stderr)")
        }
    }

    @Test("a ClusterRoleBinding to the account's group grants across namespaces; resourceNames and subresources are honoured")
    func clusterRoleBindingAndRuleDetails() async throws {
        try await RunningCluster.with { cluster in
            let token = try await robotToken(cluster)
            let manifest = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: lease-keeper}
                rules:
                  - apiGroups: ["coordination.k8s.io"]
                    resources: ["leases"]
                    resourceNames: ["mine"]
                    verbs: ["get", "update"]
                  - apiGroups: [""]
                    resources: ["pods/status"]
                    verbs: ["patch"]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: shop-accounts-keep-leases}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lease-keeper}
                subjects:
                  - {kind: Group, name: "system:serviceaccounts:shop", apiGroup: rbac.authorization.k8s.io}
                """
            try await cluster.kubectlOK(["apply", "-f", try cluster.manifest("rbac.yaml", manifest)])
            func can(_ arguments: [String]) async throws -> String {
                try await kubectl(cluster, token: token, ["auth", "can-i"] + arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(try await can(["get", "leases.coordination.k8s.io/mine", "-n", "kube-system"]) == "yes")
            #expect(try await can(["get", "leases.coordination.k8s.io/theirs", "-n", "kube-system"]) == "no")
            #expect(try await can(["list", "leases.coordination.k8s.io", "-n", "kube-system"]) == "no")
            #expect(try await can(["patch", "pods", "--subresource=status", "-n", "default"]) == "yes")
            #expect(try await can(["patch", "pods", "-n", "default"]) == "no")
        }
    }

    @Test("deleting the ServiceAccount revokes its tokens; a forged token is refused")
    func revokedAndForgedTokens() async throws {
        try await RunningCluster.with { cluster in
            let token = try await robotToken(cluster)
            #expect(try await curl(cluster, token: token, "/version").code == 200)
            // A token whose claims were edited no longer matches its signature.
            var parts = token.split(separator: ".").map(String.init)
            parts[1] = ServiceAccountTokens.base64URL(Array(#"{"exp":4102444800,"kubernetes.io":{"namespace":"kube-system","serviceaccount":{"name":"admin","uid":"x"}}}"#.utf8))
            #expect(try await curl(cluster, token: parts.joined(separator: "."), "/version").code == 401)

            try await cluster.kubectlOK(["delete", "serviceaccount", "robot", "-n", "shop"])
            #expect(try await curl(cluster, token: token, "/version").code == 401)
        }
    }

    @Test("TokenRequest refuses a lifetime under ten minutes and a missing ServiceAccount")
    func tokenRequestValidation() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.kubectlOK(["create", "namespace", "shop"])
            try await cluster.kubectlOK(["create", "serviceaccount", "robot", "-n", "shop"])
            let short = try await cluster.kubectl(["create", "token", "robot", "-n", "shop", "--duration=5m"])
            #expect(short.status != 0)
            #expect(short.stderr.contains("may not specify a duration less than 10 minutes"), "\(short.stderr)")
            let missing = try await cluster.kubectl(["create", "token", "nobody", "-n", "shop"])
            #expect(missing.stderr.contains(#"serviceaccounts "nobody" not found"#), "\(missing.stderr)")
            let hour = try await cluster.kubectl(["create", "token", "robot", "-n", "shop", "--duration=2h"])
            #expect(hour.status == 0, "\(hour.stderr)")
        }
    }
}

/// The RBAC of manifests/, as `kubectl auth can-i` answers it for each ServiceAccount: each
/// component may do what it needs and nothing more.
@Suite("Manifests RBAC")
struct ManifestsRBACTests {
    static let manifests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("manifests")

    @Test("the controller and the bot get exactly the verbs their ClusterRoles and Lease Roles list")
    func leastPrivilege() async throws {
        try await RunningCluster.with { cluster in
            try await cluster.kubectlOK(["apply", "-k", Self.manifests.path])
            var tokens: [String: String] = [:]
            for account in ["slipway-controller", "slipway-bot"] {
                tokens[account] = try await cluster.kubectlOK(["create", "token", account, "-n", "slipway-system"])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let issued = tokens
            func can(_ account: String, _ arguments: [String]) async throws -> String {
                let token = issued[account] ?? ""
                let result = try await cluster.kubectl(["--context", "slipway-token", "--token", token, "auth", "can-i"] + arguments)
                return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let controllerMay: [[String]] = [
                ["list", "deploymentrequests.slipway.dev", "--all-namespaces"],
                ["watch", "deploymenttargets.slipway.dev", "--all-namespaces"],
                ["update", "deploymentrequests.slipway.dev", "--subresource=status", "-n", "shop"],
                ["patch", "deployments.apps", "-n", "shop"],
                ["patch", "services", "-n", "shop"],
                ["create", "events", "-n", "shop"],
                ["create", "ingresses.networking.k8s.io", "-n", "shop"],
                ["update", "leases.coordination.k8s.io/slipway-controller", "-n", "slipway-system"],
            ]
            let controllerMayNot: [[String]] = [
                ["get", "secrets", "-n", "shop"],
                ["create", "deploymentrequests.slipway.dev", "-n", "shop"],
                ["update", "deploymenttargets.slipway.dev", "-n", "shop"],
                ["delete", "deployments.apps", "-n", "shop"],
                ["create", "pods", "-n", "shop"],
                ["update", "leases.coordination.k8s.io/slipway-controller", "-n", "shop"],
                ["update", "leases.coordination.k8s.io/slipway-bot", "-n", "slipway-system"],
            ]
            for arguments in controllerMay {
                #expect(try await can("slipway-controller", arguments) == "yes", "the controller may not \(arguments)")
            }
            for arguments in controllerMayNot {
                #expect(try await can("slipway-controller", arguments) == "no", "the controller may \(arguments)")
            }
            let botMay: [[String]] = [
                ["create", "deploymentrequests.slipway.dev", "-n", "shop"],
                ["patch", "deploymentrequests.slipway.dev", "-n", "shop"],
                ["watch", "deploymentrequests.slipway.dev", "-n", "shop"],
                ["list", "deploymenttargets.slipway.dev", "-n", "shop"],
            ]
            let botMayNot: [[String]] = [
                ["delete", "deploymentrequests.slipway.dev", "-n", "shop"],
                ["update", "deploymentrequests.slipway.dev", "--subresource=status", "-n", "shop"],
                ["patch", "deploymenttargets.slipway.dev", "-n", "shop"],
                ["patch", "deployments.apps", "-n", "shop"],
                ["get", "secrets", "-n", "slipway-system"],
                ["update", "leases.coordination.k8s.io/slipway-controller", "-n", "slipway-system"],
            ]
            for arguments in botMay {
                #expect(try await can("slipway-bot", arguments) == "yes", "the bot may not \(arguments)")
            }
            for arguments in botMayNot {
                #expect(try await can("slipway-bot", arguments) == "no", "the bot may \(arguments)")
            }
        }
    }
}

/// Rule matching and messages, checked without a server.
@Suite("RBAC rules")
struct RBACRuleTests {
    private func request(_ verb: String, _ group: String, _ plural: String, subresource: String? = nil, namespace: String? = "shop",
                         name: String? = nil) -> RequestAttributes {
        RequestAttributes(verb: verb, resource: .init(group: group, plural: plural, subresource: subresource, namespace: namespace, name: name))
    }

    @Test("wildcards, subresources, resource names and non-resource URLs match as in kube-apiserver")
    func matching() {
        let all = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
        #expect(all.allows(request("delete", "apps", "deployments")))
        #expect(all.allows(request("update", "slipway.dev", "deploymentrequests", subresource: "status")))

        let status = PolicyRule(verbs: ["update"], apiGroups: ["slipway.dev"], resources: ["deploymentrequests/status"])
        #expect(status.allows(request("update", "slipway.dev", "deploymentrequests", subresource: "status")))
        #expect(!status.allows(request("update", "slipway.dev", "deploymentrequests")))

        let anyStatus = PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"])
        #expect(anyStatus.allows(request("get", "apps", "deployments", subresource: "scale")))
        #expect(!anyStatus.allows(request("get", "apps", "deployments")))

        let named = PolicyRule(verbs: ["get"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["slipway-controller"])
        #expect(named.allows(request("get", "coordination.k8s.io", "leases", name: "slipway-controller")))
        #expect(!named.allows(request("get", "coordination.k8s.io", "leases", name: "other")))
        #expect(!named.allows(request("list", "coordination.k8s.io", "leases")), "a named rule never allows a list")

        let discovery = PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/*", "/version"])
        #expect(discovery.allows(RequestAttributes(verb: "get", resource: nil, path: "/apis/apps/v1")))
        #expect(discovery.allows(RequestAttributes(verb: "get", resource: nil, path: "/version")))
        #expect(!discovery.allows(RequestAttributes(verb: "get", resource: nil, path: "/metrics")))
        #expect(!discovery.allows(request("get", "", "pods")), "non-resource rules never grant resources")
    }

    @Test("the request verb follows the method, the name and watch")
    func verbs() {
        func verb(_ method: String, _ path: String, watch: Bool = false) -> String {
            RequestAttributes(method: method, path: path, apiPath: APIPath(path: path), watch: watch).verb
        }
        #expect(verb("GET", "/apis/slipway.dev/v1alpha1/namespaces/shop/deploymentrequests") == "list")
        #expect(verb("GET", "/apis/slipway.dev/v1alpha1/deploymentrequests", watch: true) == "watch")
        #expect(verb("GET", "/apis/slipway.dev/v1alpha1/namespaces/shop/deploymentrequests/r1") == "get")
        #expect(verb("PUT", "/apis/slipway.dev/v1alpha1/namespaces/shop/deploymentrequests/r1/status") == "update")
        #expect(verb("PATCH", "/api/v1/namespaces/shop/services/web") == "patch")
        #expect(verb("DELETE", "/api/v1/namespaces/shop/configmaps") == "deletecollection")
        #expect(verb("POST", "/api/v1/namespaces/shop/serviceaccounts/robot/token") == "create")
    }

    @Test("the 403 names the user, verb, resource, group and scope as kube-apiserver does")
    func forbiddenMessage() {
        let user = UserInfo.serviceAccount(namespace: "slipway-system", name: "slipway-controller")
        let error = request("list", "slipway.dev", "deploymentrequests").forbidden(for: user)
        #expect(error.code == 403)
        #expect(error.message == #"deploymentrequests.slipway.dev is forbidden: User "system:serviceaccount:slipway-system:slipway-controller" cannot list resource "deploymentrequests" in API group "slipway.dev" in the namespace "shop""#)
        let status = request("update", "slipway.dev", "deploymentrequests", subresource: "status", name: "r1").forbidden(for: user)
        #expect(status.message.hasPrefix(#"deploymentrequests.slipway.dev "r1" is forbidden: "#))
        #expect(status.message.contains(#"cannot update resource "deploymentrequests/status""#))
    }
}
