import Foundation
import Kube
import Registry

extension DeploymentTarget {
    /// Everything wrong with the target: the schema's rules checked again (an object may reach
    /// the controller before its CRD enforces them, or be built in code) and what a schema cannot
    /// say: exactly one member of each union, gate references, step order, a real time zone.
    /// Empty when the target is valid.
    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        if let name = metadata.name { issues.dnsLabel(name, at: FieldPath("metadata.name")) }
        spec.check(at: FieldPath("spec"), into: &issues)
        return issues.issues
    }

    /// Throws every issue at once when the target is invalid.
    public func validate() throws(ValidationError) {
        let issues = validationIssues()
        if !issues.isEmpty { throw ValidationError(issues: issues) }
    }
}

extension DeploymentTargetSpec {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.dnsLabel(environment, at: path["environment"])
        source.check(at: path["source"], into: &issues)
        issues.dnsLabel(container, at: path["container"])
        let gateNames = checkGates(at: path["gates"], into: &issues)
        strategy.check(at: path["strategy"], gateNames: gateNames, into: &issues)
        if let approval { approval.check(at: path["approval"], into: &issues) }
        if let access { access.check(at: path["access"], into: &issues) }
        if let windows { windows.check(at: path["windows"], into: &issues) }
        issues.range(historyLimit, 0...1000, at: path["historyLimit"])
        issues.range(progressDeadlineSeconds, 1...86400, at: path["progressDeadlineSeconds"])
        if let imagePolicy { imagePolicy.check(at: path["imagePolicy"], into: &issues) }
    }

    /// Checks each gate and returns the names defined (for the strategy's references).
    private func checkGates(at path: FieldPath, into issues: inout IssueCollector) -> Set<String> {
        guard let gates else { return [] }
        issues.count(gates, 0...32, at: path, "gates")
        var names = Set<String>()
        for (index, gate) in gates.enumerated() {
            gate.check(at: path[index], into: &issues)
            if !names.insert(gate.name).inserted {
                issues.add(path[index]["name"], "gate \(quoted(gate.name)) is defined twice; give each gate its own name")
            }
        }
        return names
    }
}

extension ReleaseSource {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        let repositoryPath = path["imageRepository"]
        if imageRepository.isEmpty {
            issues.add(repositoryPath, "must not be empty; name the image repository, e.g. registry.example.com/shop/web")
        } else if imageRepository.utf8.count > 255 {
            issues.add(repositoryPath, "is longer than 255 characters")
        } else if !Patterns.imageRepository.matches(imageRepository) {
            if Patterns.imageReference.matches(imageRepository) {
                issues.add(repositoryPath, "\(quoted(imageRepository)) has a tag or digest; give the repository only (requests choose the tag)")
            } else {
                issues.add(repositoryPath, "\(quoted(imageRepository)) is not an image repository such as registry.example.com/shop/web (lowercase path components)")
            }
        }
        if let branch {
            let branchPath = path["branch"]
            if branch.isEmpty || branch.utf8.count > 255 || !Patterns.branch.matches(branch) {
                issues.add(branchPath, "\(quoted(branch)) is not a branch name (letters, digits, '.', '_', '/', '-')")
            } else if branch.hasPrefix("-") || branch.hasPrefix("/") || branch.hasSuffix("/") || branch.hasSuffix(".")
                        || branch.hasSuffix(".lock") || branch.contains("..") || branch.contains("//") {
                // git check-ref-format: https://git-scm.com/docs/git-check-ref-format
                issues.add(branchPath, "\(quoted(branch)) is not a valid git branch name (see git check-ref-format)")
            }
        }
        if let github {
            if github.owner.utf8.count > 39 || !Patterns.githubOwner.matches(github.owner) {
                issues.add(path["github"]["owner"], "\(quoted(github.owner)) is not a GitHub user or organisation name")
            }
            if github.repo.utf8.count > 100 || !Patterns.githubRepo.matches(github.repo) || github.repo == "." || github.repo == ".." {
                issues.add(path["github"]["repo"], "\(quoted(github.repo)) is not a GitHub repository name")
            }
        }
    }
}

extension ImagePolicy {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        if requireInRegistry == false {
            if effectivePinDigest {
                issues.add(path["requireInRegistry"], "is false, but pinDigest needs the tag resolved in the registry; set it to true or remove it")
            }
            if verifiesSignatures {
                issues.add(path["requireInRegistry"], "is false, but signatures need the digest from the registry; set it to true or remove it")
            }
        }
        if let registry {
            if let caBundle = registry.caBundle {
                let caPath = path["registry"]["caBundle"]
                if caBundle.utf8.count > 65536 {
                    issues.add(caPath, "is longer than 65536 bytes")
                } else if !caBundle.contains("-----BEGIN CERTIFICATE-----") || !caBundle.contains("-----END CERTIFICATE-----") {
                    issues.add(caPath, "holds no PEM certificate; paste the CA's -----BEGIN CERTIFICATE----- block")
                }
            }
            if let pullSecret = registry.pullSecret { issues.dnsSubdomain(pullSecret, at: path["registry"]["pullSecret"]) }
        }
        if let keys = signatures?.publicKeys {
            let keysPath = path["signatures"]["publicKeys"]
            issues.count(keys, 1...16, at: keysPath, "keys")
            for (index, key) in keys.enumerated() {
                if key.utf8.count > 4096 {
                    issues.add(keysPath[index], "is longer than 4096 bytes")
                } else if let problem = SignatureVerifier.keyProblem(key) {
                    issues.add(keysPath[index], problem)
                }
            }
        }
    }
}

extension ApprovalPolicy {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.range(minApprovers, 1...10, at: path["minApprovers"])
    }
}

extension AccessPolicy {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        for (name, list) in [("deployers", deployers), ("approvers", approvers), ("rollbackers", rollbackers)] {
            guard let list else { continue }
            issues.count(list, 0...256, at: path[name], "entries")
            var seen = Set<String>()
            for (index, subject) in list.enumerated() {
                if subject.rawValue.utf8.count > 63 || subject.kind == nil {
                    issues.add(path[name][index], "\(quoted(subject.rawValue)) is neither a Telegram user id (digits) nor a role name (lowercase letters, digits and '-', starting with a letter)")
                } else if !seen.insert(subject.rawValue).inserted {
                    issues.add(path[name][index], "\(quoted(subject.rawValue)) is listed twice; remove one")
                }
            }
        }
    }
}

extension DeploymentWindows {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        if let timezone, timezone.utf8.count > 64 || TimeZone(identifier: timezone) == nil {
            issues.add(path["timezone"], "\(quoted(timezone)) is not an IANA time zone; use a name such as Europe/Berlin or UTC")
        }
        if let allowed {
            issues.count(allowed, 0...32, at: path["allowed"], "windows")
            for (index, window) in allowed.enumerated() {
                let windowPath = path["allowed"][index]
                if window.days.isEmpty {
                    issues.add(windowPath["days"], "needs at least one day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
                } else if Set(window.days).count != window.days.count {
                    issues.add(windowPath["days"], "lists a day twice; list each day once")
                }
                let startValid = Patterns.timeOfDay.matches(window.start)
                let endValid = Patterns.windowEnd.matches(window.end)
                if !startValid { issues.add(windowPath["start"], "\(quoted(window.start)) is not a time of day HH:MM (00:00 to 23:59)") }
                if !endValid { issues.add(windowPath["end"], "\(quoted(window.end)) is not a time of day HH:MM (00:00 to 24:00)") }
                if startValid && endValid && window.start == window.end {
                    issues.add(windowPath["end"], "equals start, so the window is empty; for a whole day use 00:00 to 24:00")
                }
            }
        }
        if let freezes {
            issues.count(freezes, 0...64, at: path["freezes"], "freezes")
            for (index, freeze) in freezes.enumerated() {
                let freezePath = path["freezes"][index]
                let start = RFC3339.date(from: freeze.start)
                let end = RFC3339.date(from: freeze.end)
                if start == nil { issues.add(freezePath["start"], "\(quoted(freeze.start)) is not an RFC 3339 time such as 2026-12-24T00:00:00Z") }
                if end == nil { issues.add(freezePath["end"], "\(quoted(freeze.end)) is not an RFC 3339 time such as 2026-12-27T00:00:00Z") }
                if let start, let end, end <= start { issues.add(freezePath["end"], "is not after start; a freeze must end after it begins") }
                issues.length(freeze.reason, max: 256, at: freezePath["reason"])
            }
        }
    }
}

/// RFC 3339 times as Kubernetes writes them (`2026-11-25T09:48:25Z`, fractional seconds and
/// offsets accepted).
/// See https://www.rfc-editor.org/rfc/rfc3339#section-5.6
public enum RFC3339 {
    public static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
}
