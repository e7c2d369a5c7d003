import ClusterCore
import Foundation
import JSON
import Testing

@testable import LocalCluster

/// How request paths, query strings, media types and protobuf bodies are read, without a server.
@Suite("Cluster request parsing")
struct ClusterRequestParsingTests {
    @Test("Resource paths: namespaced, cluster-wide, subresources, and namespaces' own subresources")
    func paths() {
        #expect(APIPath(path: "/api") == .coreVersions)
        #expect(APIPath(path: "/apis/apps/v1") == .resourceList(group: "apps", version: "v1"))
        #expect(APIPath(path: "/api/v1/namespaces/shop/configmaps/settings") == .resource(.init(
            group: "", version: "v1", plural: "configmaps", namespace: "shop", name: "settings", subresource: nil)))
        #expect(APIPath(path: "/apis/apps/v1/namespaces/shop/deployments/web/scale") == .resource(.init(
            group: "apps", version: "v1", plural: "deployments", namespace: "shop", name: "web", subresource: "scale")))
        #expect(APIPath(path: "/api/v1/namespaces/shop/status") == .resource(.init(
            group: "", version: "v1", plural: "namespaces", namespace: nil, name: "shop", subresource: "status")))
        #expect(APIPath(path: "/apis/example.com/v1/widgets") == .resource(.init(
            group: "example.com", version: "v1", plural: "widgets", namespace: nil, name: nil, subresource: nil)))
        #expect(APIPath(path: "/openapi/v3/apis/apps/v1") == .openAPIDocument("apis/apps/v1"))
        #expect(APIPath(path: "/api/v1/namespaces/a/pods/b/c/d") == nil)
        #expect(APIPath(path: "/metrics") == nil)
    }

    @Test("Query strings decode as Go's url.ParseQuery does")
    func queries() {
        let query = QueryParameters("labelSelector=app+in+%28a%2Cb%29&watch=1&limit=&dryRun=All&dryRun=All&broken=%zz")
        #expect(query["labelSelector"] == "app in (a,b)")
        #expect(query.flag("watch"))
        #expect(query.nonEmpty("limit") == nil)
        #expect(query.all("dryRun") == ["All", "All"])
        #expect(query["broken"] == "%zz")
        #expect(QueryParameters.decodePathSegment("a+b%3Ac") == "a+b:c")
    }

    @Test("Accept headers pick JSON, Table or aggregated discovery; protobuf alone is 406")
    func negotiation() throws {
        #expect(try MediaTypes.negotiate(accept: nil) == .json)
        #expect(try MediaTypes.negotiate(accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json") == .table)
        #expect(try MediaTypes.negotiate(accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json") == .aggregatedDiscovery)
        #expect(try MediaTypes.negotiate(accept: "application/vnd.kubernetes.protobuf, application/json") == .json)
        #expect(throws: (any Error).self) { try MediaTypes.negotiate(accept: "application/vnd.kubernetes.protobuf") }
        #expect(try MediaTypes.bodyType(contentType: "application/strategic-merge-patch+json; charset=utf-8") == .strategicMerge)
        #expect(throws: (any Error).self) { try MediaTypes.bodyType(contentType: "text/plain") }
    }

    @Test("/openapi/v2 answers gnostic protobuf in either spelling client-go uses, JSON for wildcards, 406 otherwise")
    func openAPIV2Negotiation() throws {
        #expect(APIPath(path: "/openapi/v2") == .openAPIV2)
        #expect(try MediaTypes.negotiateOpenAPIV2(accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf") == .protobuf)
        #expect(try MediaTypes.negotiateOpenAPIV2(accept: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf, application/json") == .protobuf)
        #expect(try MediaTypes.negotiateOpenAPIV2(accept: "*/*") == .json)
        #expect(try MediaTypes.negotiateOpenAPIV2(accept: nil) == .json)
        #expect(try MediaTypes.negotiateOpenAPIV2(accept: "text/html, application/json;q=0.9") == .json)
        let refused = #expect(throws: APIError.self) { try MediaTypes.negotiateOpenAPIV2(accept: "application/vnd.kubernetes.protobuf") }
        #expect(refused?.code == 406)
    }

    @Test("A protobuf ConfigMap decodes to its JSON form; truncated input is a 400")
    func protobuf() throws {
        func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { [UInt8(number << 3 | 2), UInt8(bytes.count)] + bytes }
        func text(_ number: Int, _ string: String) -> [UInt8] { field(number, Array(string.utf8)) }
        let metadata = text(1, "settings") + text(3, "") + field(11, text(1, "app") + text(2, "shop"))
        let configMap = field(1, metadata) + field(2, text(1, "color") + text(2, "blue"))
        let envelope = [0x6B, 0x38, 0x73, 0x00] + field(1, text(1, "v1") + text(2, "ConfigMap")) + field(2, configMap)
        let object = try ProtobufBodies.decodeObject(envelope)
        #expect(object == [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "settings", "labels": ["app": "shop"]],
            "data": ["color": "blue"],
        ])
        #expect(throws: (any Error).self) { try ProtobufBodies.decodeObject(Array(envelope.dropLast(3))) }
    }

    @Test("The admin token compares equal only to itself")
    func tokens() throws {
        let credentials = try ClusterCredentials.load(directory: nil, serverNames: ["localhost", "127.0.0.1"])
        #expect(credentials.acceptsToken(credentials.adminToken))
        #expect(!credentials.acceptsToken(credentials.adminToken + "x"))
        #expect(!credentials.acceptsToken(String(credentials.adminToken.dropLast())))
        #expect(!credentials.acceptsToken(""))
        #expect(credentials.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}
