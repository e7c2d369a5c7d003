import Foundation
import Kube
import KubeRuntime
import Logging
import SlipwayAPI

/// Tunables of the request reconciler.
public struct RolloutConfiguration: Sendable {
    /// How often a waiting request (queued, awaiting approval) looks again even if nothing
    /// wakes it: a safety net under the watches.
    public var waitingRecheck: Duration
    /// How often a release waiting for a Deployment to become available looks again.
    public var availabilityPoll: Duration
    /// The longest wait before a request outside its window looks again.
    public var maxWindowWait: Duration

    public init(waitingRecheck: Duration = .seconds(30), availabilityPoll: Duration = .seconds(5), maxWindowWait: Duration = .seconds(300)) {
        self.waitingRecheck = waitingRecheck
        self.availabilityPoll = availabilityPoll
        self.maxWindowWait = maxWindowWait
    }
}

/// Drives one `DeploymentRequest` a step at a time.
///
/// Level-triggered (after controller-runtime and kube-rs): each call reads the request, its
/// target and the live Deployments and Services, decides the next single step, does it, records
/// it in the request's status, and says when to look again. Nothing is kept between calls, so a
/// fresh instance (a restarted controller) continues where the last one stopped.
///
/// Crash safety comes from the order of writes. Every step is recorded in the timeline right
/// after it is done, and a step whose effect the live objects already show is recorded without
/// being done again. A traffic change is announced in status first (`SwitchingTraffic`), then
/// made with the expected selector as precondition, then recorded; a restarted controller reads
/// the Service, the source of truth for traffic, to learn whether the switch happened. So a
/// traffic change is never made twice and never skipped.
public final class RequestReconciler: Sendable {
    public let cluster: any RolloutCluster
    public let configuration: RolloutConfiguration
    let runner: GateRunner
    let clock: any RuntimeClock
    let logger: Logger
    /// Checks release images against targets' imagePolicy; shared by every reconcile.
    let images: ImagePolicyChecker

    public init(cluster: any RolloutCluster, gates: GateEvaluators, clock: any RuntimeClock = SystemClock(),
                configuration: RolloutConfiguration = RolloutConfiguration(), logger: Logger = Logger(label: "slipway.rollout"),
                images: ImagePolicyChecker = ImagePolicyChecker()) {
        self.cluster = cluster
        self.images = images
        self.runner = GateRunner(evaluators: gates)
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Takes the next step for the request `key` (namespace and name).
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileAction {
        guard let namespace = key.namespace, !namespace.isEmpty else {
            logger.debug("ignoring a request key without a namespace", metadata: ["request": "\(key)"])
            return .awaitChange
        }
        guard let request = try await cluster.request(namespace: namespace, name: key.name) else { return .awaitChange }
        let run = ReleaseRun(reconciler: self, request: request, namespace: namespace, now: clock.wallClock())
        return try await run.reconcile()
    }
}

/// One reconcile of one request: the objects as read, and the writes that follow. Lives for a
/// single call; never shared.
final class ReleaseRun {
    let reconciler: RequestReconciler
    let namespace: String
    let now: Date
    var request: DeploymentRequest
    var target: DeploymentTarget?
    /// What admission's image check found this reconcile: the image workloads get and its digest.
    var admittedImage: (image: String, digest: String?)?
    private var pendingEvents: [(type: EventType, reason: String, message: String)] = []
    private var savedStatus: DeploymentRequestStatus?

    var cluster: any RolloutCluster { reconciler.cluster }
    var configuration: RolloutConfiguration { reconciler.configuration }
    var logger: Logger { reconciler.logger }
    var name: String { request.metadata.name ?? "" }
    var nowString: String { RFC3339.string(from: now) }
    var status: DeploymentRequestStatus {
        get { request.status ?? DeploymentRequestStatus() }
        set { request.status = newValue }
    }

    init(reconciler: RequestReconciler, request: DeploymentRequest, namespace: String, now: Date) {
        self.reconciler = reconciler
        self.request = request
        self.namespace = namespace
        self.now = now
        self.savedStatus = request.status
    }

    func reconcile() async throws -> ReconcileAction {
        let phase = request.phase
        if phase.isTerminal { return try await tidyAfterFinish() }
        if phase.holdsTarget { return try await drive() }
        return try await admit()
    }

    // MARK: Status

    /// Whether the timeline holds `action`.
    func has(_ action: TimelineAction) -> Bool {
        status.timeline?.contains { $0.action == action.rawValue } ?? false
    }

    /// When `action` was recorded.
    func time(of action: TimelineAction) -> Date? {
        status.timeline?.last { $0.action == action.rawValue }.flatMap { RFC3339.date(from: $0.time) }
    }

    /// Appends a step to the timeline. A recorded step means the release is moving, so a paused
    /// release (promoted by a human) is Progressing again.
    func record(_ action: TimelineAction, _ detail: String? = nil) {
        status.record(TimelineEntry(time: nowString, action: action.rawValue, detail: detail.map { String($0.prefix(1024)) }))
        logger.debug("release step", metadata: ["request": "\(namespace)/\(name)", "target": "\(request.effectiveTarget)",
                                                "step": "\(action.rawValue)", "detail": "\(detail ?? "")"])
        if request.phase == .paused {
            move(to: .progressing, reason: "Resumed", message: "continuing: \(SlipwayAnnotation.promote) is set")
        }
    }

    func setCondition(_ type: String, _ value: Bool, reason: String, message: String) {
        status.setCondition(Condition(type: type, status: value ? "True" : "False", reason: reason, message: String(message.prefix(1024)),
                                      lastTransitionTime: nowString, observedGeneration: request.metadata.generation))
    }

    /// Changes the phase (if the move is legal) and the message; the Event follows the write.
    func move(to phase: Phase, reason: String, message: String, type: EventType = .normal) {
        let from = request.phase
        var updated = status
        if from != phase {
            guard from.canTransition(to: phase) else {
                logger.error("refusing an illegal phase change", metadata: ["request": "\(namespace)/\(name)", "from": "\(from.rawValue)", "to": "\(phase.rawValue)"])
                return
            }
            pendingEvents.append((type, reason, message))
        }
        updated.phase = phase
        updated.message = String(message.prefix(1024))
        updated.observedGeneration = request.metadata.generation
        request.status = updated
        if phase == .progressing || phase == .paused {
            setCondition(RequestCondition.progressing, true, reason: reason, message: message)
        }
        if phase.isTerminal {
            status.finishedAt = status.finishedAt ?? nowString
            setCondition(RequestCondition.progressing, false, reason: reason, message: message)
            setCondition(RequestCondition.complete, phase == .succeeded, reason: reason, message: message)
        }
    }

    /// Queues an Event to be sent after the next status write.
    func announce(_ type: EventType, reason: String, message: String) {
        pendingEvents.append((type, reason, message))
    }

    /// Sets the message without changing the phase.
    func say(_ message: String) {
        status.message = String(message.prefix(1024))
    }

    /// Writes the status through the status subresource, then sends the Events of the phase
    /// changes it carries (after the write, so that an Event never announces a change that
    /// did not happen).
    func save() async throws {
        request = try await cluster.updateRequestStatus(request)
        savedStatus = request.status
        let events = pendingEvents
        pendingEvents = []
        for event in events {
            await cluster.emit(event.type, reason: event.reason, message: event.message, regarding: request)
        }
    }

    /// Writes only when something changed, so that a waiting request does not write every time it looks.
    func saveIfChanged() async throws {
        if request.status != savedStatus || !pendingEvents.isEmpty { try await save() }
    }

    /// Counts `workload`'s restarts when a readiness gate asks.
    func restartCounter(of workload: WorkloadState) -> @Sendable () async throws -> Int? {
        let cluster = self.cluster, namespace = self.namespace
        return { try await cluster.restarts(of: workload, namespace: namespace) }
    }

    // MARK: Target status

    func updateTarget(_ change: (inout DeploymentTargetStatus) -> Void) async throws {
        guard var target else { return }
        var updated = target.status ?? DeploymentTargetStatus()
        change(&updated)
        updated.strategy = target.spec.strategy.name
        updated.observedGeneration = target.metadata.generation
        guard updated != target.status else { return }
        target.status = updated
        self.target = try await cluster.updateTargetStatus(target)
    }

    // MARK: Finished requests

    /// A finished request: make sure it no longer holds its target, and keep the target's history within its limit.
    func tidyAfterFinish() async throws -> ReconcileAction {
        target = try await cluster.target(namespace: namespace, name: request.effectiveTarget)
        let targetStatus = target?.status
        if targetStatus?.activeRequest == name || targetStatus?.queue?.contains(name) == true {
            let name = self.name
            try await updateTarget { status in
                if status.activeRequest == name { status.activeRequest = nil }
                status.queue = status.queue?.filter { $0 != name }
                if status.queue?.isEmpty == true { status.queue = nil }
            }
        }
        try await pruneHistory()
        return .awaitChange
    }

    /// Deletes the target's finished requests beyond `historyLimit`, oldest first.
    func pruneHistory() async throws {
        guard let target else { return }
        let limit = max(0, target.spec.effectiveHistoryLimit)
        let finished = try await cluster.requests(namespace: namespace, target: request.effectiveTarget)
            .filter { $0.phase.isTerminal }
            .sorted { lhs, rhs in
                let l = lhs.status?.finishedAt ?? lhs.metadata.creationTimestamp ?? ""
                let r = rhs.status?.finishedAt ?? rhs.metadata.creationTimestamp ?? ""
                return l != r ? l < r : CreationOrder.before(lhs, rhs)
            }
        guard finished.count > limit else { return }
        for old in finished.prefix(finished.count - limit) {
            guard let oldName = old.metadata.name else { continue }
            try await cluster.deleteRequest(namespace: namespace, name: oldName)
        }
    }
}

/// The order requests wait in: by creation time, then by name (creation timestamps have
/// one-second resolution).
enum CreationOrder {
    static func before(_ lhs: DeploymentRequest, _ rhs: DeploymentRequest) -> Bool {
        let l = lhs.metadata.creationTimestamp.flatMap(RFC3339.date(from:)) ?? .distantPast
        let r = rhs.metadata.creationTimestamp.flatMap(RFC3339.date(from:)) ?? .distantPast
        return l != r ? l < r : (lhs.metadata.name ?? "") < (rhs.metadata.name ?? "")
    }
}
