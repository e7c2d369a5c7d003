/// What a request path of the Kubernetes API addresses.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris
enum APIPath: Equatable, Sendable {
    case coreVersions                                   // /api
    case groupList                                      // /apis
    case group(String)                                  // /apis/G
    case resourceList(group: String, version: String)   // /api/v1, /apis/G/V
    case resource(ResourcePath)
    case version                                        // /version
    case health(String)                                 // /healthz, /livez, /readyz (and their checks)
    case openAPIIndex                                   // /openapi/v3
    case openAPIDocument(String)                        // /openapi/v3/apis/apps/v1
    case openAPIV2                                      // /openapi/v2, /swagger.json

    /// A collection, an object or an object's subresource.
    struct ResourcePath: Equatable, Sendable {
        var group: String
        var version: String
        var plural: String
        /// The namespace in the path (`/namespaces/NS/...`), nil for cluster-wide paths.
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    /// Parses a path; nil when nothing is served there.
    init?(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(QueryParameters.decodePathSegment)
        guard let first = segments.first else { return nil }
        switch first {
        case "version" where segments.count == 1:
            self = .version
        case "healthz", "livez", "readyz":
            self = .health(first)
        case "openapi":
            if segments.count == 2, segments[1] == "v2" {
                self = .openAPIV2
            } else if segments.count >= 2, segments[1] == "v3" {
                self = segments.count == 2 ? .openAPIIndex : .openAPIDocument(segments.dropFirst(2).joined(separator: "/"))
            } else {
                return nil
            }
        case "swagger.json":
            self = .openAPIV2
        case "api":
            if segments.count == 1 {
                self = .coreVersions
            } else if segments.count == 2 {
                self = .resourceList(group: "", version: segments[1])
            } else if let resource = Self.resource(group: "", version: segments[1], rest: Array(segments.dropFirst(2))) {
                self = .resource(resource)
            } else {
                return nil
            }
        case "apis":
            switch segments.count {
            case 1: self = .groupList
            case 2: self = .group(segments[1])
            case 3: self = .resourceList(group: segments[1], version: segments[2])
            default:
                guard let resource = Self.resource(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3))) else {
                    return nil
                }
                self = .resource(resource)
            }
        default:
            return nil
        }
    }

    /// `plural[/name[/sub]]` or `namespaces/NS/plural[/name[/sub]]`; `namespaces/NS/status`
    /// and `namespaces/NS/finalize` are subresources of a Namespace.
    private static func resource(group: String, version: String, rest: [String]) -> ResourcePath? {
        if group.isEmpty, rest.count >= 3, rest[0] == "namespaces", rest[2] != "status", rest[2] != "finalize" {
            guard rest.count <= 5 else { return nil }
            return ResourcePath(
                group: group, version: version, plural: rest[2], namespace: rest[1],
                name: rest.count > 3 ? rest[3] : nil, subresource: rest.count > 4 ? rest[4] : nil)
        }
        if !group.isEmpty, rest.count >= 3, rest[0] == "namespaces" {
            guard rest.count <= 5 else { return nil }
            return ResourcePath(
                group: group, version: version, plural: rest[2], namespace: rest[1],
                name: rest.count > 3 ? rest[3] : nil, subresource: rest.count > 4 ? rest[4] : nil)
        }
        guard (1...3).contains(rest.count) else { return nil }
        return ResourcePath(
            group: group, version: version, plural: rest[0], namespace: nil,
            name: rest.count > 1 ? rest[1] : nil, subresource: rest.count > 2 ? rest[2] : nil)
    }
}
