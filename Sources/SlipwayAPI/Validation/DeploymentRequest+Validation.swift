import Kube

extension DeploymentRequest {
    /// Everything wrong with the request on its own: the schema's rules checked again, and that
    /// a deploy names a pinned image while a rollback names none. Empty when valid.
    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        spec.check(at: FieldPath("spec"), into: &issues)
        return issues.issues
    }

    /// Throws every issue at once when the request is invalid.
    public func validate() throws(ValidationError) {
        let issues = validationIssues()
        if !issues.isEmpty { throw ValidationError(issues: issues) }
    }

    /// What is wrong with the request for `target` (assumed valid itself): the image must come
    /// from the target's repository, and a rollback needs a previous release to return to.
    public func validationIssues(against target: DeploymentTarget) -> [ValidationIssue] {
        var issues = IssueCollector()
        let path = FieldPath("spec")
        switch spec.effectiveAction {
        case .deploy:
            if let image = spec.image, Patterns.imageReference.matches(image),
               ImageReference.repository(of: image) != target.spec.source.imageRepository {
                issues.add(path["image"], "\(quoted(image)) is not in the target's repository \(target.spec.source.imageRepository); deploy an image from that repository")
            }
        case .rollback:
            if target.status?.previousImage == nil {
                issues.add(path["action"], "target \(quoted(target.metadata.name ?? spec.target)) has no previous release to roll back to")
            }
        }
        return issues.issues
    }
}

extension DeploymentRequestSpec {
    func check(at path: FieldPath, into issues: inout IssueCollector) {
        issues.dnsLabel(target, at: path["target"])
        switch effectiveAction {
        case .deploy:
            if let image {
                if image.utf8.count > 512 {
                    issues.add(path["image"], "is longer than 512 characters")
                } else if !Patterns.imageReference.matches(image) {
                    if Patterns.imageRepository.matches(image) {
                        issues.add(path["image"], "\(quoted(image)) has no tag or digest; pin the release, e.g. \(image):1.4.2")
                    } else {
                        issues.add(path["image"], "\(quoted(image)) is not an image reference such as registry.example.com/shop/web:1.4.2")
                    }
                }
            } else {
                issues.add(path["image"], "is required to deploy; give the image with its tag, e.g. registry.example.com/shop/web:1.4.2")
            }
            if let commit, !Patterns.commit.matches(commit) {
                issues.add(path["commit"], "\(quoted(commit)) is not a commit hash: 7 to 40 lowercase hex digits")
            }
        case .rollback:
            if image != nil {
                issues.add(path["image"], "must be empty for a rollback, which returns to the target's previous release; remove it, or use action deploy")
            }
            if commit != nil {
                issues.add(path["commit"], "must be empty for a rollback, which returns to the target's previous release; remove it, or use action deploy")
            }
        }
        issues.length(reason, max: 1024, at: path["reason"])
    }
}

/// Parts of an image reference.
public enum ImageReference {
    /// The repository of a reference: without `@digest` and without `:tag` (a `:` before the
    /// last `/` belongs to a registry port).
    public static func repository(of reference: String) -> String {
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        return String(name)
    }

    /// The tag, if the reference has one.
    public static func tag(of reference: String) -> String? {
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        guard let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") else { return nil }
        return String(name[name.index(after: colon)...])
    }
}
