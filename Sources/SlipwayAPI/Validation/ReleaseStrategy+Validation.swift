extension ReleaseStrategy {
    func check(at path: FieldPath, gateNames: Set<String>, into issues: inout IssueCollector) {
        let set = [("blueGreen", blueGreen != nil), ("canary", canary != nil)].filter(\.1).map(\.0)
        issues.exactlyOne(set, of: ["blueGreen", "canary"], at: path)
        blueGreen?.check(at: path["blueGreen"], gateNames: gateNames, into: &issues)
        canary?.check(at: path["canary"], gateNames: gateNames, into: &issues)
    }
}

/// Each name in `references` must be a defined gate, and listed once.
func checkGateReferences(_ references: [String], at path: FieldPath, gateNames: Set<String>, into issues: inout IssueCollector) {
    var seen = Set<String>()
    for (index, name) in references.enumerated() {
        if !gateNames.contains(name) {
            let defined = gateNames.sorted().map(quoted).joined(separator: ", ")
            issues.add(path[index], "gate \(quoted(name)) is not defined in spec.gates; "
                       + (defined.isEmpty ? "define it there" : "define it there or use one of \(defined)"))
        } else if !seen.insert(name).inserted {
            issues.add(path[index], "gate \(quoted(name)) is listed twice; list it once")
        }
    }
}

extension BlueGreenStrategy {
    func check(at path: FieldPath, gateNames: Set<String>, into issues: inout IssueCollector) {
        issues.dnsLabel(activeService, at: path["activeService"])
        issues.dnsLabel(previewService, at: path["previewService"])
        issues.dnsSubdomain(blueDeployment, at: path["blueDeployment"])
        issues.dnsSubdomain(greenDeployment, at: path["greenDeployment"])
        if !blueDeployment.isEmpty && blueDeployment == greenDeployment {
            issues.add(path["greenDeployment"], "is the same Deployment as blueDeployment; the two slots need two Deployments")
        }
        if !activeService.isEmpty && activeService == previewService {
            issues.add(path["previewService"], "is the same Service as activeService; the preview Service must be a second Service")
        }
        issues.range(scaleDownDelaySeconds, 0...86400, at: path["scaleDownDelaySeconds"])
        for (name, list) in [("prePromotionGates", prePromotionGates), ("postPromotionGates", postPromotionGates)] {
            guard let list else { continue }
            issues.count(list, 0...16, at: path[name], "gates")
            checkGateReferences(list, at: path[name], gateNames: gateNames, into: &issues)
        }
    }
}

extension CanaryStrategy {
    func check(at path: FieldPath, gateNames: Set<String>, into issues: inout IssueCollector) {
        issues.dnsSubdomain(stableDeployment, at: path["stableDeployment"])
        issues.dnsSubdomain(canaryDeployment, at: path["canaryDeployment"])
        if !stableDeployment.isEmpty && stableDeployment == canaryDeployment {
            issues.add(path["canaryDeployment"], "is the same Deployment as stableDeployment; the canary needs its own Deployment")
        }
        issues.dnsLabel(service, at: path["service"])
        if let canaryService {
            issues.dnsLabel(canaryService, at: path["canaryService"])
            if canaryService == service {
                issues.add(path["canaryService"], "is the same Service as service; the canary Service must select only the canary pods")
            }
        }
        if trafficRouting.nginx != nil && canaryService == nil {
            issues.add(path["canaryService"], "is required with nginx routing: the derived canary Ingress sends its share of traffic to this Service")
        }
        trafficRouting.check(at: path["trafficRouting"], into: &issues)
        checkSteps(at: path["steps"], gateNames: gateNames, into: &issues)
    }

    private func checkSteps(at path: FieldPath, gateNames: Set<String>, into issues: inout IssueCollector) {
        if steps.isEmpty {
            issues.add(path, "needs at least one step, e.g. setWeight: 20")
            return
        }
        issues.count(steps, 1...50, at: path, "steps")
        var lastWeight: (value: Int, index: Int)? = nil
        var sendsTraffic = false
        for (index, step) in steps.enumerated() {
            let stepPath = path[index]
            issues.exactlyOne(step.setMembers, of: ["setWeight", "pause", "analysis", "setCanaryScale"], at: stepPath)
            if let weight = step.setWeight {
                if !(0...100).contains(weight) {
                    issues.add(stepPath["setWeight"], "\(weight) is not a percentage; use 0 to 100")
                } else if let last = lastWeight, weight < last.value {
                    issues.add(stepPath["setWeight"], "\(weight) is less than the \(last.value) set by step \(last.index); weights may only grow (the canary is promoted after the last step)")
                } else {
                    lastWeight = (weight, index)
                    if weight > 0 { sendsTraffic = true }
                }
            }
            if let pause = step.pause {
                issues.range(pause.durationSeconds, 0...604_800, at: stepPath["pause"]["durationSeconds"])
            }
            if let analysis = step.analysis {
                if analysis.gates.isEmpty {
                    issues.add(stepPath["analysis"]["gates"], "names no gate; list the gates to run, or remove the step")
                }
                issues.count(analysis.gates, 0...16, at: stepPath["analysis"]["gates"], "gates")
                checkGateReferences(analysis.gates, at: stepPath["analysis"]["gates"], gateNames: gateNames, into: &issues)
            }
            if let scale = step.setCanaryScale {
                let scalePath = stepPath["setCanaryScale"]
                issues.exactlyOne(scale.setMembers, of: ["replicas", "weight", "matchTrafficWeight"], at: scalePath)
                issues.range(scale.replicas, 0...Int.max, at: scalePath["replicas"])
                if let weight = scale.weight, !(0...100).contains(weight) {
                    issues.add(scalePath["weight"], "\(weight) is not a percentage; use 0 to 100")
                }
                if scale.matchTrafficWeight == false {
                    issues.add(scalePath["matchTrafficWeight"], "false has no effect; set it to true to return to replicas following the weight, or remove the step")
                }
                if trafficRouting.replicaRatio != nil {
                    issues.add(scalePath, "needs a traffic router; with replicaRatio routing the canary's replicas are the weight, so use setWeight")
                }
            }
        }
        if !sendsTraffic {
            issues.add(path, "no setWeight step sends traffic to the canary; add one with a weight above 0 (for example setWeight: 20)")
        }
    }
}

extension TrafficRouting {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.exactlyOne(setMembers, of: ["replicaRatio", "nginx", "istio", "gatewayAPI"], at: path)
        if let nginx {
            issues.dnsSubdomain(nginx.stableIngress, at: path["nginx"]["stableIngress"])
        }
        if let istio {
            let istioPath = path["istio"]
            issues.dnsSubdomain(istio.virtualService, at: istioPath["virtualService"])
            if istio.route.isEmpty { issues.add(istioPath["route"], "must not be empty; name the VirtualService's HTTP route") }
            issues.length(istio.route, max: 253, at: istioPath["route"])
            for (name, destination) in [("stable", istio.stable), ("canary", istio.canary)] {
                if destination.host.isEmpty { issues.add(istioPath[name]["host"], "must not be empty; name the destination host") }
                issues.length(destination.host, max: 253, at: istioPath[name]["host"])
                if destination.subset?.isEmpty == true { issues.add(istioPath[name]["subset"], "must not be empty; remove it or name a subset") }
                issues.length(destination.subset, max: 253, at: istioPath[name]["subset"])
            }
            if istio.stable == istio.canary {
                issues.add(istioPath["canary"], "is the same destination as stable; give the canary another host or subset")
            }
        }
        if let gatewayAPI {
            let gatewayPath = path["gatewayAPI"]
            issues.dnsSubdomain(gatewayAPI.httpRoute, at: gatewayPath["httpRoute"])
            if gatewayAPI.ruleIndex != nil && gatewayAPI.ruleName != nil {
                issues.add(gatewayPath, "set at most one of ruleIndex and ruleName; both are set")
            }
            issues.range(gatewayAPI.ruleIndex, 0...63, at: gatewayPath["ruleIndex"])
            if gatewayAPI.ruleName?.isEmpty == true { issues.add(gatewayPath["ruleName"], "must not be empty; remove it or name the rule") }
            issues.length(gatewayAPI.ruleName, max: 253, at: gatewayPath["ruleName"])
            issues.dnsLabel(gatewayAPI.stableBackend, at: gatewayPath["stableBackend"])
            issues.dnsLabel(gatewayAPI.canaryBackend, at: gatewayPath["canaryBackend"])
            if !gatewayAPI.stableBackend.isEmpty && gatewayAPI.stableBackend == gatewayAPI.canaryBackend {
                issues.add(gatewayPath["canaryBackend"], "is the same Service as stableBackend; the canary backend must be another Service")
            }
        }
    }
}
