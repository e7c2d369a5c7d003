/// Verbs for any resource as `DynamicObject`: custom resources, Istio and Gateway API routes.
extension KubeClient {
    public func get(_ resource: ResourceDescriptor, name: String, namespace: String? = nil) async throws(KubeError) -> DynamicObject {
        try await get(resource, as: DynamicObject.self, name: name, namespace: namespace)
    }

    public func list(_ resource: ResourceDescriptor, namespace: String? = nil,
                     options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<DynamicObject> {
        try await list(resource, as: DynamicObject.self, namespace: namespace, options: options)
    }

    public func listAll(_ resource: ResourceDescriptor, namespace: String? = nil,
                        options: ListOptions = ListOptions()) async throws(KubeError) -> ObjectList<DynamicObject> {
        try await listAll(resource, as: DynamicObject.self, namespace: namespace, options: options)
    }

    public func patch(_ resource: ResourceDescriptor, name: String, namespace: String? = nil, patch: Patch,
                      options: WriteOptions = WriteOptions()) async throws(KubeError) -> DynamicObject {
        try await self.patch(resource, as: DynamicObject.self, name: name, namespace: namespace, patch: patch, options: options)
    }

    public func delete(_ resource: ResourceDescriptor, name: String, namespace: String? = nil,
                       options: DeleteOptions = DeleteOptions()) async throws(KubeError) -> DeleteResult<DynamicObject> {
        try await delete(resource, as: DynamicObject.self, name: name, namespace: namespace, options: options)
    }

    public func getStatus(_ resource: ResourceDescriptor, name: String, namespace: String? = nil) async throws(KubeError) -> DynamicObject {
        try await get(resource, as: DynamicObject.self, name: name, namespace: namespace, subresource: "status")
    }

    public func updateStatus(_ resource: ResourceDescriptor, _ object: DynamicObject, namespace: String? = nil,
                             options: WriteOptions = WriteOptions()) async throws(KubeError) -> DynamicObject {
        try await update(resource, object, namespace: namespace, subresource: "status", options: options)
    }

    public func patchStatus(_ resource: ResourceDescriptor, name: String, namespace: String? = nil, patch: Patch,
                            options: WriteOptions = WriteOptions()) async throws(KubeError) -> DynamicObject {
        try await self.patch(resource, as: DynamicObject.self, name: name, namespace: namespace, patch: patch, subresource: "status", options: options)
    }

    public func watch(_ resource: ResourceDescriptor, namespace: String? = nil,
                      options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<WatchEvent<DynamicObject>, any Error> {
        watch(resource, as: DynamicObject.self, namespace: namespace, options: options)
    }
}
