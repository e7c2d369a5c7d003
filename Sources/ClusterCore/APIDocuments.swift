import JSON

/// The built-in kinds the embedded cluster serves, each with its strategy (defaults,
/// validation) and printer columns.
public enum BuiltinResources {
    public static var all: [ResourceStrategy] {
        fatalError("not implemented")
    }
}

/// Turns a CustomResourceDefinition into the strategies of the versions it serves; validates
/// the CRD itself.
public enum CustomResourceDefinitions {
    /// One strategy per served version (schema validation, defaults, printer columns,
    /// subresources). Throws 422 for a CRD that cannot be served.
    public static func strategies(for crd: JSONValue) throws(APIError) -> [ResourceStrategy] {
        fatalError("not implemented")
    }

    /// The CRD's status as the API server would set it once serving: accepted names and
    /// the NamesAccepted and Established conditions.
    public static func servingStatus(for crd: JSONValue, now: String) -> JSONValue {
        fatalError("not implemented")
    }
}

/// Discovery documents: /api, /apis, /api/v1, /apis/GROUP, /apis/GROUP/VERSION, and the
/// aggregated form (application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList).
/// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api
public enum Discovery {
    public static func coreVersions() -> JSONValue { fatalError("not implemented") }
    public static func apiGroupList(_ types: [ResourceType]) -> JSONValue { fatalError("not implemented") }
    public static func apiGroup(_ group: String, _ types: [ResourceType]) -> JSONValue? { fatalError("not implemented") }
    public static func resourceList(group: String, version: String, _ types: [ResourceType]) -> JSONValue? { fatalError("not implemented") }
    /// The aggregated discovery list for the core group (`legacy: true`) or the named groups.
    public static func aggregated(legacy: Bool, _ types: [ResourceType]) -> JSONValue { fatalError("not implemented") }
}

/// OpenAPI v3 documents as kubectl fetches them: /openapi/v3 (paths with hashes) and
/// /openapi/v3/apis/GROUP/VERSION, including the fieldValidation parameter so that kubectl
/// validates on the server, and patch merge keys for its apply.
public enum OpenAPIDocuments {
    public static func index(_ types: [ResourceType]) -> JSONValue { fatalError("not implemented") }
    /// `path` is as listed by `index` (`api/v1`, `apis/apps/v1`); nil when nothing is served there.
    /// `crds` are the stored CustomResourceDefinitions, whose schemas describe their kinds.
    public static func document(path: String, _ types: [ResourceType], crds: [JSONValue]) -> JSONValue? { fatalError("not implemented") }
}

/// The `meta.k8s.io/v1` Table kubectl asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
public enum TableConverter {
    /// `includeObject` is None, Metadata or Object (the `includeObject` query parameter).
    public static func table(for type: ResourceType, items: [JSONValue], listMetadata: JSONValue, includeObject: String, now: String) -> JSONValue {
        fatalError("not implemented")
    }
}
