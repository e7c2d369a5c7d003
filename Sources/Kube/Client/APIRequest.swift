/// One call to the API, before credentials are added.
struct APIRequest: Sendable {
    /// For logs: get, list, watch, create, update, patch, delete, deletecollection.
    var verb: String
    var method: String
    var path: ResourcePath
    var query: [(name: String, value: String?)] = []
    var body: [UInt8]? = nil
    var contentType: String? = nil
    /// nil for watches, which last as long as the server keeps them.
    var timeout: Duration? = .seconds(30)

    var pathAndQuery: String { path.path + ResourcePath.queryString(query) }
}
