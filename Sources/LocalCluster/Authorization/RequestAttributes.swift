import ClusterCore
import HTTPTypes

/// What a request asks to do, in the terms RBAC rules are written in: a verb on a resource
/// (with subresource, namespace and name) or a verb on a non-resource path such as `/version`.
/// Worked out the way kube-apiserver's RequestInfoFactory does it.
/// See https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb
struct RequestAttributes: Sendable, Equatable {
    var verb: String
    /// nil for a non-resource request.
    var resource: Resource?
    /// The request path, which non-resource rules (`nonResourceURLs`) match.
    var path: String

    struct Resource: Sendable, Equatable {
        var group: String
        var plural: String
        var subresource: String?
        var namespace: String?
        var name: String?

        /// `plural` or `plural/subresource`, as rules and messages name it.
        var combined: String { subresource.map { "\(plural)/\($0)" } ?? plural }
    }

    /// The attributes of an HTTP request to `path`; `watch` says whether `?watch=true` was asked.
    init(method: HTTPRequest.Method, path: String, apiPath: APIPath?, watch: Bool) {
        self.init(method: method.rawValue, path: path, apiPath: apiPath, watch: watch)
    }

    /// - Parameter method: the HTTP method, upper-case (`GET`, `PATCH` ...).
    init(method: String, path: String, apiPath: APIPath?, watch: Bool) {
        self.path = path
        guard case .resource(let target) = apiPath else {
            resource = nil
            verb = Self.nonResourceVerb(method)
            return
        }
        var namespace = target.namespace
        // The namespace a Namespace object lives "in" is itself, so that a RoleBinding in a
        // namespace can grant reading that namespace.
        if target.group.isEmpty, target.plural == "namespaces", let name = target.name, target.namespace == nil {
            namespace = name
        }
        resource = Resource(group: target.group, plural: target.plural, subresource: target.subresource,
                            namespace: namespace, name: target.name)
        switch method {
        case "GET", "HEAD":
            if watch { verb = "watch" } else { verb = target.name == nil ? "list" : "get" }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = target.name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
    }

    init(verb: String, resource: Resource?, path: String = "") {
        self.verb = verb
        self.resource = resource
        self.path = path
    }

    /// Non-resource requests use the lower-cased method, GET and HEAD both as `get`.
    private static func nonResourceVerb(_ method: String) -> String {
        method == "HEAD" ? "get" : method.lowercased()
    }

    /// The 403 kube-apiserver answers when no rule allows the request, word for word:
    /// `deploymentrequests.slipway.dev is forbidden: User "U" cannot list resource
    /// "deploymentrequests" in API group "slipway.dev" in the namespace "shop"`.
    /// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go, `forbiddenMessage`.)
    func forbidden(for user: UserInfo) -> APIError {
        guard let resource else {
            return APIError(code: 403, reason: "Forbidden",
                            message: "forbidden: User \"\(user.name)\" cannot \(verb) path \"\(path)\"")
        }
        let scope = resource.namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let reason = "User \"\(user.name)\" cannot \(verb) resource \"\(resource.combined)\" in API group \"\(resource.group)\" \(scope)"
        let qualified = resource.group.isEmpty ? resource.plural : "\(resource.plural).\(resource.group)"
        let subject = resource.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        return APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(reason)",
                        details: .init(name: resource.name, group: resource.group, kind: resource.plural))
    }
}
