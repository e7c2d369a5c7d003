import ClusterCore
import JSON
import Testing

@Suite("Discovery documents")
struct DiscoveryTests {
    let types = BuiltinResources.types

    @Test("/api lists the core version and a server address")
    func coreVersions() {
        let doc = Discovery.coreVersions(serverAddress: "127.0.0.1:8443")
        #expect(doc["kind"] == "APIVersions")
        #expect(doc["versions"] == ["v1"])
        #expect(doc["serverAddressByClientCIDRs"]?[0]?["serverAddress"] == "127.0.0.1:8443")
        #expect(Discovery.coreVersions()["versions"] == ["v1"])
    }

    @Test("/apis lists every named group with its preferred version")
    func groupList() throws {
        let doc = Discovery.apiGroupList(types)
        #expect(doc["kind"] == "APIGroupList")
        #expect(doc["apiVersion"] == "v1")
        let groups = try #require(doc["groups"]?.arrayValue)
        let names = groups.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("apps"))
        #expect(names.contains("rbac.authorization.k8s.io"))
        #expect(names.contains("apiextensions.k8s.io"))
        #expect(!names.contains(""))
        let apps = try #require(groups.first { $0["name"] == "apps" })
        #expect(apps["versions"] == [["groupVersion": "apps/v1", "version": "v1"]])
        #expect(apps["preferredVersion"] == ["groupVersion": "apps/v1", "version": "v1"])
    }

    @Test("A CRD group prefers its highest-priority version")
    func preferredVersion() throws {
        let extra = [
            ResourceType(group: "slipway.dev", version: "v1alpha1", plural: "targets", singular: "target", kind: "Target", namespaced: true),
            ResourceType(group: "slipway.dev", version: "v1", plural: "targets", singular: "target", kind: "Target", namespaced: true),
            ResourceType(group: "slipway.dev", version: "v1beta2", plural: "targets", singular: "target", kind: "Target", namespaced: true),
        ]
        let group = try #require(Discovery.apiGroup("slipway.dev", extra))
        #expect(group["kind"] == "APIGroup")
        #expect(group["preferredVersion"]?["version"] == "v1")
        #expect(group["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["v1", "v1beta2", "v1alpha1"])
        #expect(Discovery.apiGroup("nope.example.com", extra) == nil)
        #expect(Discovery.apiGroup("", types) == nil)
    }

    @Test("/apis/apps/v1 lists deployments with short names, categories and subresources")
    func appsResourceList() throws {
        let doc = try #require(Discovery.resourceList(group: "apps", version: "v1", types))
        #expect(doc["kind"] == "APIResourceList")
        #expect(doc["groupVersion"] == "apps/v1")
        let resources = try #require(doc["resources"]?.arrayValue)
        let deployments = try #require(resources.first { $0["name"] == "deployments" })
        #expect(deployments["singularName"] == "deployment")
        #expect(deployments["namespaced"] == true)
        #expect(deployments["kind"] == "Deployment")
        #expect(deployments["shortNames"] == ["deploy"])
        #expect(deployments["categories"] == ["all"])
        #expect(deployments["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        let status = try #require(resources.first { $0["name"] == "deployments/status" })
        #expect(status == ["name": "deployments/status", "singularName": "", "namespaced": true, "kind": "Deployment", "verbs": ["get", "patch", "update"]])
        let scale = try #require(resources.first { $0["name"] == "deployments/scale" })
        #expect(scale["group"] == "autoscaling")
        #expect(scale["version"] == "v1")
        #expect(scale["kind"] == "Scale")
    }

    @Test("/api/v1 holds the core kinds with their short names; namespaces are cluster-scoped")
    func coreResourceList() throws {
        let doc = try #require(Discovery.resourceList(group: "", version: "v1", types))
        #expect(doc["groupVersion"] == "v1")
        let resources = try #require(doc["resources"]?.arrayValue)
        func entry(_ name: String) -> JSONValue? { resources.first { $0["name"]?.stringValue == name } }
        #expect(entry("configmaps")?["shortNames"] == ["cm"])
        #expect(entry("services")?["shortNames"] == ["svc"])
        #expect(entry("pods")?["shortNames"] == ["po"])
        #expect(entry("pods")?["categories"] == ["all"])
        #expect(entry("namespaces")?["namespaced"] == false)
        #expect(entry("namespaces")?["shortNames"] == ["ns"])
        #expect(entry("serviceaccounts")?["shortNames"] == ["sa"])
        #expect(entry("events")?["shortNames"] == ["ev"])
        #expect(entry("pods/status") != nil)
        #expect(Discovery.resourceList(group: "apps", version: "v2", types) == nil)
    }

    @Test("Aggregated discovery for /apis has the apidiscovery.k8s.io/v2 shape")
    func aggregatedNamedGroups() throws {
        let doc = Discovery.aggregated(legacy: false, types)
        #expect(doc["kind"] == "APIGroupDiscoveryList")
        #expect(doc["apiVersion"] == "apidiscovery.k8s.io/v2")
        let items = try #require(doc["items"]?.arrayValue)
        let apps = try #require(items.first { $0[path: "metadata", "name"] == "apps" })
        let version = try #require(apps["versions"]?[0])
        #expect(version["version"] == "v1")
        #expect(version["freshness"] == "Current")
        let deployments = try #require(version["resources"]?.arrayValue?.first { $0["resource"] == "deployments" })
        #expect(deployments["responseKind"] == ["group": "", "version": "", "kind": "Deployment"])
        #expect(deployments["scope"] == "Namespaced")
        #expect(deployments["singularResource"] == "deployment")
        #expect(deployments["shortNames"] == ["deploy"])
        #expect(deployments["categories"] == ["all"])
        let subresources = try #require(deployments["subresources"]?.arrayValue)
        #expect(subresources.contains(["subresource": "status", "responseKind": ["group": "", "version": "", "kind": "Deployment"], "verbs": ["get", "patch", "update"]]))
        #expect(subresources.contains(["subresource": "scale", "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"], "verbs": ["get", "patch", "update"]]))
        let crds = try #require(items.first { $0[path: "metadata", "name"] == "apiextensions.k8s.io" })
        let crdResource = try #require(crds["versions"]?[0]?["resources"]?[0])
        #expect(crdResource["scope"] == "Cluster")
        #expect(crdResource["shortNames"] == ["crd", "crds"])
    }

    @Test("Aggregated discovery for /api holds only the core group, unnamed")
    func aggregatedLegacy() throws {
        let doc = Discovery.aggregated(legacy: true, types)
        let items = try #require(doc["items"]?.arrayValue)
        #expect(items.count == 1)
        #expect(items[0][path: "metadata", "name"] == nil)
        let resources = try #require(items[0]["versions"]?[0]?["resources"]?.arrayValue)
        #expect(resources.contains { $0["resource"] == "configmaps" && $0["scope"] == "Namespaced" })
        #expect(resources.contains { $0["resource"] == "namespaces" && $0["scope"] == "Cluster" })
        #expect(!resources.contains { $0["resource"] == "deployments" })
    }
}
