import JSON
import Testing
@testable import ClusterCore

@Suite("Selector parsing and matching")
struct SelectorTests {
    static let labels: [String: String] = ["app": "web", "tier": "front", "replicas": "3", "empty": ""]

    @Test("label selectors match as the API server's do", arguments: [
        ("", true),
        ("app=web", true),
        ("app==web", true),
        ("app = web", true),
        ("app!=web", false),
        ("app!=db", true),
        ("missing!=x", true),
        ("app in (web, db)", true),
        ("app in (db)", false),
        ("app notin (db)", true),
        ("missing notin (db)", true),
        ("app", true),
        ("!app", false),
        ("!missing", true),
        ("missing", false),
        ("app=web,tier=front", true),
        ("app=web,tier=back", false),
        ("replicas>2", true),
        ("replicas<3", false),
        ("empty=", true),
        ("empty in (,x)", true),
        ("example.com/role=x", false),
        ("value in (in)", false),
    ])
    func labelMatching(selector: String, expected: Bool) throws {
        let parsed = try LabelSelector(parsing: selector)
        #expect(parsed.matches(Self.labels) == expected)
    }

    @Test("malformed label selectors are refused with the API server's wording", arguments: [
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app=web,", "found '', expected: identifier after ','"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
        ("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("app >> 3", "unable to parse requirement: found '>', expected: identifier"),
        ("app > x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("app notin", "unable to parse requirement: found '' expected: '('"),
    ])
    func labelErrors(selector: String, message: String) {
        do {
            _ = try LabelSelector(parsing: selector)
            Issue.record("\(selector) should not parse")
        } catch {
            #expect(error.code == 400)
            #expect(error.reason == "BadRequest")
            #expect(error.message == message)
        }
    }

    @Test("label keys and values are validated")
    func labelValidation() {
        #expect(throws: APIError.self) { try LabelSelector(parsing: "bad key!x=1") }
        #expect(throws: APIError.self) { try LabelSelector(parsing: "app=\(String(repeating: "a", count: 64))") }
        #expect(throws: APIError.self) { try LabelSelector(parsing: "-app=x") }
        #expect((try? LabelSelector(parsing: "example.com/app=x")) != nil)
    }

    static let pod: JSONValue = [
        "metadata": ["name": "web-1", "namespace": "prod"],
        "spec": ["nodeName": "node-a", "replicas": 2],
        "status": ["phase": "Running", "ready": true],
    ]

    static let pods = ResourceType(group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true)
    static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true)
    static let events = ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true)

    @Test("field selectors match the fields a Pod supports by path", arguments: [
        ("metadata.name=web-1", true),
        ("metadata.name==web-1", true),
        ("metadata.name!=web-1", false),
        ("metadata.namespace=prod,status.phase=Running", true),
        ("status.phase=Pending", false),
        ("spec.nodeName=node-a", true),
        ("status.podIP=", true),
        ("status.podIP!=", false),
        ("", true),
    ])
    func fieldMatching(selector: String, expected: Bool) throws {
        #expect(try FieldSelector(parsing: selector, for: Self.pods).matches(object: Self.pod) == expected)
    }

    @Test("an Event's source is its reporting component, as kubectl's event selectors expect")
    func eventFields() throws {
        let event: JSONValue = ["involvedObject": ["name": "release-2", "kind": "DeploymentRequest"], "source": ["component": "slipway-controller"],
                                "type": "Warning", "reason": "GateFailed"]
        #expect(try FieldSelector(parsing: "involvedObject.name=release-2,involvedObject.kind=DeploymentRequest", for: Self.events).matches(object: event))
        #expect(try FieldSelector(parsing: "source=slipway-controller,type=Warning,reason=GateFailed", for: Self.events).matches(object: event))
        #expect(try !FieldSelector(parsing: "source=kubelet", for: Self.events).matches(object: event))
    }

    @Test("escaped commas and equals signs belong to the value")
    func fieldEscapes() throws {
        let object: JSONValue = ["metadata": ["name": "a,b=c"]]
        #expect(try FieldSelector(parsing: #"metadata.name=a\,b\=c"#, for: Self.configMaps).matches(object: object))
    }

    @Test("malformed field selectors and fields the kind does not support answer 400, as kube-apiserver words it", arguments: [
        ("metadata.name", "pods", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("metadata.labels=x", "pods", "field label not supported: metadata.labels"),
        ("=x", "pods", "invalid selector: '=x'; can't understand '=x'"),
        ("spec..x=1", "pods", "field label not supported: spec..x"),
        ("spec.replicas=2", "pods", "field label not supported: spec.replicas"),
        ("status.phase=Running", "configmaps", "field label not supported: status.phase"),
        ("data.mode=fast", "configmaps", "field label not supported: data.mode"),
        ("type=Warning", "configmaps", "field label not supported: type"),
    ])
    func fieldErrors(selector: String, resource: String, message: String) {
        let type = resource == "pods" ? Self.pods : Self.configMaps
        do {
            _ = try FieldSelector(parsing: selector, for: type)
            Issue.record("\(selector) should not parse for \(resource)")
        } catch {
            #expect(error.code == 400)
            #expect(error.message == message)
        }
    }

    @Test("an object's spec.selector converts to the same requirements")
    func selectorObject() throws {
        let selector = try LabelSelector(selectorObject: [
            "matchLabels": ["app": "web"],
            "matchExpressions": [["key": "tier", "operator": "In", "values": ["front", "edge"]], ["key": "canary", "operator": "DoesNotExist"]],
        ])
        #expect(selector.matches(["app": "web", "tier": "edge"]))
        #expect(!selector.matches(["app": "web", "tier": "edge", "canary": "yes"]))
        #expect(!selector.matches(["app": "db", "tier": "front"]))
        #expect(throws: APIError.self) { try LabelSelector(selectorObject: ["matchExpressions": [["key": "a", "operator": "Near"]]]) }
    }
}
