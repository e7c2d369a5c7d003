import JSON
import Kube

/// The applications of the release benchmarks: per index, two Deployments, one or two Services
/// and a DeploymentTarget, as a platform team would write them, with one readiness gate
/// (blue/green) or two weight steps over the replica-ratio router (canary).
enum ReleaseObjects {
    enum Strategy: String, CaseIterable, Sendable {
        case blueGreen = "bluegreen"
        case canary
    }

    static let targets = ResourceDescriptor(group: "slipway.dev", version: "v1alpha1", plural: "deploymenttargets",
                                            kind: "DeploymentTarget", namespaced: true)
    static let requests = ResourceDescriptor(group: "slipway.dev", version: "v1alpha1", plural: "deploymentrequests",
                                             kind: "DeploymentRequest", namespaced: true)
    static let imageRepository = "bench/app"
    static let firstImage = "bench/app:1.0.0"
    static let releaseImage = "bench/app:2.0.0"

    static func app(_ index: Int) -> String { "app\(index)" }
    static func target(_ index: Int) -> String { "app\(index)-production" }
    static func environment(_ index: Int) -> String { "production-\(index)" }

    static func namespace(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    /// Everything one application needs, in the order it is created.
    static func application(_ index: Int, strategy: Strategy, namespace: String) -> [(ResourceDescriptor, JSONValue)] {
        let app = app(index)
        switch strategy {
        case .blueGreen:
            return [
                (.deployments, deployment("\(app)-blue", app: app, labels: ["app": app, "slot": "blue"], replicas: 1, namespace: namespace)),
                (.deployments, deployment("\(app)-green", app: app, labels: ["app": app, "slot": "green"], replicas: 0, namespace: namespace)),
                (.services, service(app, selector: ["app": app, "slot": "blue"], namespace: namespace)),
                (.services, service("\(app)-preview", selector: ["app": app, "slot": "green"], namespace: namespace)),
                (targets, blueGreenTarget(index, namespace: namespace)),
            ]
        case .canary:
            return [
                (.deployments, deployment("\(app)-stable", app: app, labels: ["app": app, "track": "stable"], replicas: 2, namespace: namespace)),
                (.deployments, deployment("\(app)-canary", app: app, labels: ["app": app, "track": "canary"], replicas: 0, namespace: namespace)),
                (.services, service(app, selector: ["app": app], namespace: namespace)),
                (targets, canaryTarget(index, namespace: namespace)),
            ]
        }
    }

    static func deployment(_ name: String, app: String, labels: [String: String], replicas: Int, namespace: String) -> JSONValue {
        let labelObject = JSONValue.object(OrderedDictionary(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labelObject],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": labelObject],
                "template": [
                    "metadata": ["labels": labelObject],
                    "spec": ["containers": [["name": "app", "image": .string(firstImage), "ports": [["containerPort": 8080]]]]],
                ],
            ],
        ]
    }

    static func service(_ name: String, selector: [String: String], namespace: String) -> JSONValue {
        let selectorObject = JSONValue.object(OrderedDictionary(uniqueKeysWithValues: selector.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["selector": selectorObject, "ports": [["port": 80, "targetPort": 8080]]],
        ]
    }

    static func blueGreenTarget(_ index: Int, namespace: String) -> JSONValue {
        let app = app(index)
        return target(index, namespace: namespace, strategy: ["blueGreen": [
            "activeService": .string(app), "previewService": .string("\(app)-preview"),
            "blueDeployment": .string("\(app)-blue"), "greenDeployment": .string("\(app)-green"),
            "autoPromote": true, "scaleDownDelaySeconds": 0, "prePromotionGates": ["ready"],
        ]], gates: [["name": "ready", "intervalSeconds": 1, "successThreshold": 1, "failureLimit": 3, "readiness": ["maxRestarts": 0]]])
    }

    static func canaryTarget(_ index: Int, namespace: String) -> JSONValue {
        let app = app(index)
        return target(index, namespace: namespace, strategy: ["canary": [
            "stableDeployment": .string("\(app)-stable"), "canaryDeployment": .string("\(app)-canary"),
            "service": .string(app), "trafficRouting": ["replicaRatio": .emptyObject],
            "steps": [["setWeight": 50], ["setWeight": 100]],
        ]], gates: [])
    }

    private static func target(_ index: Int, namespace: String, strategy: JSONValue, gates: [JSONValue]) -> JSONValue {
        var spec: JSONValue = [
            "environment": .string(environment(index)),
            "source": ["imageRepository": "bench/app"],
            "container": "app",
            "strategy": strategy,
            "progressDeadlineSeconds": 600,
            "historyLimit": 10,
        ]
        if !gates.isEmpty { spec["gates"] = .array(gates) }
        return [
            "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget",
            "metadata": ["name": .string(target(index)), "namespace": .string(namespace)],
            "spec": spec,
        ]
    }

    static func request(_ name: String, target index: Int, namespace: String) -> JSONValue {
        [
            "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["target": .string(target(index)), "image": .string(releaseImage), "action": "deploy", "reason": "benchmark"],
        ]
    }
}
