import ClusterCore
import JSON
import Kube
import SlipwayAPI
import Testing
import YAML

@Suite("SlipwayAPI CRDs")
struct SlipwayAPICRDTests {
    @Test("both CRDs declare slipway.dev/v1alpha1, namespaced, short names, category and status subresource")
    func crdNames() throws {
        for (path, resource, shortName) in [(Fixtures.targetCRDPath, ResourceDescriptor.deploymentTargets, "dt"),
                                            (Fixtures.requestCRDPath, ResourceDescriptor.deploymentRequests, "dr")] {
            let crd = try Fixtures.crd(path)
            #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1")
            #expect(crd["kind"] == "CustomResourceDefinition")
            #expect(crd[path: "metadata", "name"]?.stringValue == resource.description)
            #expect(crd[path: "spec", "group"]?.stringValue == SlipwayGroup.group)
            #expect(crd[path: "spec", "scope"] == "Namespaced")
            #expect(crd[path: "spec", "names", "kind"]?.stringValue == resource.kind)
            #expect(crd[path: "spec", "names", "plural"]?.stringValue == resource.plural)
            #expect(crd[path: "spec", "names", "shortNames"] == [.string(shortName)])
            #expect(crd[path: "spec", "names", "categories"] == ["slipway"])
            let versions = try #require(crd[path: "spec", "versions"]?.arrayValue)
            #expect(versions.count == 1)
            let version = try #require(versions.first)
            #expect(version["name"]?.stringValue == SlipwayGroup.version)
            #expect(version["served"] == true)
            #expect(version["storage"] == true)
            #expect(version[path: "subresources", "status"] == .emptyObject)
        }
    }

    @Test("printer columns show what kubectl get should show")
    func printerColumns() throws {
        func columns(_ path: String) throws -> [String] {
            let crd = try Fixtures.crd(path)
            let list = crd[path: "spec", "versions"]?[0]?["additionalPrinterColumns"]?.arrayValue ?? []
            return list.map { "\($0["name"]?.stringValue ?? "?")=\($0["jsonPath"]?.stringValue ?? "?")" }
        }
        #expect(try columns(Fixtures.requestCRDPath) == [
            "Target=.spec.target", "Action=.spec.action", "Phase=.status.phase", "Image=.spec.image", "Age=.metadata.creationTimestamp",
        ])
        #expect(try columns(Fixtures.targetCRDPath) == [
            "Environment=.spec.environment", "Strategy=.status.strategy", "Image=.status.currentImage", "Health=.status.health",
            "Age=.metadata.creationTimestamp",
        ])
    }

    @Test("both schemas are structural: the embedded cluster's CRD rules accept them")
    func structural() throws {
        _ = try Fixtures.targetSchema()
        _ = try Fixtures.requestSchema()
    }

    @Test("the schemas' patterns are the ones Swift validation uses")
    func patternsAgree() throws {
        let target = try Fixtures.openAPISchema(Fixtures.crd(Fixtures.targetCRDPath))
        let request = try Fixtures.openAPISchema(Fixtures.crd(Fixtures.requestCRDPath))
        func pattern(_ schema: JSONValue, _ path: [String]) -> String? {
            var node: JSONValue? = schema
            for name in path {
                node = name == "[]" ? node?["items"] : node?["properties"]?[name]
            }
            return node?["pattern"]?.stringValue
        }
        let expectations: [(JSONValue, [String], Pattern)] = [
            (target, ["spec", "environment"], Patterns.dnsLabel),
            (target, ["spec", "container"], Patterns.dnsLabel),
            (target, ["spec", "source", "imageRepository"], Patterns.imageRepository),
            (target, ["spec", "source", "branch"], Patterns.branch),
            (target, ["spec", "source", "github", "owner"], Patterns.githubOwner),
            (target, ["spec", "source", "github", "repo"], Patterns.githubRepo),
            (target, ["spec", "strategy", "blueGreen", "activeService"], Patterns.dnsLabel),
            (target, ["spec", "strategy", "blueGreen", "blueDeployment"], Patterns.dnsSubdomain),
            (target, ["spec", "strategy", "canary", "trafficRouting", "nginx", "stableIngress"], Patterns.dnsSubdomain),
            (target, ["spec", "gates", "[]", "name"], Patterns.dnsLabel),
            (target, ["spec", "gates", "[]", "http", "url"], Patterns.httpURL),
            (target, ["spec", "gates", "[]", "prometheus", "address"], Patterns.httpURL),
            (target, ["spec", "access", "deployers", "[]"], Patterns.accessSubject),
            (target, ["spec", "windows", "allowed", "[]", "start"], Patterns.timeOfDay),
            (target, ["spec", "windows", "allowed", "[]", "end"], Patterns.windowEnd),
            (request, ["spec", "target"], Patterns.dnsLabel),
            (request, ["spec", "image"], Patterns.imageReference),
            (request, ["spec", "commit"], Patterns.commit),
        ]
        for (schema, path, expected) in expectations {
            #expect(pattern(schema, path) == expected.source, "pattern of \(path.joined(separator: "."))")
        }
    }

    @Test("the schema fills in the documented defaults")
    func defaults() throws {
        let schema = try Fixtures.targetSchema()
        var target: JSONValue = try YAML.parse("""
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentTarget
            metadata: {name: web-production, namespace: shop}
            spec:
              environment: production
              source: {imageRepository: shop/web}
              container: web
              strategy:
                blueGreen: {activeService: web, previewService: web-preview, blueDeployment: web-blue, greenDeployment: web-green}
              gates:
                - name: healthy
                  http: {url: "http://web-preview.shop.svc/healthz"}
                - name: errors
                  prometheus:
                    address: http://prometheus:9090
                    query: up
                    condition: {lessThan: 1}
              approval: {}
              windows: {}
            """)
        schema.applyDefaultsAndPrune(&target)
        #expect(schema.validate(target).isEmpty)
        let decoded = try target.decode(as: DeploymentTarget.self)
        #expect(decoded.spec.historyLimit == 10)
        #expect(decoded.spec.progressDeadlineSeconds == 600)
        #expect(decoded.spec.onGateFailure == .rollback)
        #expect(decoded.spec.source.branch == "main")
        #expect(decoded.spec.strategy.blueGreen?.autoPromote == true)
        #expect(decoded.spec.strategy.blueGreen?.scaleDownDelaySeconds == 30)
        #expect(decoded.spec.approval == ApprovalPolicy(required: false, minApprovers: 1, requesterMayApprove: false))
        #expect(decoded.spec.windows == DeploymentWindows(timezone: "UTC", outsideWindow: .wait))
        let http = try #require(decoded.spec.gates?.first)
        #expect(http.intervalSeconds == 10)
        #expect(http.initialDelaySeconds == 0)
        #expect(http.successThreshold == 1)
        #expect(http.failureLimit == 3)
        #expect(http.http == HTTPGate(url: "http://web-preview.shop.svc/healthz", method: .get, expectedStatus: [200], timeoutSeconds: 5))
        let prometheus = try #require(decoded.spec.gates?.last?.prometheus)
        #expect(prometheus.noDataPolicy == .inconclusive)
        #expect(prometheus.inconclusiveLimit == 0)
        #expect(prometheus.condition.samples == .all)

        // The Swift defaults say the same for a target that never met the API server.
        let bare = try Fixtures.example(kind: "DeploymentTarget", named: "api-staging").decode(as: DeploymentTarget.self)
        #expect(bare.spec.effectiveHistoryLimit == 10)
        #expect(bare.spec.effectiveProgressDeadlineSeconds == 600)
        #expect(bare.spec.effectiveOnGateFailure == .rollback)

        var request: JSONValue = ["apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest",
                                  "spec": ["target": "web-production", "image": "shop/web:1.0"]]
        try Fixtures.requestSchema().applyDefaultsAndPrune(&request)
        #expect(request[path: "spec", "action"] == "deploy")
    }

    @Test("the schema's enums list the Swift cases")
    func enumsAgree() throws {
        let target = try Fixtures.openAPISchema(Fixtures.crd(Fixtures.targetCRDPath))
        let request = try Fixtures.openAPISchema(Fixtures.crd(Fixtures.requestCRDPath))
        func enumValues(_ schema: JSONValue, _ path: [String]) -> [String] {
            var node: JSONValue? = schema
            for name in path { node = name == "[]" ? node?["items"] : node?["properties"]?[name] }
            return node?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        #expect(enumValues(request, ["status", "phase"]) == Phase.allCases.map(\.rawValue))
        #expect(enumValues(request, ["spec", "action"]) == RequestAction.allCases.map(\.rawValue))
        #expect(enumValues(request, ["status", "gates", "[]", "phase"]) == GatePhase.allCases.map(\.rawValue))
        #expect(enumValues(request, ["status", "gates", "[]", "measurements", "[]", "outcome"]) == MeasurementOutcome.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "onGateFailure"]) == GateFailurePolicy.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "gates", "[]", "http", "method"]) == HTTPGateMethod.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "gates", "[]", "prometheus", "noDataPolicy"]) == NoDataPolicy.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "gates", "[]", "prometheus", "condition", "samples"]) == SampleRule.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "windows", "allowed", "[]", "days", "[]"]) == Weekday.allCases.map(\.rawValue))
        #expect(enumValues(target, ["spec", "windows", "outsideWindow"]) == OutsideWindowPolicy.allCases.map(\.rawValue))
        #expect(enumValues(target, ["status", "strategy"]) == StrategyName.allCases.map(\.rawValue))
        #expect(enumValues(target, ["status", "activeSlot"]) == Slot.allCases.map(\.rawValue))
        #expect(enumValues(request, ["status", "slot"]) == Slot.allCases.map(\.rawValue))
        #expect(enumValues(target, ["status", "health"]) == TargetHealth.allCases.map(\.rawValue))
    }
}
