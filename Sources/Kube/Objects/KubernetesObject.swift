import JSON

/// Anything stored by the API with `metadata`: typed kinds and `DynamicObject` alike, so that
/// generic code (caches, watchers) can key objects by namespace and name.
///
/// Round-trip safety: the typed kinds model what Slipway reads and writes. A field they do not
/// model is dropped when a decoded object is encoded again, except where a type says it keeps
/// unknown fields (`Container`, `PodSpec`). Write changes with a patch (merge, strategic or
/// server-side apply), which only sends the fields you set; use `update` (PUT) with typed
/// objects only for kinds whose every field is modelled, or with `DynamicObject`.
public protocol KubernetesObject: Codable, Sendable {
    var apiVersion: String? { get }
    var kind: String? { get }
    var metadata: ObjectMeta { get set }
}

/// A typed kind that knows where it lives in the API, so that calls need only the type.
public protocol KubernetesResource: KubernetesObject {
    static var resource: ResourceDescriptor { get }
}

extension KubernetesObject {
    public var name: String? { metadata.name }
    public var namespace: String? { metadata.namespace }
    public var resourceVersion: String? { metadata.resourceVersion }
    public var uid: String? { metadata.uid }
}

/// A page of a list: `items` plus the list's metadata.
public struct ObjectList<Item: Decodable & Sendable>: Decodable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API sends `"items": null` for an empty list of some kinds.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

extension ObjectList: Encodable where Item: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(apiVersion, forKey: .apiVersion)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(items, forKey: .items)
    }
}
