import Kube

/// What a `Watcher` needs from the API: one page of a list, and a watch from a resourceVersion.
/// `KubeWatchSource` talks to a cluster; tests script one.
public protocol WatchSource<Object>: Sendable {
    associatedtype Object: KubernetesObject

    /// One page of at most `limit` objects, continuing after `continueToken` when given.
    /// A 410 (`KubeError.isGone`) means the token expired: list again from the start.
    func listPage(limit: Int, continueToken: String?) async throws -> ObjectList<Object>

    /// Changes after `resourceVersion`, with bookmarks. The stream finishes when the server ends
    /// the watch and throws `KubeError` with `isGone` when the version is too old.
    func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error>
}

/// A `WatchSource` over a `KubeClient`: one resource, optionally one namespace and selectors.
public struct KubeWatchSource<Object: KubernetesObject>: WatchSource {
    public let client: KubeClient
    public let resource: ResourceDescriptor
    /// nil watches every namespace.
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    /// How long the server keeps one watch open before ending it (the watcher then re-watches).
    /// Below the API server's default of 30–60 min so that a dead connection is noticed.
    public let watchTimeoutSeconds: Int

    public init(client: KubeClient, resource: ResourceDescriptor, as type: Object.Type = Object.self, namespace: String? = nil,
                labelSelector: String? = nil, fieldSelector: String? = nil, watchTimeoutSeconds: Int = 290) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.watchTimeoutSeconds = watchTimeoutSeconds
    }

    public func listPage(limit: Int, continueToken: String?) async throws -> ObjectList<Object> {
        let options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit, continueToken: continueToken)
        return try await client.list(resource, as: Object.self, namespace: namespace, options: options)
    }

    public func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let options = WatchOptions(resourceVersion: resourceVersion, labelSelector: labelSelector, fieldSelector: fieldSelector,
                                   allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds)
        return client.watch(resource, as: Object.self, namespace: namespace, options: options)
    }
}

extension KubeWatchSource where Object: KubernetesResource {
    /// A source for a typed kind: the type names its resource.
    public init(client: KubeClient, _ type: Object.Type, namespace: String? = nil, labelSelector: String? = nil,
                fieldSelector: String? = nil, watchTimeoutSeconds: Int = 290) {
        self.init(client: client, resource: Object.resource, namespace: namespace, labelSelector: labelSelector,
                  fieldSelector: fieldSelector, watchTimeoutSeconds: watchTimeoutSeconds)
    }
}
