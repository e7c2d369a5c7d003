@testable import ClusterCore
import JSON
import Testing

private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

private func deploymentPatch(_ live: String, _ patch: String) throws -> JSONValue {
    try StrategicMergePatch.apply(try parse(patch), to: try parse(live), group: "apps", kind: "Deployment")
}

/// Names of the elements of a list of objects, in order.
private func names(_ list: JSONValue?, key: String = "name") -> [String] {
    (list?.arrayValue ?? []).compactMap { $0[key]?.stringValue }
}

@Suite("Patch: strategic merge patch")
struct PatchStrategicMergeTests {
    static let liveDeployment = #"""
    {"apiVersion":"apps/v1","kind":"Deployment",
     "metadata":{"name":"web","namespace":"default","labels":{"app":"web"},"finalizers":["a.example/x","b.example/y"]},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
       "template":{"metadata":{"labels":{"app":"web"}},"spec":{
         "containers":[
           {"name":"web","image":"nginx:1.25","imagePullPolicy":"IfNotPresent",
            "ports":[{"containerPort":80,"protocol":"TCP"}],
            "env":[{"name":"MODE","value":"blue"},{"name":"DEBUG","value":"1"},{"name":"INJECTED","value":"sidecar"}]},
           {"name":"proxy","image":"envoy:1.30"}],
         "volumes":[{"name":"cache","emptyDir":{}}]}}}}
    """#

    @Test("containers merge by name: the patched one changes, the others stay")
    func containersByName() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}"#)
        let containers = result[path: "spec", "template", "spec", "containers"]
        #expect(names(containers) == ["web", "proxy"])
        #expect(containers?[0]?["image"] == "nginx:1.26")
        #expect(containers?[0]?["imagePullPolicy"] == "IfNotPresent")
        #expect(containers?[0]?["ports"] == (try parse(#"[{"containerPort":80,"protocol":"TCP"}]"#)))
        #expect(containers?[1]?["image"] == "envoy:1.30")
    }

    /// Elements the live list lacks come before the live-only ones, as the API server orders
    /// them (the kubectl patch page of the Kubernetes docs shows the added container first).
    @Test("env merges by name and a new container is placed as the API server places it")
    func envByName() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"""
        {"spec":{"template":{"spec":{"containers":[
          {"name":"web","env":[{"name":"DEBUG","value":"0"},{"name":"NEW","value":"x"}]},
          {"name":"metrics","image":"exporter:2"}]}}}}
        """#)
        let containers = result[path: "spec", "template", "spec", "containers"]
        #expect(names(containers) == ["web", "metrics", "proxy"])
        let env = containers?[0]?["env"]
        #expect(env == (try parse(#"[{"name":"MODE","value":"blue"},{"name":"DEBUG","value":"0"},{"name":"NEW","value":"x"},{"name":"INJECTED","value":"sidecar"}]"#)))
    }

    @Test("$patch: delete removes one element of a merged list")
    func deleteDirective() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"template":{"spec":{"containers":[{"name":"proxy","$patch":"delete"}]}}}}"#)
        #expect(names(result[path: "spec", "template", "spec", "containers"]) == ["web"])
    }

    @Test("$patch: replace in a list makes the patch the whole list")
    func replaceListDirective() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"template":{"spec":{"containers":[{"name":"solo","image":"busybox"},{"$patch":"replace"}]}}}}"#)
        #expect(result[path: "spec", "template", "spec", "containers"] == (try parse(#"[{"name":"solo","image":"busybox"}]"#)))
    }

    @Test("$patch: replace in a map replaces the map")
    func replaceMapDirective() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"metadata":{"labels":{"$patch":"replace","team":"payments"}}}"#)
        #expect(result[path: "metadata", "labels"] == (try parse(#"{"team":"payments"}"#)))
        #expect(result[path: "metadata", "name"] == "web")
    }

    @Test("$setElementOrder reorders the merged list")
    func setElementOrder() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"proxy"},{"name":"web"}]}}}}"#)
        let containers = result[path: "spec", "template", "spec", "containers"]
        #expect(names(containers) == ["proxy", "web"])
        #expect(containers?[1]?["image"] == "nginx:1.25")
    }

    @Test("$retainKeys drops the members of strategy the patch does not keep")
    func retainKeys() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        #expect(result[path: "spec", "strategy"] == (try parse(#"{"type":"Recreate"}"#)))
    }

    @Test("finalizers merge as a set and $deleteFromPrimitiveList removes one")
    func primitiveLists() throws {
        let merged = try deploymentPatch(Self.liveDeployment, #"{"metadata":{"finalizers":["c.example/z","a.example/x"]}}"#)
        #expect(merged[path: "metadata", "finalizers"] == ["c.example/z", "a.example/x", "b.example/y"])

        let removed = try deploymentPatch(Self.liveDeployment, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a.example/x"]}}"#)
        #expect(removed[path: "metadata", "finalizers"] == ["b.example/y"])
    }

    @Test("kubectl's directives for primitive lists: order and deletions together")
    func primitiveListDirectives() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"""
        {"metadata":{"$setElementOrder/finalizers":["c.example/z","b.example/y"],
                     "$deleteFromPrimitiveList/finalizers":["a.example/x"],
                     "finalizers":["c.example/z"]}}
        """#)
        #expect(result[path: "metadata", "finalizers"] == ["c.example/z", "b.example/y"])
    }

    @Test("$patch: delete in a map empties the map, as the API server does")
    func deleteMapDirective() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"{"spec":{"strategy":{"$patch":"delete"}}}"#)
        #expect(result[path: "spec", "strategy"] == .emptyObject)
        #expect(result[path: "spec", "replicas"] == 2)
    }

    @Test("volumes merge by name with $retainKeys on an element switching its source")
    func volumeRetainKeys() throws {
        let result = try deploymentPatch(Self.liveDeployment, #"""
        {"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"cache","configMap":{"name":"settings"}}]}}}}
        """#)
        #expect(result[path: "spec", "template", "spec", "volumes"] == (try parse(#"[{"name":"cache","configMap":{"name":"settings"}}]"#)))
    }

    @Test("null deletes a member and lists without a strategy are replaced")
    func nullAndAtomicLists() throws {
        let live = #"{"metadata":{"name":"p","labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"c","image":"i","args":["--x","--y"]}],"tolerations":[{"key":"k1"},{"key":"k2"}]}}"#
        let result = try StrategicMergePatch.apply(
            try parse(#"{"metadata":{"labels":{"a":null}},"spec":{"containers":[{"name":"c","args":["--z"]}],"tolerations":[{"key":"k3"}]}}"#),
            to: try parse(live), group: "", kind: "Pod")
        #expect(result[path: "metadata", "labels"] == ["b": "2"])
        #expect(result[path: "spec", "containers"]?[0]?["args"] == ["--z"])
        #expect(result[path: "spec", "tolerations"] == (try parse(#"[{"key":"k3"}]"#)))
    }

    @Test("Service ports merge by port, ownerReferences by uid")
    func serviceAndOwners() throws {
        let live = #"{"metadata":{"name":"web","ownerReferences":[{"uid":"u1","name":"a"}]},"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":8443}]}}"#
        let result = try StrategicMergePatch.apply(
            try parse(#"{"metadata":{"ownerReferences":[{"uid":"u2","name":"b"}]},"spec":{"ports":[{"port":443,"targetPort":9443}]}}"#),
            to: try parse(live), group: "", kind: "Service")
        #expect(result[path: "spec", "ports"] == (try parse(#"[{"port":80,"targetPort":8080},{"port":443,"targetPort":9443}]"#)))
        #expect(names(result[path: "metadata", "ownerReferences"], key: "uid") == ["u2", "u1"])
    }

    @Test("custom resources are refused with 415 and the accepted patch types")
    func customResources() throws {
        #expect(StrategicMergePatch.supports(group: "apps", kind: "Deployment"))
        #expect(StrategicMergePatch.supports(group: "", kind: "ConfigMap"))
        #expect(!StrategicMergePatch.supports(group: "slipway.dev", kind: "DeploymentRequest"))
        let error = #expect(throws: APIError.self) {
            try StrategicMergePatch.apply(try parse(#"{"spec":{}}"#), to: .emptyObject, group: "slipway.dev", kind: "DeploymentRequest")
        }
        #expect(error?.code == 415)
        #expect(error?.message == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }

    @Test("an element without its merge key or an unknown directive is a 400")
    func badPatches() throws {
        for patch in [
            #"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#,
            #"{"spec":{"template":{"spec":{"containers":[{"name":"web","$patch":"explode"}]}}}}"#,
            #"{"spec":{"strategy":{"$retainKeys":"type"}}}"#,
            #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#,
            #"[1]"#,
        ] {
            let error = #expect(throws: APIError.self) { try deploymentPatch(Self.liveDeployment, patch) }
            #expect(error?.code == 400, "\(patch)")
        }
    }

    /// `kubectl apply -f` of a Deployment whose image, env and replicas were edited: kubectl
    /// sends the three-way patch below (computed from the last-applied annotation, the edited
    /// file and the live object); the result must be what the API server stores.
    @Test("kubectl re-apply of an edited Deployment")
    func kubectlReapply() throws {
        let lastApplied = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"Recreate"},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"green"},{"name":"LOG_LEVEL","value":"info"}],"image":"nginx:1.26","name":"web","ports":[{"containerPort":80}]},{"image":"envoy:1.30","name":"proxy"}]}}}}"#
        let patch: JSONValue = [
            "metadata": ["annotations": ["kubectl.kubernetes.io/last-applied-configuration": .string(lastApplied + "\n")]],
            "spec": try parse(#"""
            {"replicas":3,
             "strategy":{"$retainKeys":["type"],"type":"Recreate"},
             "template":{"spec":{
               "$setElementOrder/containers":[{"name":"web"},{"name":"proxy"}],
               "containers":[{"$setElementOrder/env":[{"name":"MODE"},{"name":"LOG_LEVEL"}],
                              "env":[{"name":"MODE","value":"green"},{"name":"LOG_LEVEL","value":"info"},{"$patch":"delete","name":"DEBUG"}],
                              "image":"nginx:1.26","name":"web"}]}}}
            """#),
        ]
        let result = try StrategicMergePatch.apply(patch, to: try parse(Self.liveDeployment), group: "apps", kind: "Deployment")

        #expect(result[path: "spec", "replicas"] == 3)
        #expect(result[path: "spec", "strategy"] == ["type": "Recreate"])
        #expect(result[path: "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]?.stringValue?.hasPrefix(#"{"apiVersion":"apps/v1""#) == true)
        let expectedContainers = try parse(#"""
        [{"name":"web","image":"nginx:1.26","imagePullPolicy":"IfNotPresent",
          "ports":[{"containerPort":80,"protocol":"TCP"}],
          "env":[{"name":"MODE","value":"green"},{"name":"LOG_LEVEL","value":"info"},{"name":"INJECTED","value":"sidecar"}]},
         {"name":"proxy","image":"envoy:1.30"}]
        """#)
        #expect(result[path: "spec", "template", "spec", "containers"] == expectedContainers)
        #expect(result[path: "spec", "template", "spec", "volumes"] == (try parse(#"[{"name":"cache","emptyDir":{}}]"#)))
        #expect(result[path: "metadata", "finalizers"] == ["a.example/x", "b.example/y"])
        // No directive survives into the stored object.
        #expect(!result.jsonString().contains("$"))
    }
}
