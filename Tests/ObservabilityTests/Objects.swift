import Foundation
import JSON
import Kube
import SlipwayAPI

/// Targets and requests as the controller's caches would hold them.
enum Objects {
    static func target(_ name: String = "web-production", environment: String = "production", namespace: String = "shop",
                       canary: Bool = false, health: String? = "Healthy", activeRequest: String? = nil,
                       lastDeployedAt: String? = nil) throws -> DeploymentTarget {
        let strategy = canary
            ? #"{"canary": {"stableDeployment": "web", "canaryDeployment": "web-canary", "service": "web", "trafficRouting": {"replicaRatio": {}}, "steps": [{"setWeight": 20}]}}"#
            : #"{"blueGreen": {"activeService": "web", "previewService": "web-preview", "blueDeployment": "web-blue", "greenDeployment": "web-green"}}"#
        var status: [String] = []
        if let health { status.append(#""health": "\#(health)""#) }
        if let activeRequest { status.append(#""activeRequest": "\#(activeRequest)""#) }
        if let lastDeployedAt { status.append(#""lastDeployedAt": "\#(lastDeployedAt)""#) }
        let json = """
            {"apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentTarget",
             "metadata": {"name": "\(name)", "namespace": "\(namespace)", "uid": "target-\(name)"},
             "spec": {"environment": "\(environment)", "source": {"imageRepository": "shop/web"}, "container": "web",
                      "strategy": \(strategy)},
             "status": {\(status.joined(separator: ", "))}}
            """
        return try JSONValue(parsing: json).decode(as: DeploymentTarget.self)
    }

    static func request(_ name: String, target: String = "web-production", namespace: String = "shop", phase: Phase,
                        created: String = "2026-11-25T10:00:00Z", startedAt: String? = nil, finishedAt: String? = nil,
                        canaryWeight: Int? = nil, trafficSwitchedAt: String? = nil,
                        gates: [(name: String, successes: Int, failures: Int)] = []) throws -> DeploymentRequest {
        var status: [String] = [#""phase": "\#(phase.rawValue)""#]
        if let startedAt { status.append(#""startedAt": "\#(startedAt)""#) }
        if let finishedAt { status.append(#""finishedAt": "\#(finishedAt)""#) }
        if let canaryWeight { status.append(#""canaryWeight": \#(canaryWeight)"#) }
        if let trafficSwitchedAt { status.append(#""trafficSwitchedAt": "\#(trafficSwitchedAt)""#) }
        if !gates.isEmpty {
            let list = gates.map { #"{"name": "\#($0.name)", "successes": \#($0.successes), "failures": \#($0.failures)}"# }
            status.append(#""gates": [\#(list.joined(separator: ", "))]"#)
        }
        let json = """
            {"apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest",
             "metadata": {"name": "\(name)", "namespace": "\(namespace)", "uid": "uid-\(name)", "creationTimestamp": "\(created)"},
             "spec": {"target": "\(target)", "image": "shop/web:2.0.0", "commit": "abcdef1"},
             "status": {\(status.joined(separator: ", "))}}
            """
        return try JSONValue(parsing: json).decode(as: DeploymentRequest.self)
    }
}

/// Reads one sample from a Prometheus text exposition.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
