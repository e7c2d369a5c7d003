import Foundation
import JSON
@testable import Kube
import Testing

/// `JSONValueDecoder` replaced `JSONDecoder` on every path that decodes API objects, so it must
/// agree with it: the same values from the same documents and the same failures with the same
/// coding paths (users read those paths in decoding errors).
@Suite("JSONValueDecoder")
struct JSONValueDecoderTests {
    private func both<T: Decodable & Equatable>(_ type: T.Type, _ json: String) throws -> (ours: T, foundation: T) {
        let ours = try JSONValueDecoder().decode(T.self, from: Array(json.utf8))
        let foundation = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        return (ours, foundation)
    }

    private func failures<T: Decodable>(_ type: T.Type, _ json: String) -> (ours: String, foundation: String) {
        func text(_ body: () throws -> T) -> String {
            do {
                _ = try body()
                return "decoded"
            } catch {
                return DecodingFailureText.describe(error)
            }
        }
        return (text { try JSONValueDecoder().decode(T.self, from: Array(json.utf8)) },
                text { try JSONDecoder().decode(T.self, from: Data(json.utf8)) })
    }

    @Test("a Deployment with unmodelled fields decodes to the same value as with JSONDecoder, and re-encodes them")
    func deploymentParity() throws {
        let decoded = try both(Deployment.self, KubeObjectTests.deploymentJSON)
        #expect(try JSONValue(encoding: decoded.ours).sortingKeys() == JSONValue(encoding: decoded.foundation).sortingKeys())
        // Unlike JSONDecoder's, free-form members keep the order the server sent.
        #expect(decoded.ours.spec?.template.spec?.containers.first?.readinessProbe?[path: "httpGet"]?.objectValue?.keys.elements == ["path", "port"])
        let container = try #require(decoded.ours.spec?.template.spec?.containers.first)
        #expect(container.env?[1].valueFrom?[path: "secretKeyRef", "key"] == "k")
        let reencoded = try JSONValue(encoding: decoded.ours)
        let original = try JSONValue(parsing: KubeObjectTests.deploymentJSON)
        #expect(reencoded[path: "spec", "template", "spec", "volumes"]?.sortingKeys()
                == original[path: "spec", "template", "spec", "volumes"]?.sortingKeys())
    }

    @Test("Services with named and numbered target ports, Status and lists decode as with JSONDecoder")
    func serviceStatusListParity() throws {
        let service = #"""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop","labels":{"a":"b"}},
         "spec":{"selector":{"app":"web","slot":"blue"},"type":"ClusterIP","clusterIP":"10.0.0.1",
                 "ports":[{"name":"http","port":80,"targetPort":"http"},{"port":81,"targetPort":8081,"protocol":"TCP"}]},
         "status":{"loadBalancer":{}}}
        """#
        let services = try both(Service.self, service)
        #expect(services.ours == services.foundation)
        let status = try both(Status.self, #"{"kind":"Status","status":"Failure","message":"no","reason":"Conflict","code":409,"details":{"name":"web","kind":"deployments"}}"#)
        #expect(status.ours == status.foundation)
        let listJSON = #"{"kind":"ServiceList","metadata":{"resourceVersion":"7","continue":"abc"},"items":[\#(service),\#(service)]}"#
        let list = try JSONValueDecoder().decode(ObjectList<Service>.self, from: Array(listJSON.utf8))
        #expect(list.items == [services.foundation, services.foundation])
        #expect(list.metadata.resourceVersion == "7")
    }

    @Test("watch events of typed objects decode through it, bookmarks and errors included")
    func watchEvents() throws {
        var decoder = WatchEventDecoder<Service>()
        let lines = #"""
        {"type":"ADDED","object":{"metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}}}
        {"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}
        {"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}

        """#
        let events = try decoder.decode(Array(lines.utf8))
        #expect(events.count == 3)
        #expect(events[0].object?.metadata.name == "a")
        guard case .bookmark(let bookmark) = events[1], case .error(let status) = events[2] else {
            Issue.record("expected a bookmark and an error, got \(events.map(\.type))")
            return
        }
        #expect(bookmark.resourceVersion == "12")
        #expect(status.code == 410)
    }

    @Test("failures name the same field and the same problem as JSONDecoder's")
    func failureParity() {
        let cases = [
            #"{"metadata":{"name":"web"},"spec":{"replicas":"three","selector":{},"template":{}}}"#,
            #"{"metadata":{"name":"web"},"spec":{"replicas":3,"template":{}}}"#,
            #"{"metadata":{"name":7}}"#,
            #"{"metadata":{"name":"web"},"spec":{"selector":{},"template":{"spec":{"containers":[{"name":"a"},{"name":null}]}}}}"#,
            #"[]"#,
        ]
        for json in cases {
            let outcome = failures(Deployment.self, json)
            #expect(outcome.ours == outcome.foundation, "\(json)")
            #expect(outcome.ours != "decoded")
        }
        // Where JSONDecoder only says the data was not valid JSON, the field is named.
        let fraction = failures(Deployment.self, #"{"metadata":{"name":"web"},"spec":{"replicas":2.5,"selector":{},"template":{}}}"#)
        #expect(fraction.ours == "spec.replicas: Parsed JSON number <2.5> does not fit in Int.")
    }

    private struct Scalars: Codable, Equatable {
        var whole: Int
        var small: Int8?
        var ratio: Double
        var flag: Bool
        var bytes: Data
        var link: URL
        var maybe: String?
        var list: [Int?]
        var nested: [String: [String]]
        var free: JSONValue?
    }

    @Test("scalars follow JSONDecoder's defaults: whole doubles as integers, base64 Data, URL strings, null as absent")
    func scalarParity() throws {
        let json = #"{"whole":2.0,"small":-3,"ratio":1,"flag":true,"bytes":"aGk=","link":"https://example.com/a?b=c","maybe":null,"list":[1,null,3],"nested":{"a":["x"]},"free":{"k":[1,"two",null]}}"#
        let ours = try JSONValueDecoder().decode(Scalars.self, from: Array(json.utf8))
        let foundation = try JSONDecoder().decode(Scalars.self, from: Data(json.utf8))
        #expect(ours.whole == foundation.whole && ours.small == foundation.small && ours.ratio == foundation.ratio)
        #expect(ours.bytes == Data("hi".utf8) && ours.link == foundation.link && ours.list == foundation.list)
        #expect(ours.maybe == nil && ours.nested == foundation.nested)
        #expect(ours.free == .object(["k": .array([.int(1), .string("two"), .null])]))
        let tooBig = failures(Scalars.self, json.replacingOccurrences(of: #""small":-3"#, with: #""small":300"#))
        #expect(tooBig.ours.contains("small") && tooBig.ours.contains("does not fit in Int8"), "\(tooBig.ours)")
        let malformed = #expect(throws: JSONError.self) { try JSONValueDecoder().decode(Scalars.self, from: Array(#"{"whole":"#.utf8)) }
        #expect(malformed != nil)
    }
}

/// `JSONValueEncoder` replaced `JSONEncoder` for request bodies and `JSONValue(encoding:)`: the
/// same documents. (Foundation's member order is not stable; ours is the order of encoding.)
@Suite("JSONValueEncoder")
struct JSONValueEncoderTests {
    private func foundation(_ value: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try JSONValue(parsing: encoder.encode(value))
    }

    @Test("typed objects encode to what JSONEncoder writes, in the order they are encoded, unmodelled fields included")
    func objectParity() throws {
        let deployment = try JSONValueDecoder().decode(Deployment.self, from: Array(KubeObjectTests.deploymentJSON.utf8))
        let ours = try JSONValueEncoder().encode(deployment)
        #expect(ours.sortingKeys() == (try foundation(deployment)).sortingKeys())
        #expect(ours.objectValue?.keys.elements == ["apiVersion", "kind", "metadata", "spec", "status"])
        #expect(ours[path: "spec", "template", "spec", "containers"]?[0]?["securityContext"]?["runAsNonRoot"] == true)
        let status = Status(message: "no", reason: "Conflict", code: 409)
        #expect(try JSONValueEncoder().encode(status).sortingKeys() == foundation(status).sortingKeys())
        let bytes = try JSONValueEncoder().encodeToBytes(deployment)
        #expect(try JSONValue(parsing: bytes) == ours)
    }

    private struct Scalars: Codable, Equatable {
        var whole: Int
        var big: UInt64
        var ratio: Double
        var bytes: Data
        var link: URL
        var absent: String?
        var list: [Int?]
        var nested: [[String]]
        var free: JSONValue
    }

    @Test("scalars follow JSONEncoder's defaults, absent optionals are left out, and a non-finite number is an error")
    func scalars() throws {
        let value = Scalars(whole: -3, big: 7, ratio: 0.25, bytes: Data("hi".utf8), link: URL(string: "https://example.com/a?b=c")!,
                            absent: nil, list: [1, nil], nested: [["a"], []], free: ["k": [1, "two", .null]])
        let ours = try JSONValueEncoder().encode(value)
        #expect(ours.sortingKeys() == (try foundation(value)).sortingKeys())
        #expect(ours["absent"] == nil)
        #expect(ours["bytes"] == "aGk=")
        #expect(try JSONValueDecoder().decode(Scalars.self, from: ours) == value)
        var infinite = value
        infinite.ratio = .infinity
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(infinite) }
    }
}
