import Foundation
import Kube
import KubeRuntime
import Registry
import SlipwayAPI

/// The image and commit a request releases.
struct Release: Sendable, Equatable {
    /// What workloads get.
    var image: String
    var commit: String?
    /// The image as asked for, when `image` is the digest it resolved to (imagePolicy.pinDigest).
    var requested: String?
    /// The digest the image had in its registry at admission (imagePolicy).
    var digest: String?

    /// `shop/web:1.4.2 (sha256:0123456789ab) (3f9c2ab)`: the tag as asked for with the short
    /// digest it runs as, and the commit.
    var description: String {
        let shortDigest = digest.flatMap(ImageDigest.init).map(\.short)
        let name: String
        if let requested, let shortDigest {
            name = requested + " (" + shortDigest + ")"
        } else if let shortDigest, !image.contains("@") {
            name = image + " (" + shortDigest + ")"
        } else {
            name = ImageText.short(image)
        }
        return name + (commit.map { " (\($0))" } ?? "")
    }
}

/// Before a request holds its target: validation, the queue, approval and windows, then the start.
extension ReleaseRun {
    /// What the request releases. A rollback releases the target's previous release; the
    /// target's status does not change while the request holds the target, and the final write
    /// that hands the target back also makes that release current, so afterwards it is the
    /// current one.
    func release(for target: DeploymentTarget) -> Release? {
        // Fixed when the request started: an edit of the spec afterwards changes nothing.
        if let image = status.releaseImage {
            return Release(image: image, commit: status.releaseCommit)
        }
        switch request.spec.effectiveAction {
        case .deploy:
            return request.spec.image.map { Release(image: $0, commit: request.spec.commit) }
        case .rollback:
            let targetStatus = target.status
            if request.phase.isWaiting || targetStatus?.activeRequest == name {
                return targetStatus?.previousImage.map { Release(image: $0, commit: targetStatus?.previousCommit) }
            }
            return targetStatus?.currentImage.map { Release(image: $0, commit: targetStatus?.currentCommit) }
        }
    }

    func admit() async throws -> ReconcileAction {
        target = try await cluster.target(namespace: namespace, name: request.spec.target)

        if request.isAbortRequested {
            move(to: .aborted, reason: "Aborted", message: "aborted before it started (\(SlipwayAnnotation.abort): \(abortReason)); nothing was changed")
            try await save()
            return try await tidyAfterFinish()
        }

        let view: LiveView
        switch try await validate() {
        case .rejected(let message):
            setCondition(RequestCondition.accepted, false, reason: "Invalid", message: message)
            move(to: .rejected, reason: "Rejected", message: message, type: .warning)
            try await save()
            return try await tidyAfterFinish()
        case .valid(let valid):
            view = valid
        }
        guard let target else { return .awaitChange }
        if let finished = try await checkImage(target: target) { return finished }
        setCondition(RequestCondition.accepted, true, reason: "Valid", message: "the request is valid for target \(request.spec.target)")

        // The queue: one request holds the target; the others wait in creation order.
        let open = try await cluster.requests(namespace: namespace, target: request.spec.target)
            .filter { !$0.phase.isTerminal }
            .sorted(by: CreationOrder.before)
        let claimed = target.status?.activeRequest
        let holder = open.first { $0.metadata.name != name && $0.phase.holdsTarget }?.metadata.name
            ?? claimed.flatMap { claimedName in claimedName != name && open.contains { $0.metadata.name == claimedName } ? claimedName : nil }
        let waiting = open.filter { $0.phase.isWaiting && $0.metadata.name != holder }.compactMap(\.metadata.name)

        if claimed != name {
            try await updateTarget { $0.queue = waiting.isEmpty ? nil : waiting }
            if let holder {
                let position = (waiting.firstIndex(of: name) ?? 0) + 1
                move(to: .queued, reason: "Queued", message: "waiting for request \(holder) to finish (position \(position) of \(waiting.count) in the queue)")
                try await saveIfChanged()
                return .requeueAfter(configuration.waitingRecheck)
            }
            if let first = waiting.first, first != name {
                let ahead = waiting.prefix { $0 != name }
                move(to: .queued, reason: "Queued", message: "waiting behind earlier request\(ahead.count == 1 ? "" : "s") \(ahead.joined(separator: ", ")) for target \(request.spec.target)")
                try await saveIfChanged()
                return .requeueAfter(configuration.waitingRecheck)
            }
            if let approval = target.spec.approval, approval.isRequired {
                let counted = request.countedApprovers(under: approval)
                status.approvals = counted.map { Approval(by: $0) }
                if counted.count < approval.effectiveMinApprovers {
                    let requesterNote = approval.effectiveRequesterMayApprove ? "" : "; the requester's own approval does not count"
                    let message = "waiting for approval: \(counted.count) of \(approval.effectiveMinApprovers) approvals"
                        + (counted.isEmpty ? "" : " (\(counted.joined(separator: ", ")))") + requesterNote
                        + "; approvers add themselves to the \(SlipwayAnnotation.approvedBy) annotation"
                    setCondition(RequestCondition.approved, false, reason: "AwaitingApproval", message: message)
                    move(to: .awaitingApproval, reason: "AwaitingApproval", message: message)
                    try await saveIfChanged()
                    // Approvals arrive as annotations on this request: its own change wakes it.
                    return .awaitChange
                }
                setCondition(RequestCondition.approved, true, reason: "Approved", message: "approved by \(counted.joined(separator: ", "))")
            }
            if let windows = target.spec.windows {
                let decision = windows.decision(at: now)
                if !decision.isOpen {
                    if windows.effectiveOutsideWindow == .reject {
                        let message = "spec.target: target \(request.spec.target) rejects releases now: \(decision.message)"
                        setCondition(RequestCondition.accepted, false, reason: "OutsideWindow", message: message)
                        move(to: .rejected, reason: "Rejected", message: message, type: .warning)
                        try await save()
                        return try await tidyAfterFinish()
                    }
                    move(to: .queued, reason: "OutsideWindow", message: "waiting: \(decision.message)")
                    try await saveIfChanged()
                    let wait = decision.opensAt.map { GateRunner.duration($0.timeIntervalSince(now)) } ?? configuration.maxWindowWait
                    return .requeueAfter(min(max(wait, .seconds(1)), configuration.maxWindowWait))
                }
            }
            // Claim the target first: once the target names this request, no other may start,
            // and a restart after this write goes straight on to the start below.
            try await updateTarget { status in
                status.activeRequest = name
                let rest = waiting.filter { $0 != name }
                status.queue = rest.isEmpty ? nil : rest
                status.health = .progressing
            }
        }
        return try await start(view: view, target: self.target ?? target)
    }

    private func start(view: LiveView, target: DeploymentTarget) async throws -> ReconcileAction {
        switch view {
        case .blueGreen(let blueGreen): return try await start(view: blueGreen, target: target)
        case .canary(let canary): return try await start(view: canary, target: target)
        }
    }

    /// Records what is live (what a failure restores) and the stable replicas (what the
    /// canary's share is taken of), and enters Progressing. No workload is touched yet.
    private func start(view: CanaryView, target: DeploymentTarget) async throws -> ReconcileAction {
        guard let release = release(for: target).map(admitted) else { return .awaitChange }
        let liveImage = view.stable.image
        status.previousImage = liveImage
        status.previousCommit = liveImage == target.status?.currentImage ? target.status?.currentCommit : nil
        status.stableReplicas = max(1, view.stable.replicas)
        status.releaseImage = release.image
        status.releaseCommit = release.commit
        recordAdmittedImage(release)
        status.releaseTarget = request.spec.target
        status.startedAt = nowString
        let what = request.spec.effectiveAction == .rollback ? "rolling back to" : "releasing"
        record(.started, "\(what) \(release.description) as a canary on \(view.canary.name) in \(view.strategy.steps.count) steps; live: \(view.stable.name) with \(liveImage ?? "no image"), \(view.stable.replicas) replicas")
        move(to: .progressing, reason: "Started", message: "\(what) \(release.description) as a canary on \(view.canary.name)")
        try await save()
        return .requeueAfter(.zero)
    }

    /// Records what is live (what a failure restores) and the slot receiving the release, and
    /// enters Progressing. No workload is touched yet.
    private func start(view: BlueGreenView, target: DeploymentTarget) async throws -> ReconcileAction {
        guard let live = view.activeSlot, let release = release(for: target).map(admitted) else { return .awaitChange }
        let liveImage = view.workload(live).image
        status.previousImage = liveImage
        status.previousCommit = liveImage == target.status?.currentImage ? target.status?.currentCommit : nil
        status.slot = live.other
        status.releaseImage = release.image
        status.releaseCommit = release.commit
        recordAdmittedImage(release)
        status.releaseTarget = request.spec.target
        status.startedAt = nowString
        let what = request.spec.effectiveAction == .rollback ? "rolling back to" : "releasing"
        record(.started, "\(what) \(release.description) into slot \(live.other.rawValue) (\(view.workload(live.other).name)); live: \(live.rawValue) with \(liveImage ?? "no image")")
        move(to: .progressing, reason: "Started", message: "\(what) \(release.description) through slot \(live.other.rawValue)")
        try await save()
        return .requeueAfter(.zero)
    }

    /// The release with the image admission's check chose (the digest reference with `pinDigest`).
    private func admitted(_ release: Release) -> Release {
        guard let admittedImage else { return release }
        var pinned = release
        pinned.image = admittedImage.image
        pinned.requested = admittedImage.image == release.image ? nil : release.image
        pinned.digest = admittedImage.digest
        return pinned
    }

    private func recordAdmittedImage(_ release: Release) {
        status.releaseDigest = release.digest
        status.requestedImage = release.requested
    }

    var abortReason: String {
        let value = request.metadata.annotations?[SlipwayAnnotation.abort] ?? ""
        return value.isEmpty ? "no reason given" : String(value.prefix(200))
    }

    /// The live objects of a valid target, as admission read them.
    enum LiveView {
        case blueGreen(BlueGreenView)
        case canary(CanaryView)
    }

    enum Validation {
        case valid(LiveView)
        case rejected(String)
    }

    /// Everything that makes the request impossible, as one message naming the field.
    private func validate() async throws -> Validation {
        let own = request.validationIssues()
        if !own.isEmpty { return .rejected(Self.describe(own)) }
        guard let target else {
            return .rejected("spec.target: DeploymentTarget \(request.spec.target) does not exist in namespace \(namespace); create it or fix the name")
        }
        let targetIssues = target.validationIssues()
        if !targetIssues.isEmpty {
            return .rejected("spec.target: DeploymentTarget \(request.spec.target) is invalid: \(Self.describe(targetIssues)); fix the target, then create the request again")
        }
        let againstTarget = request.validationIssues(against: target)
        if !againstTarget.isEmpty { return .rejected(Self.describe(againstTarget)) }
        let live = try await target.liveIssues(in: namespace, lookup: cluster)
        if !live.isEmpty {
            return .rejected("spec.target: DeploymentTarget \(request.spec.target) refers to missing objects: \(Self.describe(live))")
        }
        if let canary = target.spec.strategy.canary {
            let view = try await CanaryView.read(canary, container: target.spec.container, namespace: namespace, cluster: cluster)
            if let problem = try await canaryProblem(view, target: target) {
                return .rejected("spec.target: DeploymentTarget \(request.spec.target): \(problem)")
            }
            return .valid(.canary(view))
        }
        guard let blueGreen = target.spec.strategy.blueGreen else {
            return .rejected("spec.target: DeploymentTarget \(request.spec.target) sets no strategy; set blueGreen or canary")
        }
        let view = try await BlueGreenView.read(blueGreen, container: target.spec.container, namespace: namespace, cluster: cluster)
        if let problem = view.problem { return .rejected("spec.target: DeploymentTarget \(request.spec.target): \(problem)") }
        return .valid(.blueGreen(view))
    }

    /// Why the canary target cannot be released as its objects stand, naming the field; nil when it can.
    private func canaryProblem(_ view: CanaryView, target: DeploymentTarget) async throws -> String? {
        let field = "spec.strategy.canary.trafficRouting"
        guard let router = TrafficRouters.router(for: view.strategy) else {
            return "\(field): set exactly one of replicaRatio, nginx, istio, gatewayAPI"
        }
        let context = RouterContext(namespace: namespace, strategy: view.strategy, request: request, stable: view.stable, canary: view.canary,
                                    baseReplicas: max(1, view.stable.replicas), cluster: cluster)
        if let problem = try await router.problem(context) { return "\(field): \(problem)" }
        if !router.scalesWorkloads {
            do {
                if let weight = try await router.liveWeight(context), weight != 0 {
                    return "\(field): \(router.summary) already sends \(weight) % of the traffic to the canary; set it to stable 100 / canary 0 before releasing"
                }
            } catch is ExternalRoutingEdit {
                // The NGINX canary Ingress does not exist before the first release: nothing routed.
            }
        }
        if view.stable.replicas == 0 {
            return "spec.strategy.canary.stableDeployment: Deployment \(view.stable.name) has 0 replicas; the canary's share is taken of the stable's replicas, so scale it up first"
        }
        return nil
    }

    static func describe(_ issues: [ValidationIssue]) -> String {
        issues.map(\.description).joined(separator: "; ")
    }
}
