import JSON

/// Discovery documents: /api, /apis, /api/v1, /apis/GROUP, /apis/GROUP/VERSION, and the
/// aggregated form (application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList)
/// that kubectl 1.30+ asks for first.
/// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api
public enum Discovery {
    /// The Accept header value that selects the aggregated discovery document.
    public static let aggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `/api`: the core group's versions.
    public static func coreVersions() -> JSONValue {
        coreVersions(serverAddress: "127.0.0.1:6443")
    }

    /// `/api` naming the address clients should use.
    public static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis`: every named group with its versions, preferred version first.
    public static func apiGroupList(_ types: [ResourceType]) -> JSONValue {
        let groups = namedGroups(types).map { groupObject($0.name, versions: $0.versions) }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    /// `/apis/GROUP`; nil when the group is not served.
    public static func apiGroup(_ group: String, _ types: [ResourceType]) -> JSONValue? {
        guard !group.isEmpty, let entry = namedGroups(types).first(where: { $0.name == group }) else { return nil }
        var object: JSONValue = ["kind": "APIGroup", "apiVersion": "v1"]
        for (key, value) in groupObject(entry.name, versions: entry.versions).objectValue ?? [:] { object[key] = value }
        return object
    }

    /// `/api/v1` (group "") or `/apis/GROUP/VERSION`: each resource with its verbs, short
    /// names and categories, and each subresource as `plural/sub`. Nil when nothing is served there.
    public static func resourceList(group: String, version: String, _ types: [ResourceType]) -> JSONValue? {
        let served = types.filter { $0.group == group && $0.version == version }
        guard !served.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in served.sorted(by: { $0.plural < $1.plural }) {
            var resource: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map { .string($0) }) }
            resource["storageVersionHash"] = .string(storageVersionHash(type))
            resources.append(resource)
            for sub in type.subresources {
                let response = subresourceKind(type, sub)
                var entry: JSONValue = ["name": .string("\(type.plural)/\(sub)"), "singularName": "", "namespaced": .bool(type.namespaced)]
                if let group = response.group { entry["group"] = .string(group) }
                if let version = response.version { entry["version"] = .string(version) }
                entry["kind"] = .string(response.kind)
                entry["verbs"] = .array(response.verbs.map { .string($0) })
                resources.append(entry)
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }

    /// The aggregated discovery list (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) for the
    /// core group (`legacy: true`, served at /api) or the named groups (served at /apis).
    public static func aggregated(legacy: Bool, _ types: [ResourceType]) -> JSONValue {
        let groups: [(name: String, versions: [String])]
        if legacy {
            groups = types.contains { $0.group.isEmpty } ? [("", ["v1"])] : []
        } else {
            groups = namedGroups(types)
        }
        let items: [JSONValue] = groups.map { group in
            var metadata: JSONValue = ["creationTimestamp": .null]
            if !group.name.isEmpty { metadata["name"] = .string(group.name) }
            let versions: [JSONValue] = group.versions.map { version in
                let served = types.filter { $0.group == group.name && $0.version == version }.sorted { $0.plural < $1.plural }
                return [
                    "version": .string(version),
                    "resources": .array(served.map(aggregatedResource)),
                    "freshness": "Current",
                ]
            }
            return ["metadata": metadata, "versions": .array(versions)]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .emptyObject, "items": .array(items)]
    }

    static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        var resource: JSONValue = [
            "resource": .string(type.plural),
            "responseKind": ["group": "", "version": "", "kind": .string(type.kind)],
            "scope": type.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(type.singular),
            "verbs": .array(type.verbs.map { .string($0) }),
        ]
        if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map { .string($0) }) }
        if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map { .string($0) }) }
        if !type.subresources.isEmpty {
            resource["subresources"] = .array(type.subresources.map { sub in
                let response = subresourceKind(type, sub)
                return [
                    "subresource": .string(sub),
                    "responseKind": ["group": .string(response.group ?? ""), "version": .string(response.version ?? ""), "kind": .string(response.kind)],
                    "verbs": .array(response.verbs.map { .string($0) }),
                ]
            })
        }
        return resource
    }

    /// What a subresource answers with: `scale` is an autoscaling/v1 Scale, `status` the kind
    /// itself; both take get, patch and update.
    static func subresourceKind(_ type: ResourceType, _ sub: String) -> (group: String?, version: String?, kind: String, verbs: [String]) {
        switch sub {
        case "scale": return ("autoscaling", "v1", "Scale", ["get", "patch", "update"])
        case "finalize": return (nil, nil, type.kind, ["update"])
        default: return (nil, nil, type.kind, ["get", "patch", "update"])
        }
    }

    /// Named groups in order of first appearance, each with its versions sorted by
    /// Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1), the preferred first.
    static func namedGroups(_ types: [ResourceType]) -> [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for type in types where !type.group.isEmpty {
            if versions[type.group] == nil { order.append(type.group) }
            if !(versions[type.group] ?? []).contains(type.version) { versions[type.group, default: []].append(type.version) }
        }
        return order.map { ($0, (versions[$0] ?? []).sorted(by: versionPrecedes)) }
    }

    static func groupObject(_ name: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["name": .string(name), "versions": .array(entries), "preferredVersion": entries.first ?? .null]
    }

    /// Kubernetes version priority: GA before beta before alpha, higher numbers first,
    /// non-Kubernetes-looking versions last in alphabetical order.
    /// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#version-priority
    public static func versionPrecedes(_ a: String, _ b: String) -> Bool {
        switch (parseVersion(a), parseVersion(b)) {
        case let (x?, y?):
            if x.stability != y.stability { return x.stability > y.stability }
            if x.major != y.major { return x.major > y.major }
            return x.minor > y.minor
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }

    static func parseVersion(_ version: String) -> (major: Int, stability: Int, minor: Int)? {
        guard version.hasPrefix("v") else { return nil }
        let rest = version.dropFirst()
        let digits = rest.prefix { $0.isNumber }
        guard let major = Int(digits), major > 0 else { return nil }
        let suffix = rest.dropFirst(digits.count)
        if suffix.isEmpty { return (major, 2, 0) }
        for (word, stability) in [("beta", 1), ("alpha", 0)] where suffix.hasPrefix(word) {
            guard let minor = Int(suffix.dropFirst(word.count)), minor > 0 else { return nil }
            return (major, stability, minor)
        }
        return nil
    }

    /// A short stable hash of the resource's identity, as the API server publishes for
    /// clients that detect storage changes.
    static func storageVersionHash(_ type: ResourceType) -> String {
        let hash = BuiltinResources.Defaults.fnv1a("\(type.group)/\(type.version)/\(type.kind)/\(type.plural)")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var text = ""
        var value = hash
        for _ in 0..<11 {
            text.append(alphabet[Int(value & 63)])
            value >>= 6
        }
        return text
    }
}
