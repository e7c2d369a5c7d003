import Foundation
import JSON
import Testing
@testable import ClusterCore

@Suite("Store create, get and update")
struct StoreCRUDTests {
    typealias F = StoreFixtures

    @Test("create fills uid, creationTimestamp, generation and resourceVersion and get returns the object")
    func createAndGet() throws {
        let store = try F.makeStore()
        let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("app"))
        #expect(UUID(uuidString: created.metadataUID) != nil)
        #expect(created.metadataUID == created.metadataUID.lowercased())
        let stamp = created[path: "metadata", "creationTimestamp"]?.stringValue ?? ""
        #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect(created[path: "metadata", "generation"] == 1)
        #expect(F.rv(created) == Int(store.currentResourceVersion))
        #expect(created["apiVersion"] == "v1" && created["kind"] == "ConfigMap")
        #expect(created["data"] == ["key": "value"])
        #expect(try store.get(F.configMaps, namespace: "default", name: "app") == created)
    }

    @Test("generateName appends five random characters")
    func generateName() throws {
        let store = try F.makeStore()
        let object: JSONValue = ["metadata": ["generateName": "job-"], "data": [:]]
        let first = try store.create(F.configMaps, namespace: "default", object: object)
        let second = try store.create(F.configMaps, namespace: "default", object: object)
        #expect(first.metadataName.wholeMatch(of: /job-[bcdfghjklmnpqrstvwxz2456789]{5}/) != nil)
        #expect(first.metadataName != second.metadataName)
    }

    @Test("names, labels and annotations are validated with the API server's messages")
    func metadataValidation() throws {
        let store = try F.makeStore()
        let missing = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "default", object: ["metadata": [:]]) }
        #expect(missing?.code == 422)
        #expect(missing?.message == "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required")

        let badName = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "default", object: F.configMap("Bad_Name")) }
        #expect(badName?.code == 422 && badName?.reason == "Invalid")
        #expect(badName?.details?.causes.first?.field == "metadata.name")
        #expect(badName?.message.hasPrefix("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of") == true)

        let badLabels = F.apiError { () throws(APIError) in
            try store.create(F.configMaps, namespace: "default", object: F.configMap("x", labels: ["bad key": "ok", "good": "bad value!"]))
        }
        #expect(badLabels?.code == 422)
        #expect(badLabels?.details?.causes.count == 2)
        #expect(badLabels?.details?.causes.allSatisfy { $0.field == "metadata.labels" } == true)

        let badNamespaceName = F.apiError { () throws(APIError) in try store.create(F.namespaces, namespace: nil, object: ["metadata": ["name": "has.dot"]]) }
        #expect(badNamespaceName?.message.contains("a lowercase RFC 1123 label must consist of") == true)
    }

    @Test("creating an existing name answers 409 AlreadyExists")
    func alreadyExists() throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("app"))
        let error = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "default", object: F.configMap("app")) }
        #expect(error == APIError.alreadyExists(F.configMaps, name: "app"))
        #expect(error?.message == "configmaps \"app\" already exists")
    }

    @Test("namespaces: must exist, must match the request, are required for namespaced kinds")
    func namespaceRules() throws {
        let store = try F.makeStore()
        let absent = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "nope", object: F.configMap("a", namespace: nil)) }
        #expect(absent?.code == 404 && absent?.message == "namespaces \"nope\" not found")
        let mismatch = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "default", object: F.configMap("a", namespace: "kube-system")) }
        #expect(mismatch?.code == 400 && mismatch?.message == "the namespace of the provided object does not match the namespace sent on the request")
        let missing = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: nil, object: F.configMap("a", namespace: nil)) }
        #expect(missing?.code == 422 && missing?.details?.causes.first?.field == "metadata.namespace")
        // The object's own namespace serves when the request names none.
        let fromObject = try store.create(F.configMaps, namespace: nil, object: F.configMap("a", namespace: "kube-public"))
        #expect(fromObject.metadataNamespace == "kube-public")
        // Cluster-scoped objects carry no namespace.
        let gadget = try store.create(F.gadgets, namespace: nil, object: ["metadata": ["name": "g", "namespace": "default"]])
        #expect(gadget[path: "metadata", "namespace"] == nil)
    }

    @Test("the four standard namespaces exist once namespaces are registered, even after other types")
    func standardNamespaces() throws {
        let store = try ObjectStore()
        store.register(ResourceStrategy(type: F.configMaps))
        store.register(ResourceStrategy(type: F.namespaces))
        let names = try store.list(F.namespaces, namespace: nil).items.map(\.metadataName)
        #expect(names == ["default", "kube-node-lease", "kube-public", "kube-system"])
        let namespace = try store.get(F.namespaces, namespace: nil, name: "default")
        #expect(namespace[path: "status", "phase"] == "Active")
        #expect(namespace[path: "metadata", "labels", "kubernetes.io/metadata.name"] == "default")
    }

    @Test("unknown objects and unregistered resources answer 404")
    func notFound() throws {
        let store = try F.makeStore()
        let missing = F.apiError { () throws(APIError) in try store.get(F.configMaps, namespace: "default", name: "ghost") }
        #expect(missing?.code == 404 && missing?.message == "configmaps \"ghost\" not found")
        let secrets = ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true)
        let unregistered = F.apiError { () throws(APIError) in try store.list(secrets, namespace: "default") }
        #expect(unregistered?.code == 404)
        let missingUpdate = F.apiError { () throws(APIError) in try store.update(F.configMaps, namespace: "default", name: "ghost") { $0 ?? [:] } }
        #expect(missingUpdate?.code == 404)
    }

    @Test("resourceVersion rises with every write across kinds and never with a read")
    func resourceVersionMonotonic() throws {
        let store = try F.makeStore()
        var last = Int(store.currentResourceVersion) ?? 0
        for index in 0..<5 {
            let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("c\(index)"))
            #expect(F.rv(created) > last)
            last = F.rv(created)
            let widget = try store.create(F.widgets, namespace: "default", object: F.widget("w\(index)"))
            #expect(F.rv(widget) > last)
            last = F.rv(widget)
            _ = try store.get(F.configMaps, namespace: "default", name: "c\(index)")
            #expect(store.currentResourceVersion == String(last))
        }
        let updated = try store.update(F.configMaps, namespace: "default", name: "c0") { old in
            var object = old ?? [:]
            object["data"] = ["key": "changed"]
            return object
        }
        #expect(F.rv(updated.object) == last + 1)
        let deleted = try store.delete(F.configMaps, namespace: "default", name: "c1")
        #expect(F.rv(deleted.object) == last + 2)
    }

    @Test("a stale resourceVersion is a 409 Conflict; none at all updates unconditionally")
    func optimisticConcurrency() throws {
        let store = try F.makeStore()
        let original = try store.create(F.configMaps, namespace: "default", object: F.configMap("app"))
        _ = try store.update(F.configMaps, namespace: "default", name: "app") { old in
            var object = old ?? [:]
            object["data"] = ["key": "second"]
            return object
        }
        let stale = F.apiError { () throws(APIError) in
            try store.update(F.configMaps, namespace: "default", name: "app") { _ in
                var object = original
                object["data"] = ["key": "lost update"]
                return object
            }
        }
        #expect(stale?.code == 409)
        #expect(stale?.message == "Operation cannot be fulfilled on configmaps \"app\": the object has been modified; please apply your changes to the latest version and try again")
        var unconditional = original
        unconditional[path: "metadata", "resourceVersion"] = nil
        unconditional["data"] = ["key": "third"]
        let result = try store.update(F.configMaps, namespace: "default", name: "app") { _ in unconditional }
        #expect(result.object["data"] == ["key": "third"])
    }

    @Test("an update that changes nothing keeps resourceVersion and generation")
    func noOpUpdate() throws {
        let store = try F.makeStore()
        let created = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        let same = try store.update(F.widgets, namespace: "default", name: "w") { $0 ?? [:] }
        #expect(same.object == created)
        #expect(store.currentResourceVersion == created.metadataResourceVersion)
    }

    @Test("generation moves on spec changes only, not on metadata or status")
    func generationRules() throws {
        let store = try F.makeStore()
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w", size: 1))
        let relabeled = try store.update(F.widgets, namespace: "default", name: "w") { old in
            var object = old ?? [:]
            object[path: "metadata", "labels"] = ["tier": "gold"]
            return object
        }.object
        #expect(relabeled[path: "metadata", "generation"] == 1)
        let statusWritten = try store.update(F.widgets, namespace: "default", name: "w", subresource: .status) { old in
            var object = old ?? [:]
            object["status"] = ["ready": false, "observedGeneration": 1]
            return object
        }.object
        #expect(statusWritten[path: "metadata", "generation"] == 1)
        let resized = try store.update(F.widgets, namespace: "default", name: "w") { old in
            var object = old ?? [:]
            object[path: "spec", "size"] = 5
            return object
        }.object
        #expect(resized[path: "metadata", "generation"] == 2)

        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("c"))
        let changedData = try store.update(F.configMaps, namespace: "default", name: "c") { old in
            var object = old ?? [:]
            object["data"] = ["key": "other"]
            return object
        }.object
        #expect(changedData[path: "metadata", "generation"] == 2)
    }

    @Test("the status subresource separates status from the rest, both ways")
    func statusSeparation() throws {
        let store = try F.makeStore()
        let created = try store.create(F.widgets, namespace: "default", object: F.widget("w", size: 2))
        #expect(created["status"] == nil, "status is not taken from a create")

        let withStatus = try store.update(F.widgets, namespace: "default", name: "w", subresource: .status) { old in
            var object = old ?? [:]
            object["status"] = ["ready": true]
            object[path: "spec", "size"] = 99
            object[path: "metadata", "labels"] = ["sneaky": "yes"]
            return object
        }.object
        #expect(withStatus["status"] == ["ready": true])
        #expect(withStatus[path: "spec", "size"] == 2)
        #expect(withStatus[path: "metadata", "labels"] == nil)

        let mainWrite = try store.update(F.widgets, namespace: "default", name: "w") { old in
            var object = old ?? [:]
            object["status"] = ["ready": false]
            object[path: "spec", "size"] = 4
            return object
        }.object
        #expect(mainWrite["status"] == ["ready": true])
        #expect(mainWrite[path: "spec", "size"] == 4)

        let noStatus = F.apiError { () throws(APIError) in
            try store.update(F.configMaps, namespace: "default", name: "w", subresource: .status) { $0 ?? [:] }
        }
        #expect(noStatus?.code == 404)
    }

    @Test("system fields keep their stored values whatever an update sends")
    func immutableMetadata() throws {
        let store = try F.makeStore()
        let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("app"))
        let updated = try store.update(F.configMaps, namespace: "default", name: "app") { old in
            var object = old ?? [:]
            object[path: "metadata", "uid"] = "forged"
            object[path: "metadata", "creationTimestamp"] = "2000-01-01T00:00:00Z"
            object[path: "metadata", "annotations"] = ["note": "x"]
            return object
        }.object
        #expect(updated.metadataUID == created.metadataUID)
        #expect(updated[path: "metadata", "creationTimestamp"] == created[path: "metadata", "creationTimestamp"])
        let renamed = F.apiError { () throws(APIError) in
            try store.update(F.configMaps, namespace: "default", name: "app") { old in
                var object = old ?? [:]
                object[path: "metadata", "name"] = "other"
                return object
            }
        }
        #expect(renamed?.code == 400)
        var withVersion = F.configMap("fresh")
        withVersion[path: "metadata", "resourceVersion"] = "5"
        let versioned = F.apiError { () throws(APIError) in try store.create(F.configMaps, namespace: "default", object: withVersion) }
        #expect(versioned?.code == 500 && versioned?.message.contains("resourceVersion should not be set on objects to be created") == true)
    }

    @Test("update can create when asked, and reports it")
    func createIfMissing() throws {
        let store = try F.makeStore()
        let result = try store.update(F.configMaps, namespace: "default", name: "made", createIfMissing: true) { old in
            #expect(old == nil)
            return F.configMap("made")
        }
        #expect(result.created)
        #expect(try store.get(F.configMaps, namespace: "default", name: "made").metadataUID == result.object.metadataUID)
        let again = try store.update(F.configMaps, namespace: "default", name: "made", createIfMissing: true) { old in
            var object = old ?? [:]
            object["data"] = ["key": "2"]
            return object
        }
        #expect(!again.created)
    }

    @Test("dry runs answer as if written and change nothing")
    func dryRun() throws {
        let store = try F.makeStore()
        let before = store.currentResourceVersion
        let preview = try store.create(F.configMaps, namespace: "default", object: F.configMap("dry"), options: .init(dryRun: true))
        #expect(preview.metadataName == "dry")
        #expect(store.currentResourceVersion == before)
        #expect(F.apiError { () throws(APIError) in try store.get(F.configMaps, namespace: "default", name: "dry") }?.code == 404)

        let real = try store.create(F.configMaps, namespace: "default", object: F.configMap("real"))
        let previewUpdate = try store.update(F.configMaps, namespace: "default", name: "real", options: .init(dryRun: true)) { old in
            var object = old ?? [:]
            object["data"] = ["key": "dry"]
            return object
        }
        #expect(previewUpdate.object["data"] == ["key": "dry"])
        #expect(try store.get(F.configMaps, namespace: "default", name: "real") == real)
        let previewDelete = try store.delete(F.configMaps, namespace: "default", name: "real", options: .init(dryRun: true))
        if case .deleted = previewDelete {} else { Issue.record("a dry-run delete of an object without finalizers reports deleted") }
        #expect(try store.get(F.configMaps, namespace: "default", name: "real") == real)
    }

    @Test("a kind's strategy defaults and validates after the metadata rules")
    func strategy() throws {
        let store = try F.makeStore()
        var noSize = F.widget("w")
        noSize["spec"] = [:]
        let created = try store.create(F.widgets, namespace: "default", object: noSize)
        #expect(created[path: "spec", "size"] == 1)
        let negative = F.apiError { () throws(APIError) in try store.create(F.widgets, namespace: "default", object: F.widget("n", size: -1)) }
        #expect(negative?.code == 422)
        #expect(negative?.message == "Widget \"n\" is invalid: spec.size: Invalid value: -1: must be greater than or equal to 0")
    }

    @Test("every version of a resource shares its storage and answers in the requested version")
    func versionsShareStorage() throws {
        let store = try F.makeStore()
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        let asV2 = try store.get(F.widgetsV2, namespace: "default", name: "w")
        #expect(asV2["apiVersion"] == "example.com/v2")
        #expect(try store.list(F.widgetsV2, namespace: "default").items.count == 1)
        #expect(store.resourceType(group: "example.com", version: "v2", plural: "widgets") == F.widgetsV2)
        #expect(store.registeredTypes.contains(F.widgets))
    }

    @Test("concurrent writers each get a distinct resourceVersion and every write is kept")
    func concurrentWrites() async throws {
        let store = try F.makeStore()
        let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    for index in 0..<50 {
                        let created = try store.create(F.configMaps, namespace: "default", object: F.configMap("w\(worker)-\(index)"))
                        mine.append(F.rv(created))
                    }
                    return mine
                }
            }
            var all: [Int] = []
            for try await batch in group { all += batch }
            return all
        }
        #expect(Set(versions).count == 400)
        #expect(try store.list(F.configMaps, namespace: "default").items.count == 400)
    }
}
