import Foundation
import JSON
import Testing
@testable import ClusterCore

@Suite("Store list, selectors and pagination")
struct StoreListTests {
    typealias F = StoreFixtures

    @Test("pages of 100 over 1,234 objects list every object exactly once, in order")
    func pagination() throws {
        let store = try F.makeStore()
        for namespace in ["alpha", "beta"] {
            _ = try store.create(F.namespaces, namespace: nil, object: ["metadata": ["name": .string(namespace)]])
        }
        var expected: [String] = []
        for index in 0..<1_234 {
            let namespace = index % 2 == 0 ? "alpha" : "beta"
            let name = "cm-\(String(1_234 - index))"
            _ = try store.create(F.configMaps, namespace: namespace, object: F.configMap(name, namespace: namespace))
            expected.append("\(namespace)/\(name)")
        }
        expected.sort { ObjectKey(path: $0) < ObjectKey(path: $1) }

        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try store.list(F.configMaps, namespace: nil, options: .init(limit: 100, continueToken: token))
            pages += 1
            seen += page.items.map { "\($0.metadataNamespace)/\($0.metadataName)" }
            token = page.continueToken
            if let remaining = page.remainingItemCount { #expect(remaining == 1_234 - seen.count) }
            #expect((token == nil) == (seen.count == 1_234))
        } while token != nil && pages < 100
        #expect(pages == 13)
        #expect(seen == expected)
        #expect(Set(seen).count == 1_234)
    }

    @Test("a namespace lists its own objects only; order is namespace, then name")
    func namespaceScope() throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "kube-system", object: F.configMap("b", namespace: "kube-system"))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("z"))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        let all = try store.list(F.configMaps, namespace: nil).items.map { "\($0.metadataNamespace)/\($0.metadataName)" }
        #expect(all == ["default/a", "default/z", "kube-system/b"])
        let own = try store.list(F.configMaps, namespace: "default")
        #expect(own.items.map(\.metadataName) == ["a", "z"])
        #expect(own.resourceVersion == store.currentResourceVersion)
        #expect(own.items.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" })
    }

    @Test("label and field selectors filter lists")
    func selectors() throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("web", labels: ["app": "web", "tier": "front"], data: ["mode": "fast"]))
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("db", labels: ["app": "db"], data: ["mode": "safe"]))
        _ = try store.create(F.configMaps, namespace: "kube-system", object: F.configMap("plain", namespace: "kube-system"))
        func names(_ label: String? = nil, _ field: String? = nil) throws -> [String] {
            try store.list(F.configMaps, namespace: nil, options: .init(labelSelector: label, fieldSelector: field)).items.map(\.metadataName)
        }
        #expect(try names("app=web") == ["web"])
        #expect(try names("app in (web,db)") == ["db", "web"])
        #expect(try names("app notin (web)") == ["db", "plain"])
        #expect(try names("!app") == ["plain"])
        #expect(try names("app,tier!=back") == ["db", "web"])
        #expect(try names("app,tier") == ["web"])
        #expect(try names(nil, "metadata.name=db") == ["db"])
        #expect(try names(nil, "metadata.namespace!=default") == ["plain"])
        #expect(try names("app", "metadata.namespace=default,metadata.name!=web") == ["db"])

        let badLabel = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(labelSelector: "app in web")) }
        #expect(badLabel?.code == 400)
        #expect(badLabel?.message == "unable to parse requirement: found 'web' expected: '('")
        let badField = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(fieldSelector: "metadata.labels=x")) }
        #expect(badField?.code == 400 && badField?.message == "field label not supported: metadata.labels")
        // A ConfigMap's data is not a field label, though it is a field: kube-apiserver refuses it too.
        let dataField = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(fieldSelector: "data.mode==safe")) }
        #expect(dataField?.code == 400 && dataField?.message == "field label not supported: data.mode")
    }

    @Test("resourceVersion and resourceVersionMatch follow the API server's rules")
    func resourceVersionSemantics() throws {
        let store = try F.makeStore()
        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        let current = store.currentResourceVersion
        #expect(try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: current, resourceVersionMatch: "Exact")).items.count == 1)
        #expect(try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: "0")).items.count == 1)
        #expect(try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: current, resourceVersionMatch: "NotOlderThan")).items.count == 1)

        _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("b"))
        let gone = F.apiError { () throws(APIError) in
            try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: current, resourceVersionMatch: "Exact"))
        }
        #expect(gone?.code == 410 && gone?.message.hasPrefix("too old resource version: \(current)") == true)
        // Changes to other resources do not age a ConfigMap list.
        _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        let afterB = String(Int(store.currentResourceVersion)! - 1)
        #expect(try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: afterB, resourceVersionMatch: "Exact")).items.count == 2)

        let future = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: "999999")) }
        #expect(future?.code == 504)
        let matchAlone = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(resourceVersionMatch: "Exact")) }
        #expect(matchAlone?.code == 400 && matchAlone?.message == "resourceVersionMatch is forbidden unless resourceVersion is provided")
        let exactZero = F.apiError { () throws(APIError) in
            try store.list(F.configMaps, namespace: nil, options: .init(resourceVersion: "0", resourceVersionMatch: "Exact"))
        }
        #expect(exactZero?.code == 400)
        let badToken = F.apiError { () throws(APIError) in try store.list(F.configMaps, namespace: nil, options: .init(limit: 1, continueToken: "%%%")) }
        #expect(badToken?.code == 400)
    }

    @Test("a continuation resumes after its last key even when that object is gone")
    func continuationAfterChanges() throws {
        let store = try F.makeStore()
        for name in ["a", "b", "c", "d"] { _ = try store.create(F.configMaps, namespace: "default", object: F.configMap(name)) }
        let first = try store.list(F.configMaps, namespace: "default", options: .init(limit: 2))
        #expect(first.items.map(\.metadataName) == ["a", "b"])
        #expect(first.remainingItemCount == 2)
        _ = try store.delete(F.configMaps, namespace: "default", name: "b")
        let second = try store.list(F.configMaps, namespace: "default", options: .init(limit: 2, continueToken: first.continueToken))
        #expect(second.items.map(\.metadataName) == ["c", "d"])
        #expect(second.continueToken == nil)
    }
}
