import Foundation
import JSON
import Kube
import Testing

@Suite("Kube resource paths and queries")
struct KubePathTests {
    @Test("core, grouped, namespaced and cluster-scoped resources get the API's paths")
    func paths() {
        #expect(ResourcePath(resource: .pods, namespace: "web", name: "p1").path == "/api/v1/namespaces/web/pods/p1")
        #expect(ResourcePath(resource: .deployments, namespace: "web").path == "/apis/apps/v1/namespaces/web/deployments")
        #expect(ResourcePath(resource: .deployments).path == "/apis/apps/v1/deployments")
        #expect(ResourcePath(resource: .namespaces, namespace: "ignored", name: "web").path == "/api/v1/namespaces/web")
        #expect(ResourcePath(resource: .leases, namespace: "kube-system", name: "slipway").path
                == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/slipway")
        let custom = ResourceDescriptor(group: "slipway.dev", version: "v1alpha1", plural: "deploymentrequests", kind: "DeploymentRequest", namespaced: true)
        #expect(ResourcePath(resource: custom, namespace: "ns", name: "r1", subresource: "status").path
                == "/apis/slipway.dev/v1alpha1/namespaces/ns/deploymentrequests/r1/status")
        #expect(ResourcePath(resource: .deployments, namespace: "a", name: "web", subresource: "scale").path
                == "/apis/apps/v1/namespaces/a/deployments/web/scale")
        #expect(custom.apiVersion == "slipway.dev/v1alpha1")
        #expect(ResourceDescriptor.configMaps.apiVersion == "v1")
        #expect(ResourceDescriptor.ingresses.description == "ingresses.networking.k8s.io")
    }

    @Test("names are escaped as path segments")
    func nameEscaping() {
        #expect(ResourcePath(resource: .configMaps, namespace: "a b", name: "x/y?z").path == "/api/v1/namespaces/a%20b/configmaps/x%2Fy%3Fz")
    }

    @Test("selectors are escaped so that the server sees them unchanged")
    func selectorEscaping() {
        let query = ResourcePath.queryString([("labelSelector", "app in (web,api),!legacy,tier=front"), ("fieldSelector", "metadata.name=a+b"), ("limit", nil)])
        #expect(query == "?labelSelector=app%20in%20%28web%2Capi%29%2C%21legacy%2Ctier%3Dfront&fieldSelector=metadata.name%3Da%2Bb")
        #expect(ResourcePath.queryString([("limit", nil)]) == "")
        #expect(ResourcePath.escapeQueryComponent("a&b=c#d") == "a%26b%3Dc%23d")
    }

    @Test("label selectors render in the query form")
    func labelSelectorString() {
        let selector = LabelSelector(matchLabels: ["b": "2", "a": "1"], matchExpressions: [
            LabelSelectorRequirement(key: "tier", operator: "In", values: ["x", "y"]),
            LabelSelectorRequirement(key: "legacy", operator: "DoesNotExist"),
        ])
        #expect(selector.queryString == "a=1,b=2,tier in (x,y),!legacy")
    }

    @Test("patch types send the right content type")
    func patchContentTypes() {
        #expect(Patch.json([]).contentType == "application/json-patch+json")
        #expect(Patch.merge([:]).contentType == "application/merge-patch+json")
        #expect(Patch.strategicMerge([:]).contentType == "application/strategic-merge-patch+json")
        #expect(Patch.apply([:], fieldManager: "slipway", force: true).contentType == "application/apply-patch+yaml")
    }
}
