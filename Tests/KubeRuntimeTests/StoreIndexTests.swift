import JSON
import Kube
import KubeRuntime
import Testing

/// Indexes stay consistent with the objects through every kind of watch event.
@Suite("Runtime store indexes")
struct StoreIndexTests {
    static func configMap(_ name: String, namespace: String = "shop", owner: String?, version: String = "1") -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: version, labels: owner.map { ["owner": $0] }),
                  data: [:])
    }

    static func byOwner(_ store: Store<ConfigMap>, _ owner: String) -> [String] {
        store.objects(inIndex: "owner", value: owner).compactMap(\.metadata.name).sorted()
    }

    static func makeStore() -> Store<ConfigMap> {
        let store = Store<ConfigMap>()
        store.addIndex("owner") { [$0.metadata.labels?["owner"]].compactMap { $0 } }
        return store
    }

    @Test("applied objects are found under their values, and move when a value changes")
    func appliedAndChanged() {
        let store = Self.makeStore()
        store.apply(.restarted([Self.configMap("a", owner: "web"), Self.configMap("b", owner: "api")]))
        store.apply(.applied(Self.configMap("c", owner: "web")))
        #expect(Self.byOwner(store, "web") == ["a", "c"])
        #expect(Self.byOwner(store, "api") == ["b"])

        store.apply(.applied(Self.configMap("a", owner: "api", version: "2")))
        #expect(Self.byOwner(store, "web") == ["c"])
        #expect(Self.byOwner(store, "api") == ["a", "b"])

        store.apply(.applied(Self.configMap("b", owner: nil, version: "2")))
        #expect(Self.byOwner(store, "api") == ["a"])
        #expect(store.get(name: "b", namespace: "shop") != nil, "an object with no index value is still stored")
    }

    @Test("a deleted object leaves every index, and an empty value disappears")
    func deleted() {
        let store = Self.makeStore()
        store.apply(.restarted([Self.configMap("a", owner: "web"), Self.configMap("b", owner: "web")]))
        store.apply(.deleted(Self.configMap("a", owner: "web")))
        #expect(Self.byOwner(store, "web") == ["b"])
        store.apply(.deleted(Self.configMap("b", owner: "web")))
        #expect(Self.byOwner(store, "web").isEmpty)
        #expect(store.indexedValues("owner").isEmpty)
        #expect(store.objects(inNamespace: "shop").isEmpty)
    }

    @Test("a re-list replaces the indexes with the new list's, dropping what vanished while nobody watched")
    func relisted() {
        let store = Self.makeStore()
        store.apply(.restarted([Self.configMap("a", owner: "web"), Self.configMap("b", owner: "api")]))
        store.apply(.restarted([Self.configMap("b", owner: "web", version: "3"), Self.configMap("d", owner: "db")]))
        #expect(Self.byOwner(store, "web") == ["b"])
        #expect(Self.byOwner(store, "api").isEmpty)
        #expect(Self.byOwner(store, "db") == ["d"])
        #expect(Set(store.indexedValues("owner")) == ["web", "db"])
    }

    @Test("an index registered after objects arrived indexes them at once; the namespace index is always there")
    func lateIndex() {
        let store = Store<ConfigMap>()
        store.apply(.restarted([Self.configMap("a", owner: "web"), Self.configMap("b", namespace: "ops", owner: "web")]))
        store.addIndex("owner") { [$0.metadata.labels?["owner"]].compactMap { $0 } }
        #expect(Self.byOwner(store, "web") == ["a", "b"])
        #expect(store.objects(inNamespace: "ops").compactMap(\.metadata.name) == ["b"])
        #expect(store.objects(inIndex: "unknown", value: "web").isEmpty)
    }

    @Test("the transform drops managedFields before an object is kept")
    func transform() {
        let store = Store<ConfigMap>(transform: Store.stripManagedFields)
        var object = Self.configMap("a", owner: "web")
        object.metadata.managedFields = [["manager": "kubectl"]]
        store.apply(.applied(object))
        #expect(store.get(name: "a", namespace: "shop")?.metadata.managedFields == nil)
        store.apply(.restarted([object]))
        #expect(store.get(name: "a", namespace: "shop")?.metadata.managedFields == nil)
    }

    @Test("a written object is kept only over the version it was based on, never over a newer one")
    func keepWritten() {
        let store = Self.makeStore()
        store.apply(.restarted([Self.configMap("a", owner: "web", version: "1")]))
        #expect(store.keepWritten(Self.configMap("a", owner: "api", version: "2"), basedOn: "1"))
        #expect(store.get(name: "a", namespace: "shop")?.metadata.resourceVersion == "2")
        #expect(Self.byOwner(store, "api") == ["a"])

        // The watch already delivered a newer version: the stale write result is ignored.
        store.apply(.applied(Self.configMap("a", owner: "db", version: "4")))
        #expect(!store.keepWritten(Self.configMap("a", owner: "api", version: "3"), basedOn: "2"))
        #expect(store.get(name: "a", namespace: "shop")?.metadata.resourceVersion == "4")
        #expect(Self.byOwner(store, "db") == ["a"])
        #expect(!store.keepWritten(Self.configMap("z", owner: "db", version: "1"), basedOn: "0"), "an object the cache never had is left to the watch")
    }
}
