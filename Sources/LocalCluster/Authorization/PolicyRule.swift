import JSON

/// One rule of a Role or ClusterRole, matched as kube-apiserver's RBAC authorizer matches it
/// (k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go): `*` matches any verb, group
/// or resource, `*/SUB` any resource's subresource SUB, an empty `resourceNames` any name,
/// and a `nonResourceURLs` entry ending in `*` any path with that prefix.
/// See https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
struct PolicyRule: Sendable, Equatable {
    var verbs: [String]
    var apiGroups: [String]
    var resources: [String]
    var resourceNames: [String]
    var nonResourceURLs: [String]

    init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
         nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// The rules of a Role or ClusterRole object; malformed entries are skipped, since the
    /// API validated the object when it was written.
    static func rules(of role: JSONValue) -> [PolicyRule] {
        (role["rules"]?.arrayValue ?? []).map { rule in
            PolicyRule(verbs: strings(rule["verbs"]), apiGroups: strings(rule["apiGroups"]), resources: strings(rule["resources"]),
                       resourceNames: strings(rule["resourceNames"]), nonResourceURLs: strings(rule["nonResourceURLs"]))
        }
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }

    func allows(_ request: RequestAttributes) -> Bool {
        guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
        guard let resource = request.resource else {
            return nonResourceURLs.contains { pattern in
                pattern == "*" || pattern == request.path
                    || (pattern.hasSuffix("*") && request.path.hasPrefix(String(pattern.dropLast())))
            }
        }
        guard apiGroups.contains("*") || apiGroups.contains(resource.group) else { return false }
        let matchesResource = resources.contains { ruleResource in
            if ruleResource == "*" || ruleResource == resource.combined { return true }
            if let subresource = resource.subresource, ruleResource == "*/\(subresource)" { return true }
            return false
        }
        guard matchesResource else { return false }
        if resourceNames.isEmpty { return true }
        guard let name = resource.name else { return false }
        return resourceNames.contains(name)
    }
}
