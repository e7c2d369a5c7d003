/// Verbs for the typed kinds: the type names its resource.
extension KubeClient {
    public func get<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String? = nil) async throws(KubeError) -> T {
        try await get(T.resource, as: T.self, name: name, namespace: namespace)
    }

    public func list<T: KubernetesResource>(_ type: T.Type, namespace: String? = nil,
                                            options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<T> {
        try await list(T.resource, as: T.self, namespace: namespace, options: options)
    }

    public func listAll<T: KubernetesResource>(_ type: T.Type, namespace: String? = nil,
                                               options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<T> {
        try await listAll(T.resource, as: T.self, namespace: namespace, options: options)
    }

    public func create<T: KubernetesResource>(_ object: T, namespace: String? = nil,
                                              options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await create(T.resource, object, namespace: namespace, options: options)
    }

    public func update<T: KubernetesResource>(_ object: T, namespace: String? = nil,
                                              options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await update(T.resource, object, namespace: namespace, options: options)
    }

    public func patch<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String? = nil, patch: Patch,
                                             options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await self.patch(T.resource, as: T.self, name: name, namespace: namespace, patch: patch, options: options)
    }

    public func delete<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String? = nil,
                                              options: DeleteOptions = DeleteOptions()) async throws(KubeError) -> DeleteResult<T> {
        try await delete(T.resource, as: T.self, name: name, namespace: namespace, options: options)
    }

    // MARK: Status subresource

    /// The object read through `/status`.
    public func getStatus<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String? = nil) async throws(KubeError) -> T {
        try await get(T.resource, as: T.self, name: name, namespace: namespace, subresource: "status")
    }

    /// Writes only the status (the rest of the object is ignored by the server).
    public func updateStatus<T: KubernetesResource>(_ object: T, namespace: String? = nil,
                                                    options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await update(T.resource, object, namespace: namespace, subresource: "status", options: options)
    }

    public func patchStatus<T: KubernetesResource>(_ type: T.Type, name: String, namespace: String? = nil, patch: Patch,
                                                   options: WriteOptions = WriteOptions()) async throws(KubeError) -> T {
        try await self.patch(T.resource, as: T.self, name: name, namespace: namespace, patch: patch, subresource: "status", options: options)
    }

    public func watch<T: KubernetesResource>(_ type: T.Type, namespace: String? = nil,
                                             options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        watch(T.resource, as: T.self, namespace: namespace, options: options)
    }
}
