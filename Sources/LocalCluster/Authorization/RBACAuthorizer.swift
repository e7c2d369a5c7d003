import ClusterCore
import JSON

/// Decides whether an authenticated user may make a request, from the Roles, ClusterRoles,
/// RoleBindings and ClusterRoleBindings in the store — the RBAC authorizer of kube-apiserver.
/// Permissions only add up: a request is allowed when some rule reachable through a binding
/// that names the user (or one of its groups, or its ServiceAccount) matches it.
///
/// Besides the stored objects it applies what every cluster's bootstrap policy grants all
/// authenticated users (`system:discovery`, `system:public-info-viewer`, `system:basic-user`),
/// so that clients can read discovery and ask what they may do. `system:masters` bypasses RBAC.
/// See https://kubernetes.io/docs/reference/access-authn-authz/rbac/
struct RBACAuthorizer: Sendable {
    let store: ObjectStore

    static let group = "rbac.authorization.k8s.io"

    /// The bootstrap ClusterRoles every authenticated user is bound to.
    static let authenticatedDefaults: [PolicyRule] = [
        PolicyRule(verbs: ["get"], nonResourceURLs: [
            "/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/",
            "/healthz", "/livez", "/readyz",
        ]),
        PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"],
                   resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
    ]

    func allows(_ user: UserInfo, _ request: RequestAttributes) -> Bool {
        if user.isSuperuser { return true }
        return rules(for: user, namespace: request.resource?.namespace).contains { $0.allows(request) }
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide rules only when nil).
    func rules(for user: UserInfo, namespace: String?) -> [PolicyRule] {
        var rules = user.groups.contains(UserInfo.authenticatedGroup) ? Self.authenticatedDefaults : []
        for binding in objects("clusterrolebindings", namespace: nil) where Self.binding(binding, names: user, defaultNamespace: nil) {
            guard binding[path: "roleRef", "kind"]?.stringValue == "ClusterRole",
                  let role = binding[path: "roleRef", "name"]?.stringValue else { continue }
            rules += clusterRoleRules(role)
        }
        guard let namespace else { return rules }
        for binding in objects("rolebindings", namespace: namespace) where Self.binding(binding, names: user, defaultNamespace: namespace) {
            guard let role = binding[path: "roleRef", "name"]?.stringValue else { continue }
            switch binding[path: "roleRef", "kind"]?.stringValue {
            case "ClusterRole": rules += clusterRoleRules(role)
            case "Role": rules += object("roles", namespace: namespace, name: role).map(PolicyRule.rules(of:)) ?? []
            default: continue
            }
        }
        return rules
    }

    /// A ClusterRole's rules, including those of the ClusterRoles its `aggregationRule` selects
    /// by label (which the real cluster's aggregation controller copies into it).
    private func clusterRoleRules(_ name: String) -> [PolicyRule] {
        guard let role = object("clusterroles", namespace: nil, name: name) else { return [] }
        var rules = PolicyRule.rules(of: role)
        let selectors = role[path: "aggregationRule", "clusterRoleSelectors"]?.arrayValue ?? []
        if rules.isEmpty, !selectors.isEmpty {
            for candidate in objects("clusterroles", namespace: nil) where candidate[path: "metadata", "name"]?.stringValue != name {
                let labels = candidate[path: "metadata", "labels"]?.objectValue ?? [:]
                let selected = selectors.contains { selector in
                    let wanted = selector["matchLabels"]?.objectValue ?? [:]
                    return !wanted.isEmpty && wanted.allSatisfy { labels[$0.key] == $0.value }
                }
                if selected { rules += PolicyRule.rules(of: candidate) }
            }
        }
        return rules
    }

    /// Whether a binding's subjects include the user, one of its groups or its ServiceAccount.
    /// A ServiceAccount subject without a namespace means the RoleBinding's own namespace.
    static func binding(_ binding: JSONValue, names user: UserInfo, defaultNamespace: String?) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { subject in
            guard let name = subject["name"]?.stringValue else { return false }
            switch subject["kind"]?.stringValue {
            case "User": return name == user.name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                guard let namespace = subject["namespace"]?.stringValue.flatMap({ $0.isEmpty ? nil : $0 }) ?? defaultNamespace else {
                    return false
                }
                return UserInfo.serviceAccountUserName(namespace: namespace, name: name) == user.name
            default: return false
            }
        }
    }

    private func type(_ plural: String) -> ResourceType? {
        store.resourceType(group: Self.group, version: "v1", plural: plural)
    }

    private func objects(_ plural: String, namespace: String?) -> [JSONValue] {
        guard let type = type(plural) else { return [] }
        return (try? store.list(type, namespace: namespace).items) ?? []
    }

    private func object(_ plural: String, namespace: String?, name: String) -> JSONValue? {
        guard let type = type(plural) else { return nil }
        return try? store.get(type, namespace: namespace, name: name)
    }
}
