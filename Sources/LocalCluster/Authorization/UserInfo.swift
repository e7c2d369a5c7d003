/// Who a request comes from once it is authenticated: a user name and the groups it belongs
/// to, as kube-apiserver's `user.Info`. RBAC bindings name either.
/// See https://kubernetes.io/docs/reference/access-authn-authz/authentication/#users-in-kubernetes
struct UserInfo: Sendable, Equatable {
    var name: String
    var groups: [String]

    /// Members of `system:masters` pass every authorization check, as on a real cluster
    /// (the group is hard-wired into kube-apiserver, not granted by a binding).
    var isSuperuser: Bool { groups.contains(Self.mastersGroup) }

    static let mastersGroup = "system:masters"
    static let authenticatedGroup = "system:authenticated"

    /// The cluster's own administrator: its client certificate, its admin token, or plain HTTP.
    static let admin = UserInfo(name: "slipway-admin", groups: [mastersGroup, authenticatedGroup])

    /// A ServiceAccount as its tokens authenticate it: `system:serviceaccount:NS:NAME` in the
    /// groups `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`.
    /// See https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
    static func serviceAccount(namespace: String, name: String) -> UserInfo {
        UserInfo(name: serviceAccountUserName(namespace: namespace, name: name),
                 groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", authenticatedGroup])
    }

    static func serviceAccountUserName(namespace: String, name: String) -> String {
        "system:serviceaccount:\(namespace):\(name)"
    }

    /// A client certificate's identity: the subject's common name is the user, each
    /// organization a group.
    static func certificate(commonName: String, organizations: [String]) -> UserInfo {
        var groups = organizations
        if !groups.contains(authenticatedGroup) { groups.append(authenticatedGroup) }
        return UserInfo(name: commonName, groups: groups)
    }
}
