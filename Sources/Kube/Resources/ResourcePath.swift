/// Builds request paths and query strings for the API.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris
public struct ResourcePath: Sendable, Equatable {
    public var resource: ResourceDescriptor
    public var namespace: String?
    public var name: String?
    /// `status`, `scale` ...
    public var subresource: String?

    public init(resource: ResourceDescriptor, namespace: String? = nil, name: String? = nil, subresource: String? = nil) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// The path, without a query. A namespace given for a cluster-scoped resource is ignored;
    /// no namespace for a namespaced one addresses all namespaces (list and watch only).
    public var path: String {
        var path = resource.groupVersionPath
        if resource.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/" + Self.escapeSegment(namespace)
        }
        path += "/" + resource.plural
        if let name {
            path += "/" + Self.escapeSegment(name)
            if let subresource { path += "/" + Self.escapeSegment(subresource) }
        }
        return path
    }

    /// Percent-encodes a path segment: everything outside RFC 3986's unreserved set.
    public static func escapeSegment(_ segment: String) -> String {
        percentEncode(segment, keeping: unreservedBytes)
    }

    /// `?a=b&c=d` for the items with a value, each escaped as a query component; empty when none.
    public static func queryString(_ items: [(name: String, value: String?)]) -> String {
        let parts = items.compactMap { item -> String? in
            guard let value = item.value else { return nil }
            return escapeQueryComponent(item.name) + "=" + escapeQueryComponent(value)
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// Percent-encodes a query name or value: `=`, `&`, `,`, `!`, `(`, space and `+` included,
    /// so that selectors such as `app in (a,b),!legacy` reach the server unchanged.
    public static func escapeQueryComponent(_ component: String) -> String {
        percentEncode(component, keeping: unreservedBytes)
    }

    private static let unreservedBytes: Set<UInt8> = {
        var set = Set<UInt8>()
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { set.insert(byte) }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { set.insert(byte) }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { set.insert(byte) }
        for byte in "-._~".utf8 { set.insert(byte) }
        return set
    }()

    private static func percentEncode(_ text: String, keeping allowed: Set<UInt8>) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if allowed.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
