import Foundation
import HTTP
import JSON
@testable import Kube
import Logging
import Synchronization
import Testing

/// The client's requests and its handling of answers, against a scripted transport.
@Suite("Kube client requests")
struct KubeClientRequestTests {
    static let configuration = ClusterConfiguration(server: "https://kube.test:6443/", namespace: "shop",
                                                    tls: TLSSettings(certificateAuthorityPEM: Array("CA".utf8), serverName: "api"),
                                                    credentials: .bearerToken("SECRET-TOKEN"))

    static func configMap(_ name: String, rv: String = "1") -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"shop","resourceVersion":"\#(rv)"},"data":{"k":"v"}}"#
    }

    static let notFound = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"configmaps"},"code":404}"#

    @Test("get sends GET to the object's path with Accept, bearer token, user agent and TLS settings")
    func get() async throws {
        let cluster = FakeCluster { _ in .response(status: 200, body: Self.configMap("a")) }
        let client = try cluster.client(Self.configuration)
        let object = try await client.get(ConfigMap.self, name: "a")
        #expect(object.data?["k"] == "v")
        let request = try #require(cluster.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == "https://kube.test:6443/api/v1/namespaces/shop/configmaps/a")
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("Authorization") == "Bearer SECRET-TOKEN")
        let transport = try #require(cluster.transports.first)
        #expect(transport.configuration.userAgent == "slipway/\(KubeClient.version)")
        #expect(transport.configuration.tls.certificateAuthorityPEM == Array("CA".utf8))
        #expect(transport.configuration.tls.serverName == "api")
        #expect(!transport.configuration.tls.insecureSkipVerify)
        client.shutdown()
        #expect(transport.isShutDown)
    }

    @Test("a 404 is a typed not-found error with the server's Status")
    func notFound() async throws {
        let cluster = FakeCluster { _ in .response(status: 404, body: Self.notFound) }
        let client = try cluster.client(Self.configuration)
        do {
            _ = try await client.get(ConfigMap.self, name: "x", namespace: "other")
            Issue.record("expected an error")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description.contains("configmaps \"x\" not found"))
            #expect(!error.description.contains("SECRET-TOKEN"))
        }
        #expect(cluster.requests.first?.target == "/api/v1/namespaces/other/configmaps/x")
    }

    @Test("a transport failure is a transport error, not an API error")
    func transportFailure() async throws {
        let cluster = FakeCluster { _ in .failure(.transport(code: 7, message: "Couldn't connect to server")) }
        let client = try cluster.client(Self.configuration)
        await #expect {
            _ = try await client.get(.configMaps, name: "a")
        } throws: { error in
            guard case KubeError.transport(.transport(code: 7, _)) = error else { return false }
            return true
        }
    }

    @Test("list sends selectors, paging and resourceVersion options as escaped query items")
    func listQuery() async throws {
        let cluster = FakeCluster { _ in .response(status: 200, body: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"77"},"items":[\#(Self.configMap("a"))]}"#) }
        let client = try cluster.client(Self.configuration)
        let page = try await client.list(ConfigMap.self, namespace: "shop", options: ListOptions(
            labelSelector: "app in (web,api)", fieldSelector: "metadata.name!=b", limit: 10, continueToken: "c1",
            resourceVersion: "5", resourceVersionMatch: .notOlderThan))
        #expect(page.items.count == 1)
        #expect(page.metadata.resourceVersion == "77")
        #expect(cluster.requests.first?.target == "/api/v1/namespaces/shop/configmaps?labelSelector=app%20in%20%28web%2Capi%29&fieldSelector=metadata.name%21%3Db&limit=10&continue=c1&resourceVersion=5&resourceVersionMatch=NotOlderThan")
        _ = try await client.list(.deployments)
        #expect(cluster.requests.last?.target == "/apis/apps/v1/deployments")
    }

    @Test("listAll follows continue tokens and returns every item with the last page's resourceVersion")
    func listAll() async throws {
        let cluster = FakeCluster { request in
            let target = request.target
            if target.contains("continue=p2") {
                return .response(status: 200, body: #"{"metadata":{"resourceVersion":"10","continue":"p3","remainingItemCount":1},"items":[\#(Self.configMap("b"))]}"#)
            }
            if target.contains("continue=p3") {
                return .response(status: 200, body: #"{"metadata":{"resourceVersion":"10"},"items":[\#(Self.configMap("c"))]}"#)
            }
            return .response(status: 200, body: #"{"metadata":{"resourceVersion":"10","continue":"p2","remainingItemCount":2},"items":[\#(Self.configMap("a"))]}"#)
        }
        let client = try cluster.client(Self.configuration)
        let all = try await client.listAll(ConfigMap.self, namespace: "shop", options: ListOptions(labelSelector: "x=y", resourceVersion: "0"))
        #expect(all.items.map(\.metadata.name) == ["a", "b", "c"])
        #expect(all.metadata.resourceVersion == "10")
        #expect(all.metadata.continue == nil)
        let targets = cluster.requests.map(\.target)
        #expect(targets.count == 3)
        #expect(targets[0] == "/api/v1/namespaces/shop/configmaps?labelSelector=x%3Dy&limit=500&resourceVersion=0")
        #expect(targets[1] == "/api/v1/namespaces/shop/configmaps?labelSelector=x%3Dy&limit=500&continue=p2")
        let dynamic = try await client.listAll(.configMaps, namespace: "shop")
        #expect(dynamic.items.compactMap(\.name) == ["a", "b", "c"])
    }

    @Test("create POSTs JSON to the collection of the object's namespace, with dryRun and fieldManager")
    func create() async throws {
        let cluster = FakeCluster { request in .response(status: 201, body: String(decoding: request.body ?? [], as: UTF8.self)) }
        let client = try cluster.client(Self.configuration)
        let made = try await client.create(ConfigMap(metadata: ObjectMeta(name: "new", namespace: "team"), data: ["a": "b"]),
                                           options: WriteOptions(dryRun: true, fieldManager: "slipway"))
        #expect(made.metadata.name == "new")
        let request = try #require(cluster.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/api/v1/namespaces/team/configmaps?dryRun=All&fieldManager=slipway")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.bodyJSON?["kind"] == "ConfigMap")
        #expect(request.bodyJSON?[path: "data", "a"] == "b")
    }

    @Test("update PUTs the object with its resourceVersion; a 409 is a typed conflict")
    func updateConflict() async throws {
        let cluster = FakeCluster { _ in
            .response(status: 409, body: #"{"kind":"Status","status":"Failure","reason":"Conflict","message":"Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again","details":{"name":"a","kind":"configmaps"},"code":409}"#)
        }
        let client = try cluster.client(Self.configuration)
        var object = ConfigMap(metadata: ObjectMeta(name: "a", resourceVersion: "3"), data: ["k": "new"])
        object.metadata.namespace = "shop"
        do {
            _ = try await client.update(object)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.isConflict)
            #expect(!error.isAlreadyExists)
        }
        let request = try #require(cluster.requests.first)
        #expect(request.method == "PUT")
        #expect(request.target == "/api/v1/namespaces/shop/configmaps/a")
        #expect(request.bodyJSON?[path: "metadata", "resourceVersion"] == "3")
    }

    @Test("each patch type sends its content type, body and query")
    func patches() async throws {
        let cluster = FakeCluster { _ in .response(status: 200, body: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{},"template":{}}}"#) }
        let client = try cluster.client(Self.configuration)
        _ = try await client.patch(Deployment.self, name: "web", patch: .json([["op": "replace", "path": "/spec/replicas", "value": 3]]))
        _ = try await client.patch(Deployment.self, name: "web", patch: .merge(["spec": ["replicas": 2]]), options: WriteOptions(fieldManager: "m"))
        _ = try await client.patch(Deployment.self, name: "web", patch: .strategicMerge(["spec": ["template": ["spec": ["containers": [["name": "web", "image": "x:2"]]]]]]))
        _ = try await client.patch(Deployment.self, name: "web", patch: .apply(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"]], fieldManager: "slipway", force: true),
                                   options: WriteOptions(dryRun: true))
        let requests = cluster.requests
        #expect(requests.map(\.method) == ["PATCH", "PATCH", "PATCH", "PATCH"])
        #expect(requests.map { $0.header("Content-Type") ?? "" } == [
            "application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml",
        ])
        #expect(requests[0].bodyJSON?[0]?["op"] == "replace")
        #expect(requests[1].target == "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=m")
        #expect(requests[3].target == "/apis/apps/v1/namespaces/shop/deployments/web?dryRun=All&fieldManager=slipway&force=true")
    }

    @Test("apply sends the object as an apply patch in its own namespace, with apiVersion and kind")
    func apply() async throws {
        let cluster = FakeCluster { request in .response(status: 200, body: String(decoding: request.body ?? [], as: UTF8.self)) }
        let client = try cluster.client(Self.configuration)
        var object = ConfigMap(metadata: ObjectMeta(name: "cfg", namespace: "team"), data: ["a": "1"])
        object.apiVersion = nil
        object.kind = nil
        let applied = try await client.apply(object, fieldManager: "slipway", force: true)
        #expect(applied.data?["a"] == "1")
        let request = try #require(cluster.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.target == "/api/v1/namespaces/team/configmaps/cfg?fieldManager=slipway&force=true")
        #expect(request.header("Content-Type") == "application/apply-patch+yaml")
        #expect(request.bodyJSON?["kind"] == "ConfigMap")
        #expect(request.bodyJSON?["apiVersion"] == "v1")
        #expect(request.bodyJSON?["status"] == nil)

        let route = DynamicObject(resource: .httpRoutes, name: "web", namespace: "shop")
        _ = try await client.apply(.httpRoutes, route, fieldManager: "slipway")
        #expect(cluster.requests.last?.target == "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/web?fieldManager=slipway")
    }

    @Test("the status subresource is addressed for get, update and patch")
    func statusSubresource() async throws {
        let cluster = FakeCluster { _ in .response(status: 200, body: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"status":{"readyReplicas":1}}"#) }
        let client = try cluster.client(Self.configuration)
        let read = try await client.getStatus(Deployment.self, name: "web")
        #expect(read.status?.readyReplicas == 1)
        _ = try await client.updateStatus(read)
        _ = try await client.patchStatus(Deployment.self, name: "web", patch: .merge(["status": ["replicas": 1]]))
        let custom = ResourceDescriptor(group: "slipway.dev", version: "v1alpha1", plural: "deploymentrequests", kind: "DeploymentRequest", namespaced: true)
        _ = try await client.patchStatus(custom, name: "r", patch: .merge(["status": ["phase": "Queued"]]))
        #expect(cluster.requests.map { "\($0.method) \($0.target)" } == [
            "GET /apis/apps/v1/namespaces/shop/deployments/web/status",
            "PUT /apis/apps/v1/namespaces/shop/deployments/web/status",
            "PATCH /apis/apps/v1/namespaces/shop/deployments/web/status",
            "PATCH /apis/slipway.dev/v1alpha1/namespaces/shop/deploymentrequests/r/status",
        ])
    }

    @Test("delete sends propagation policy and preconditions, and tells a finished delete from a pending one")
    func delete() async throws {
        let cluster = FakeCluster { request in
            if request.target.hasSuffix("/gone") {
                return .response(status: 200, body: #"{"kind":"Status","apiVersion":"v1","status":"Success","details":{"name":"gone","kind":"configmaps"}}"#)
            }
            return .response(status: 200, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["x"]}}"#)
        }
        let client = try cluster.client(Self.configuration)
        let gone = try await client.delete(ConfigMap.self, name: "gone", options: DeleteOptions(
            propagationPolicy: .foreground, preconditionUID: "u-1", preconditionResourceVersion: "9", dryRun: true))
        guard case .deleted(let status) = gone else {
            Issue.record("expected a finished delete")
            return
        }
        #expect(status.details?.name == "gone")
        let held = try await client.delete(ConfigMap.self, name: "held")
        guard case .pending(let object) = held else {
            Issue.record("expected a pending delete")
            return
        }
        #expect(object.metadata.deletionTimestamp != nil)
        let body = try #require(cluster.requests.first?.bodyJSON)
        #expect(cluster.requests.first?.method == "DELETE")
        #expect(body["kind"] == "DeleteOptions")
        #expect(body["propagationPolicy"] == "Foreground")
        #expect(body[path: "preconditions", "uid"] == "u-1")
        #expect(body[path: "preconditions", "resourceVersion"] == "9")
        #expect(body["dryRun"] == ["All"])
    }

    @Test("deleteCollection deletes by selector in the default namespace")
    func deleteCollection() async throws {
        let cluster = FakeCluster { _ in .response(status: 200, body: #"{"kind":"ConfigMapList","metadata":{},"items":[]}"#) }
        let client = try cluster.client(Self.configuration)
        try await client.deleteCollection(.configMaps, listOptions: ListOptions(labelSelector: "app=web"), options: DeleteOptions(propagationPolicy: .background))
        #expect(cluster.requests.first?.method == "DELETE")
        #expect(cluster.requests.first?.target == "/api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb")
        #expect(cluster.requests.first?.bodyJSON?["propagationPolicy"] == "Background")
    }

    @Test("cluster-scoped resources ignore namespaces; dynamic objects keep every field")
    func clusterScopedAndDynamic() async throws {
        let cluster = FakeCluster { request in
            if request.method == "POST" { return .response(status: 201, body: String(decoding: request.body ?? [], as: UTF8.self)) }
            return .response(status: 200, body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"},"spec":{"finalizers":["kubernetes"]},"extra":{"kept":true}}"#)
        }
        let client = try cluster.client(Self.configuration)
        let namespace = try await client.get(.namespaces, name: "team", namespace: "ignored")
        #expect(namespace["extra"]?["kept"] == true)
        #expect(cluster.requests.last?.target == "/api/v1/namespaces/team")
        var route = DynamicObject(resource: .httpRoutes, name: "web", namespace: "shop")
        route["spec"] = ["rules": [["backendRefs": [["name": "blue", "weight": 90], ["name": "green", "weight": 10]]]]]
        let created = try await client.create(.httpRoutes, route)
        #expect(created[path: "spec", "rules"]?[0]?["backendRefs"]?[1]?["weight"] == 10)
        #expect(cluster.requests.last?.target == "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes")
    }

    @Test("a 401 re-reads a rotated token file and retries once; a static token is not retried")
    func unauthorizedRetry() async throws {
        let dir = try TemporaryDirectory()
        let tokenPath = try dir.write("token", "old-token")
        let cluster = FakeCluster { request in
            request.header("Authorization") == "Bearer new-token"
                ? .response(status: 200, body: Self.configMap("a"))
                : .response(status: 401, body: #"{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)
        }
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: tokenPath)
        let tokenFile = TokenFile(path: tokenPath, refreshInterval: .seconds(3600))
        let client = try cluster.client(ClusterConfiguration(server: "https://k", credentials: .tokenFile(tokenFile)))
        #expect(try tokenFile.token() == "old-token")
        // Rotated behind the client's back with the same size and time: only the 401 reveals it.
        try "new-token".write(toFile: tokenPath, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: tokenPath)
        _ = try await client.get(ConfigMap.self, name: "a")
        #expect(cluster.requests.map { $0.header("Authorization") ?? "" } == ["Bearer old-token", "Bearer new-token"])

        let staticCluster = FakeCluster { _ in .response(status: 401, body: "") }
        let staticClient = try staticCluster.client(Self.configuration)
        await #expect { _ = try await staticClient.get(ConfigMap.self, name: "a") } throws: { error in
            (error as? KubeError)?.isUnauthorized == true
        }
        #expect(staticCluster.requests.count == 1)
    }

    @Test("a 401 runs the exec plugin again; a plugin certificate becomes the transport's client certificate")
    func execCredentials() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("plugin", """
        #!/bin/sh
        echo run >> "$1"
        count=$(wc -l < "$1" | tr -d ' ')
        echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"exec-$count\\",\\"clientCertificateData\\":\\"CERT-$count\\",\\"clientKeyData\\":\\"KEY-$count\\"}}"
        """, executable: true)
        let provider = ExecCredentialProvider(config: ExecConfig(command: "./plugin", args: [(dir.path as NSString).appendingPathComponent("runs")], baseDirectory: dir.path))
        let cluster = FakeCluster { request in
            request.header("Authorization") == "Bearer exec-2"
                ? .response(status: 200, body: Self.configMap("a"))
                : .response(status: 401, body: "")
        }
        let client = try cluster.client(ClusterConfiguration(server: "https://k", credentials: .exec(provider)))
        _ = try await client.get(ConfigMap.self, name: "a")
        #expect(await provider.runCount == 2)
        let transports = cluster.transports
        #expect(transports.map { $0.configuration.tls.clientCertificatePEM.map { String(decoding: $0, as: UTF8.self) } } == [nil, "CERT-1", "CERT-2"])
        #expect(transports.last?.configuration.tls.clientKeyPEM == Array("KEY-2".utf8))
        _ = try await client.get(ConfigMap.self, name: "a")
        #expect(await provider.runCount == 2)
        #expect(cluster.transports.count == 3)
        client.shutdown()
        #expect(cluster.transports.allSatisfy { $0.isShutDown })
    }

    @Test("logs carry verb, resource, namespace, name and status, and never the token")
    func logging() async throws {
        let cluster = FakeCluster { request in
            request.target.contains("missing") ? .response(status: 404, body: Self.notFound) : .response(status: 200, body: Self.configMap("a"))
        }
        let logger = Logger(label: "kube-log-test") { _ in CapturingLogHandler() }
        let client = try cluster.client(Self.configuration, logger: logger)
        _ = try await client.get(ConfigMap.self, name: "logged-name")
        _ = try? await client.get(ConfigMap.self, name: "missing")
        let lines = CapturingLogHandler.lines.withLock { $0 }.filter { $0.contains("logged-name") || $0.contains("missing") }
        #expect(lines.contains { $0.contains("verb=get") && $0.contains("status=200") && $0.contains("namespace=shop") && $0.contains("resource=configmaps") })
        #expect(lines.contains { $0.contains("status=404") && $0.contains("reason=NotFound") })
        #expect(!CapturingLogHandler.lines.withLock { $0 }.contains { $0.contains("SECRET-TOKEN") })
    }
}
