import Foundation
import Kube

/// One ask for a release of a `DeploymentTarget`: deploy an image, or roll back to the target's
/// previous release. Created by the chat front-end, a CI job or the CLI; driven by the
/// controller, which records progress in `status`.
/// The schema is `manifests/crds/deploymentrequests.slipway.dev.yaml`.
public struct DeploymentRequest: KubernetesResource, Equatable {
    public static let resource = ResourceDescriptor.deploymentRequests
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: DeploymentRequestSpec
    public var status: DeploymentRequestStatus?

    /// The target this request works on: the one fixed in status when it started (an edit of
    /// spec.target afterwards must not move a running release to another target), else spec.target.
    public var effectiveTarget: String { status?.releaseTarget ?? spec.target }

    public init(metadata: ObjectMeta, spec: DeploymentRequestSpec, status: DeploymentRequestStatus? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.resource.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The phase, `Pending` until the controller has written one.
    public var phase: Phase { status?.phase ?? .pending }

    /// Who asked (`slipway.dev/requested-by`), if the front-end said.
    public var requestedBy: String? { metadata.annotations?[SlipwayAnnotation.requestedBy] }

    /// Distinct approvers listed in `slipway.dev/approved-by`.
    public var approvers: [String] { SlipwayAnnotation.approvers(in: metadata.annotations?[SlipwayAnnotation.approvedBy]) }

    /// The approvers that count under `policy`: distinct, and without the requester unless the
    /// policy lets them approve their own release.
    public func countedApprovers(under policy: ApprovalPolicy) -> [String] {
        let requester = requestedBy?.trimmingCharacters(in: .whitespaces)
        return approvers.filter { policy.effectiveRequesterMayApprove || $0 != requester }
    }

    /// Whether the request has the approvals `policy` asks for (always, when none are required).
    public func isApproved(under policy: ApprovalPolicy?) -> Bool {
        guard let policy, policy.isRequired else { return true }
        return countedApprovers(under: policy).count >= policy.effectiveMinApprovers
    }

    /// Whether a human asked a paused release to continue.
    public var isPromoteRequested: Bool { metadata.annotations?[SlipwayAnnotation.promote] != nil }

    /// Whether a human asked to stop the release.
    public var isAbortRequested: Bool { metadata.annotations?[SlipwayAnnotation.abort] != nil }
}

public struct DeploymentRequestSpec: Codable, Sendable, Equatable {
    /// The DeploymentTarget, in the request's namespace.
    public var target: String
    /// Default `deploy`.
    public var action: RequestAction?
    /// The full image reference with a tag or digest; required to deploy, absent for a rollback.
    public var image: String?
    /// The source commit, 7–40 lowercase hex digits.
    public var commit: String?
    public var reason: String?

    public init(target: String, action: RequestAction? = nil, image: String? = nil, commit: String? = nil, reason: String? = nil) {
        self.target = target
        self.action = action
        self.image = image
        self.commit = commit
        self.reason = reason
    }

    public var effectiveAction: RequestAction { action ?? .deploy }
}

public enum RequestAction: String, Codable, Sendable, CaseIterable {
    case deploy, rollback
}

/// Progress of a request, written by the controller.
public struct DeploymentRequestStatus: Codable, Sendable, Equatable {
    public var observedGeneration: Int?
    public var phase: Phase?
    /// What was live when the release started: what a failure or an abort restores. Recorded
    /// before the first change, so that a restarted controller restores the right release.
    public var previousImage: String?
    public var previousCommit: String?
    /// The image and commit this request releases, fixed when it starts (for a rollback, the
    /// target's previous release then). A request is one ask: editing its spec afterwards does
    /// not change what is released, and the target's status keeps naming what really runs.
    public var releaseImage: String?
    public var releaseCommit: String?
    /// With the target's `imagePolicy`: the digest the release's image had in its registry when
    /// the request started. With `pinDigest`, `releaseImage` is `REPO@` this digest.
    public var releaseDigest: String?
    /// The image as asked for (`REPO:TAG`) when `releaseImage` is the digest it resolved to.
    public var requestedImage: String?
    /// The target this request holds, fixed when it starts, for the same reason.
    public var releaseTarget: String?
    /// Blue/green: the slot receiving the release.
    public var slot: Slot?
    /// Blue/green: when the active Service was switched to `slot` (the old slot stays warm for
    /// scaleDownDelaySeconds from then, and a post-promotion failure switches back).
    public var trafficSwitchedAt: String?
    /// Canary: the index of the step in progress.
    public var currentStep: Int?
    /// Canary: the traffic weight now sent to the canary.
    public var canaryWeight: Int?
    /// Canary: the stable Deployment's replicas when the release started. Recorded before the
    /// first change, because replica ratio routing changes the stable's replicas: it is the
    /// total the ratio splits and what the stable returns to.
    public var stableReplicas: Int?
    public var gates: [GateStatus]?
    public var approvals: [Approval]?
    public var startedAt: String?
    public var finishedAt: String?
    public var message: String?
    public var conditions: [Condition]?
    /// What the controller did, oldest first; at most `timelineLimit` entries.
    public var timeline: [TimelineEntry]?

    /// The schema's `maxItems` for `timeline`.
    public static let timelineLimit = 100

    public init(observedGeneration: Int? = nil, phase: Phase? = nil, previousImage: String? = nil, previousCommit: String? = nil,
                slot: Slot? = nil, trafficSwitchedAt: String? = nil, currentStep: Int? = nil, canaryWeight: Int? = nil,
                stableReplicas: Int? = nil, gates: [GateStatus]? = nil, approvals: [Approval]? = nil, startedAt: String? = nil, finishedAt: String? = nil,
                message: String? = nil, conditions: [Condition]? = nil, timeline: [TimelineEntry]? = nil,
                releaseImage: String? = nil, releaseCommit: String? = nil, releaseTarget: String? = nil) {
        self.observedGeneration = observedGeneration
        self.releaseTarget = releaseTarget
        self.releaseImage = releaseImage
        self.releaseCommit = releaseCommit
        self.phase = phase
        self.previousImage = previousImage
        self.previousCommit = previousCommit
        self.slot = slot
        self.trafficSwitchedAt = trafficSwitchedAt
        self.currentStep = currentStep
        self.canaryWeight = canaryWeight
        self.stableReplicas = stableReplicas
        self.gates = gates
        self.approvals = approvals
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.message = message
        self.conditions = conditions
        self.timeline = timeline
    }

    /// Appends to the timeline, dropping the oldest entries beyond `timelineLimit` so that
    /// the status stays within the schema's bound however long a release runs.
    public mutating func record(_ entry: TimelineEntry) {
        var entries = timeline ?? []
        entries.append(entry)
        if entries.count > Self.timelineLimit { entries.removeFirst(entries.count - Self.timelineLimit) }
        timeline = entries
    }

    /// The condition of `type`, if set.
    public func condition(_ type: String) -> Condition? {
        conditions?.first { $0.type == type }
    }

    /// Sets a condition in the Kubernetes convention: `lastTransitionTime` changes only when
    /// the status changes.
    /// See https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#typical-status-properties
    public mutating func setCondition(_ condition: Condition) {
        var list = conditions ?? []
        if let index = list.firstIndex(where: { $0.type == condition.type }) {
            var updated = condition
            if list[index].status == condition.status { updated.lastTransitionTime = list[index].lastTransitionTime }
            list[index] = updated
        } else {
            list.append(condition)
        }
        conditions = list
    }
}

/// One gate's results within a request.
public struct GateStatus: Codable, Sendable, Equatable {
    public var name: String
    public var phase: GatePhase?
    public var successes: Int?
    public var failures: Int?
    public var inconclusive: Int?
    public var lastValue: String?
    public var lastError: String?
    public var lastChecked: String?
    /// The most recent measurements, oldest first; at most `measurementLimit`.
    public var measurements: [Measurement]?

    /// The schema's `maxItems` for `measurements`.
    public static let measurementLimit = 20

    public init(name: String, phase: GatePhase? = nil, successes: Int? = nil, failures: Int? = nil, inconclusive: Int? = nil,
                lastValue: String? = nil, lastError: String? = nil, lastChecked: String? = nil, measurements: [Measurement]? = nil) {
        self.name = name
        self.phase = phase
        self.successes = successes
        self.failures = failures
        self.inconclusive = inconclusive
        self.lastValue = lastValue
        self.lastError = lastError
        self.lastChecked = lastChecked
        self.measurements = measurements
    }

    /// Appends a measurement, keeping the most recent `measurementLimit`.
    public mutating func record(_ measurement: Measurement) {
        var list = measurements ?? []
        list.append(measurement)
        if list.count > Self.measurementLimit { list.removeFirst(list.count - Self.measurementLimit) }
        measurements = list
    }
}

public enum GatePhase: String, Codable, Sendable, CaseIterable {
    case pending = "Pending", running = "Running", passed = "Passed", failed = "Failed", inconclusive = "Inconclusive"
}

/// One measurement of a gate.
public struct Measurement: Codable, Sendable, Equatable {
    public var time: String
    public var outcome: MeasurementOutcome
    public var value: String?

    public init(time: String, outcome: MeasurementOutcome, value: String? = nil) {
        self.time = time
        self.outcome = outcome
        self.value = value
    }
}

/// One approval the controller counted.
public struct Approval: Codable, Sendable, Equatable {
    public var by: String
    public var at: String?

    public init(by: String, at: String? = nil) {
        self.by = by
        self.at = at
    }
}

/// One thing the controller did (`ScaledUp`, `SwitchedTraffic`, `SetWeight`), for the request's
/// history and for proving that no step was done twice.
public struct TimelineEntry: Codable, Sendable, Equatable {
    public var time: String
    public var action: String
    public var detail: String?

    public init(time: String, action: String, detail: String? = nil) {
        self.time = time
        self.action = action
        self.detail = detail
    }
}
