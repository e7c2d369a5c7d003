import Foundation
import Kube
import SlipwayAPI

/// The gauges that describe targets and their requests as they are now, computed from one
/// look at both. Every label value comes from a DeploymentTarget (namespace, name,
/// environment, strategy) or a fixed vocabulary (phases): never a request name, a user or a commit.
struct TargetGauges {
    struct Sample: Hashable {
        var name: String
        var labels: [PrometheusText.Label]
        typealias Label = PrometheusText.Label
    }

    var values: [Sample: Double] = [:]

    init(targets: [DeploymentTarget], requests: [DeploymentRequest]) {
        var byTarget: [String: [DeploymentRequest]] = [:]
        for request in requests {
            byTarget["\(request.metadata.namespace ?? "")/\(request.spec.target)", default: []].append(request)
        }
        for target in targets {
            guard let name = target.metadata.name else { continue }
            let namespace = target.metadata.namespace ?? ""
            let environment = target.spec.environment
            let targetLabels = [Sample.Label(name: "env", value: environment), .init(name: "namespace", value: namespace),
                                .init(name: "target", value: name)]
            let own = byTarget["\(namespace)/\(name)"] ?? []

            for phase in Phase.allCases {
                let inPhase = own.filter { $0.phase == phase }
                let labels = targetLabels + [.init(name: "phase", value: phase.rawValue)]
                values[Sample(name: MetricName.requests, labels: labels)] = Double(inPhase.count)
                if !phase.isTerminal,
                   let oldest = inPhase.compactMap({ KubeTime.parse($0.metadata.creationTimestamp) }).min() {
                    values[Sample(name: MetricName.oldestUnfinishedRequest, labels: labels)] = oldest.timeIntervalSince1970
                }
            }

            switch target.status?.health {
            case .healthy?, .progressing?:
                values[Sample(name: MetricName.healthCheckUp, labels: targetLabels)] = 1
            case .degraded?:
                values[Sample(name: MetricName.healthCheckUp, labels: targetLabels)] = 0
            case .unknown?, nil:
                break
            }

            if let deployed = KubeTime.parse(target.status?.lastDeployedAt) {
                values[Sample(name: MetricName.lastDeployed, labels: targetLabels)] = deployed.timeIntervalSince1970
            }

            let strategy = target.spec.strategy.name ?? target.status?.strategy
            if let strategy {
                let active = target.status?.activeRequest.flatMap { active in own.first { $0.metadata.name == active } }
                let weight: Int
                if let active, !active.phase.isTerminal {
                    switch strategy {
                    case .canary: weight = active.status?.canaryWeight ?? 0
                    case .blueGreen: weight = active.status?.trafficSwitchedAt == nil ? 0 : 100
                    }
                } else {
                    weight = 0
                }
                values[Sample(name: MetricName.canaryWeight, labels: targetLabels + [.init(name: "strategy", value: strategy.rawValue)])]
                    = Double(min(100, max(0, weight)))
            }
        }
    }
}

extension TargetGauges {
    /// The gauges in the Prometheus text format, each family once.
    func write(into buffer: inout [UInt8]) {
        var families: [String: [(labels: [PrometheusText.Label], value: String)]] = [:]
        for (sample, value) in values { families[sample.name, default: []].append((sample.labels, "\(value)")) }
        for name in families.keys.sorted() {
            PrometheusText.family(name, type: "gauge", series: families[name] ?? [], into: &buffer)
        }
    }
}
