import Foundation

extension Gate {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.dnsLabel(name, at: path["name"])
        issues.exactlyOne(setMembers, of: ["http", "readiness", "prometheus"], at: path)
        issues.range(intervalSeconds, 1...3600, at: path["intervalSeconds"])
        issues.range(initialDelaySeconds, 0...3600, at: path["initialDelaySeconds"])
        issues.range(successThreshold, 1...100, at: path["successThreshold"])
        issues.range(failureLimit, 0...100, at: path["failureLimit"])
        if let http { http.check(at: path["http"], intervalSeconds: effectiveIntervalSeconds, into: &issues) }
        if let readiness { issues.range(readiness.maxRestarts, 0...Int.max, at: path["readiness"]["maxRestarts"]) }
        if let prometheus { prometheus.check(at: path["prometheus"], failureLimit: effectiveFailureLimit, into: &issues) }
    }
}

/// An http(s) URL with a host, or a message saying what is wrong.
func checkHTTPURL(_ text: String, at path: FieldPath, example: String, into issues: inout IssueCollector) {
    guard text.utf8.count <= 2048 else {
        issues.add(path, "is longer than 2048 bytes")
        return
    }
    guard Patterns.httpURL.matches(text), let components = URLComponents(string: text),
          let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
          let host = components.host, !host.isEmpty else {
        issues.add(path, "\(quoted(text)) is not an http or https URL such as \(example)")
        return
    }
}

extension HTTPGate {
    func check(at path: FieldPath, intervalSeconds: Int, into issues: inout IssueCollector) {
        checkHTTPURL(url, at: path["url"], example: "http://web-preview.shop.svc/healthz", into: &issues)
        if let expectedStatus {
            issues.count(expectedStatus, 1...16, at: path["expectedStatus"], "status codes")
            for (index, code) in expectedStatus.enumerated() where !(100...599).contains(code) {
                issues.add(path["expectedStatus"][index], "\(code) is not an HTTP status code; use 100 to 599")
            }
        }
        if let bodyContains {
            if bodyContains.isEmpty { issues.add(path["bodyContains"], "must not be empty; remove it or give the text to look for") }
            issues.length(bodyContains, max: 1024, at: path["bodyContains"])
        }
        issues.range(timeoutSeconds, 1...300, at: path["timeoutSeconds"])
        if effectiveTimeoutSeconds > intervalSeconds {
            issues.add(path["timeoutSeconds"], "\(effectiveTimeoutSeconds)s is longer than the gate's interval of \(intervalSeconds)s, so checks would overlap; shorten the timeout or lengthen intervalSeconds")
        }
    }
}

extension PrometheusGate {
    func check(at path: FieldPath, failureLimit: Int, into issues: inout IssueCollector) {
        checkHTTPURL(address, at: path["address"], example: "http://prometheus.monitoring.svc:9090", into: &issues)
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.add(path["query"], "must not be empty; give a PromQL query")
        }
        issues.length(query, max: 4096, at: path["query"])
        for name in QueryTemplate.placeholders(in: query) where !QueryTemplate.variables.contains(name) {
            issues.add(path["query"], "{{\(name)}} is not a known placeholder; use {{target}}, {{namespace}}, {{canary}} or {{stable}}")
        }
        condition.check(at: path["condition"], into: &issues)
        issues.range(count, 1...1000, at: path["count"])
        if let count, (1...1000).contains(count), failureLimit >= count {
            issues.add(path["count"], "\(count) measurements can never exceed the gate's failureLimit of \(failureLimit), so the gate could never fail; take more measurements or lower failureLimit")
        }
        issues.range(inconclusiveLimit, 0...100, at: path["inconclusiveLimit"])
    }
}

extension MetricCondition {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.exactlyOne(setMembers, of: ["lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "equal", "notEqual", "inRange", "outsideRange"], at: path)
        let bounds: [(String, Double?)] = [("lessThan", lessThan), ("lessThanOrEqual", lessThanOrEqual), ("greaterThan", greaterThan),
                                           ("greaterThanOrEqual", greaterThanOrEqual), ("equal", equal), ("notEqual", notEqual)]
        for (name, value) in bounds {
            if let value, !value.isFinite { issues.add(path[name], "must be a finite number") }
        }
        for (name, range) in [("inRange", inRange), ("outsideRange", outsideRange)] {
            guard let range else { continue }
            if !range.min.isFinite || !range.max.isFinite {
                issues.add(path[name], "min and max must be finite numbers")
            } else if range.min > range.max {
                issues.add(path[name]["max"], "\(range.max) is less than min \(range.min); swap them")
            }
        }
    }
}
