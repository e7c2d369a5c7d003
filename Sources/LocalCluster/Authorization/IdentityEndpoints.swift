import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import JSON

/// The API endpoints about identity and permission that are not stored objects:
/// - `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` (TokenRequest, what
///   `kubectl create token` calls) issues a token for the ServiceAccount;
/// - `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (`kubectl auth can-i`)
///   answers whether the caller may do something;
/// - `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews` (`kubectl auth can-i --list`)
///   lists what the caller may do in a namespace;
/// - `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (`kubectl auth whoami`)
///   tells the caller who it is.
/// See https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
/// and https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
struct IdentityEndpoints: Sendable {
    let store: ObjectStore
    let tokens: ServiceAccountTokens
    let authorizer: RBACAuthorizer

    /// The response for `path`, or nil when the path is not one of these endpoints.
    func respond(to request: Request, path: APIPath.ResourcePath, user: UserInfo) async throws -> Response? {
        switch (path.group, path.plural, path.subresource) {
        case ("", "serviceaccounts", "token"):
            guard let namespace = path.namespace, let name = path.name else { return nil }
            try requirePost(request, "serviceaccounts/token")
            return try await tokenRequest(request, namespace: namespace, name: name)
        case ("authorization.k8s.io", "selfsubjectaccessreviews", nil) where path.name == nil && path.namespace == nil:
            try requirePost(request, "selfsubjectaccessreviews")
            return try await accessReview(request, user: user)
        case ("authorization.k8s.io", "selfsubjectrulesreviews", nil) where path.name == nil && path.namespace == nil:
            try requirePost(request, "selfsubjectrulesreviews")
            return try await rulesReview(request, user: user)
        case ("authentication.k8s.io", "selfsubjectreviews", nil) where path.name == nil && path.namespace == nil:
            try requirePost(request, "selfsubjectreviews")
            return selfReview(user: user, version: path.version)
        default:
            return nil
        }
    }

    private func requirePost(_ request: Request, _ resource: String) throws {
        guard request.method == .post else {
            throw APIError.methodNotAllowed("\(request.method.rawValue) is not allowed on \(resource); only POST (create) is")
        }
    }

    // MARK: TokenRequest

    private func tokenRequest(_ request: Request, namespace: String, name: String) async throws -> Response {
        guard let accounts = store.resourceType(group: "", version: "v1", plural: "serviceaccounts") else { throw APIServer.pathNotFound }
        let account = try store.get(accounts, namespace: namespace, name: name)
        let spec = try ReviewBodies.spec(try await ReviewBodies.read(request), contentType: request.headers[.contentType],
                                         protobufSpec: ReviewBodies.tokenRequestSpec)
        let requested = spec["expirationSeconds"]?.intValue ?? ServiceAccountTokens.defaultLifetime
        guard requested >= ServiceAccountTokens.minimumLifetime else {
            throw APIError(code: 422, reason: "Invalid",
                           message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: spec.expirationSeconds: Invalid value: \(requested): may not specify a duration less than 10 minutes",
                           details: .init(name: name, group: "authentication.k8s.io", kind: "TokenRequest", causes: [
                               StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(requested): may not specify a duration less than 10 minutes",
                                           field: "spec.expirationSeconds"),
                           ]))
        }
        // kube-apiserver shortens requests beyond its maximum rather than refusing them.
        let lifetime = min(requested, ServiceAccountTokens.maximumLifetime)
        let audiences = (spec["audiences"]?.arrayValue ?? []).compactMap(\.stringValue)
        let granted = audiences.isEmpty ? [ServiceAccountTokens.issuer] : audiences
        let issued = tokens.issue(namespace: namespace, name: name, uid: account[path: "metadata", "uid"]?.stringValue ?? "",
                                  audiences: granted, lifetime: lifetime)
        let response: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(Timestamps.now())],
            "spec": ["audiences": .array(granted.map { .string($0) }), "expirationSeconds": .int(lifetime), "boundObjectRef": .null],
            "status": ["token": .string(issued.token), "expirationTimestamp": .string(Self.rfc3339(issued.expiresAt))],
        ]
        return APIServer.json(response, status: 201)
    }

    // MARK: Reviews

    private func accessReview(_ request: Request, user: UserInfo) async throws -> Response {
        let spec = try ReviewBodies.spec(try await ReviewBodies.read(request), contentType: request.headers[.contentType],
                                         protobufSpec: ReviewBodies.accessReviewSpec)
        let attributes: RequestAttributes
        if let resource = spec["resourceAttributes"], resource != .null {
            func text(_ key: String) -> String? { resource[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
            attributes = RequestAttributes(verb: text("verb") ?? "", resource: .init(
                group: text("group") ?? "", plural: text("resource") ?? "", subresource: text("subresource"),
                namespace: text("namespace"), name: text("name")))
        } else if let nonResource = spec["nonResourceAttributes"], nonResource != .null {
            attributes = RequestAttributes(verb: nonResource["verb"]?.stringValue ?? "", resource: nil,
                                           path: nonResource["path"]?.stringValue ?? "")
        } else {
            throw APIError(code: 422, reason: "Invalid",
                           message: "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        let allowed = authorizer.allows(user, attributes)
        var status: JSONValue = ["allowed": .bool(allowed)]
        if allowed && !user.isSuperuser { status["reason"] = "allowed by a Role or ClusterRole binding" }
        let response: JSONValue = [
            "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": ["creationTimestamp": .null], "spec": spec, "status": status,
        ]
        return APIServer.json(response, status: 201)
    }

    private func rulesReview(_ request: Request, user: UserInfo) async throws -> Response {
        let spec = try ReviewBodies.spec(try await ReviewBodies.read(request), contentType: request.headers[.contentType],
                                         protobufSpec: ReviewBodies.rulesReviewSpec)
        let namespace = spec["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let rules = user.isSuperuser
            ? [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
            : authorizer.rules(for: user, namespace: namespace)
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        var resourceRules: [JSONValue] = []
        var nonResourceRules: [JSONValue] = []
        for rule in rules {
            if !rule.nonResourceURLs.isEmpty {
                nonResourceRules.append(["verbs": strings(rule.verbs), "nonResourceURLs": strings(rule.nonResourceURLs)])
            }
            if !rule.resources.isEmpty {
                var entry: JSONValue = ["verbs": strings(rule.verbs), "apiGroups": strings(rule.apiGroups), "resources": strings(rule.resources)]
                if !rule.resourceNames.isEmpty { entry["resourceNames"] = strings(rule.resourceNames) }
                resourceRules.append(entry)
            }
        }
        let response: JSONValue = [
            "kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": ["creationTimestamp": .null], "spec": spec,
            "status": ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": false],
        ]
        return APIServer.json(response, status: 201)
    }

    private func selfReview(user: UserInfo, version: String) -> Response {
        let response: JSONValue = [
            "kind": "SelfSubjectReview", "apiVersion": .string("authentication.k8s.io/\(version)"),
            "metadata": ["creationTimestamp": .null],
            "status": ["userInfo": ["username": .string(user.name), "groups": .array(user.groups.map { .string($0) })]],
        ]
        return APIServer.json(response, status: 201)
    }

    static func rfc3339(_ date: Date) -> String {
        Timestamps.rfc3339(secondsSinceEpoch: date.timeIntervalSince1970)
    }
}
