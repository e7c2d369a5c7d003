import Foundation
import JSON
@testable import Kube
import Testing

@Suite("Kube objects")
struct KubeObjectTests {
    static let deploymentJSON = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","namespace":"shop","uid":"u-1","resourceVersion":"42","generation":3,
                 "labels":{"app":"web"},"annotations":{"a":"b"},"finalizers":["f"],
                 "ownerReferences":[{"apiVersion":"v1","kind":"Thing","name":"t","uid":"u-0","controller":true}],
                 "managedFields":[{"manager":"kubectl","operation":"Apply"}]},
     "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
             "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
             "template":{"metadata":{"labels":{"app":"web"}},
                         "spec":{"containers":[{"name":"web","image":"shop:1","ports":[{"containerPort":8080,"name":"http"}],
                                                "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],
                                                "readinessProbe":{"httpGet":{"path":"/ready","port":8080}},
                                                "volumeMounts":[{"name":"data","mountPath":"/data"}],
                                                "securityContext":{"runAsNonRoot":true}}],
                                 "volumes":[{"name":"data","emptyDir":{}}],
                                 "tolerations":[{"key":"k","operator":"Exists"}]}}},
     "status":{"observedGeneration":3,"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2,"unavailableReplicas":1,
               "conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}
    """#

    @Test("a Deployment decodes with spec, template, containers and status")
    func decodeDeployment() throws {
        let deployment = try JSONDecoder().decode(Deployment.self, from: Data(Self.deploymentJSON.utf8))
        #expect(deployment.metadata.name == "web")
        #expect(deployment.metadata.generation == 3)
        #expect(deployment.metadata.ownerReferences?.first?.controller == true)
        #expect(deployment.spec?.replicas == 3)
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxSurge == .string("25%"))
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable == .int(0))
        let container = try #require(deployment.spec?.template.spec?.containers.first)
        #expect(container.image == "shop:1")
        #expect(container.ports?.first?.containerPort == 8080)
        #expect(container.env?[1].valueFrom?[path: "secretKeyRef", "key"] == "k")
        #expect(container.readinessProbe?[path: "httpGet", "path"] == "/ready")
        #expect(deployment.status?.readyReplicas == 2)
        #expect(deployment.status?.conditions?.first?.type == "Available")
    }

    @Test("re-encoding a Deployment keeps container and pod fields it does not model")
    func roundTripKeepsUnknownFields() throws {
        var deployment = try JSONDecoder().decode(Deployment.self, from: Data(Self.deploymentJSON.utf8))
        deployment.spec?.template.spec?.containers[0].image = "shop:2"
        let encoded = try JSONValue(encoding: deployment)
        let original = try JSONValue(parsing: Self.deploymentJSON)
        let podSpec = encoded[path: "spec", "template", "spec"]
        #expect(podSpec?["volumes"]?.sortingKeys() == original[path: "spec", "template", "spec", "volumes"]?.sortingKeys())
        #expect(podSpec?["tolerations"]?.sortingKeys() == original[path: "spec", "template", "spec", "tolerations"]?.sortingKeys())
        let container = podSpec?["containers"]?[0]
        #expect(container?["image"] == "shop:2")
        #expect(container?["volumeMounts"]?.sortingKeys() == original[path: "spec", "template", "spec", "containers"]?[0]?["volumeMounts"]?.sortingKeys())
        #expect(container?["securityContext"]?["runAsNonRoot"] == true)
        #expect(encoded[path: "metadata", "managedFields"]?.sortingKeys() == original[path: "metadata", "managedFields"]?.sortingKeys())
        // Everything but the changed image survives exactly.
        var expected = original
        expected[path: "spec", "template", "spec", "containers"] = .array([{
            var c = original[path: "spec", "template", "spec", "containers"]?[0] ?? .null
            c["image"] = "shop:2"
            return c
        }()])
        let reread = try JSONDecoder().decode(Deployment.self, from: Data(expected.jsonBytes()))
        #expect(try JSONValue(encoding: reread).sortingKeys() == encoded.sortingKeys())
        #expect(encoded.sortingKeys() == expected.sortingKeys())
    }

    @Test("a list decodes items and list metadata; null items are an empty list")
    func lists() throws {
        let json = #"{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"99","continue":"tok","remainingItemCount":5},"items":[{"metadata":{"name":"a"},"data":{"k":"v"}},{"metadata":{"name":"b"}}]}"#
        let list = try ResponseDecoding.decode(ObjectList<ConfigMap>.self, from: Array(json.utf8), what: "list")
        #expect(list.items.map(\.metadata.name) == ["a", "b"])
        #expect(list.metadata.resourceVersion == "99")
        #expect(list.metadata.continue == "tok")
        #expect(list.metadata.remainingItemCount == 5)
        let empty = try ResponseDecoding.decode(ObjectList<ConfigMap>.self, from: Array(#"{"metadata":{},"items":null}"#.utf8), what: "list")
        #expect(empty.items.isEmpty)
        let dynamic = try ResponseDecoding.decode(ObjectList<DynamicObject>.self, from: Array(json.utf8), what: "list")
        #expect(dynamic.items.map(\.name) == ["a", "b"])
        #expect(dynamic.metadata.continue == "tok")
    }

    @Test("a body of the wrong shape is a decoding error naming the field")
    func decodingError() {
        #expect {
            _ = try ResponseDecoding.decode(ConfigMap.self, from: Array(#"{"metadata":{"name":5}}"#.utf8), what: "ConfigMap x")
        } throws: { error in
            guard case KubeError.decoding(let failure) = error else { return false }
            return failure.what == "ConfigMap x" && failure.reason.contains("metadata.name")
        }
        #expect(throws: KubeError.self) { _ = try ResponseDecoding.decode(ConfigMap.self, from: [], what: "x") }
        #expect(throws: KubeError.self) { _ = try ResponseDecoding.decode(DynamicObject.self, from: Array("{".utf8), what: "x") }
    }

    @Test("setting metadata of a dynamic object keeps the rest of the object and unmodelled metadata")
    func dynamicMetadata() throws {
        var object = DynamicObject(try JSONValue(parsing: #"{"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"name":"vs","selfLink":"/x","labels":{"a":"1"}},"spec":{"http":[{"route":[{"weight":90},{"weight":10}]}]}}"#))
        var metadata = object.metadata
        metadata.labels?["b"] = "2"
        object.metadata = metadata
        #expect(object[path: "metadata", "labels", "b"] == "2")
        #expect(object[path: "metadata", "selfLink"] == "/x")
        #expect(object["spec"]?["http"]?[0]?["route"]?[1]?["weight"] == 10)
        #expect(object.kind == "VirtualService")
        let made = DynamicObject(resource: .httpRoutes, name: "r", namespace: "ns")
        #expect(made.apiVersion == "gateway.networking.k8s.io/v1")
        #expect(made.namespace == "ns")
    }

    @Test("typed kinds carry apiVersion and kind of their resource")
    func kindDefaults() throws {
        let lease = Lease(metadata: ObjectMeta(name: "leader", namespace: "slipway"),
                          spec: LeaseSpec(holderIdentity: "pod-1", leaseDurationSeconds: 15, renewTime: "2026-01-01T00:00:00.000000Z"))
        let encoded = try JSONValue(encoding: lease)
        #expect(encoded["apiVersion"] == "coordination.k8s.io/v1")
        #expect(encoded["kind"] == "Lease")
        #expect(encoded[path: "spec", "holderIdentity"] == "pod-1")
        #expect(Service.resource == .services)
        #expect(Event.resource.plural == "events")
        #expect(Namespace.resource.namespaced == false)
        let service = try JSONValue(parsing: #"{"metadata":{"name":"s"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":"http"}],"ipFamilies":["IPv4"]}}"#).decode(as: Service.self)
        #expect(service.spec?.ports?.first?.targetPort == .string("http"))
        #expect(try JSONValue(encoding: service)[path: "spec", "ipFamilies"] == ["IPv4"])
    }
}
