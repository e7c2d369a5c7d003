import Foundation
import Kube
import KubeRuntime
import Logging
import Observability
import Rollout
import ServiceLifecycle
import SlipwayAPI
import Synchronization

/// Where the Lease for leader election lives.
struct LeaderElectionSettings: Sendable {
    var leaseName: String
    var namespace: String
    var configuration: LeaderElectionConfiguration
}

/// What the health and metrics endpoints report.
final class ControllerStatus: Sendable {
    private let readyFlag = Atomic<Bool>(false)
    private let leadingFlag = Atomic<Bool>(false)
    private let standingBy = Atomic<Bool>(false)
    private let metrics: ControllerMetrics?

    init(metrics: ControllerMetrics? = nil) {
        self.metrics = metrics
    }

    /// Ready once the watch caches are synced; a replica standing by for the Lease is ready too
    /// (it is healthy, only not leading), as with controller-runtime.
    var isReady: Bool { readyFlag.load(ordering: .relaxed) || standingBy.load(ordering: .relaxed) }
    var isLeading: Bool { leadingFlag.load(ordering: .relaxed) }

    func setSynced(_ value: Bool) {
        readyFlag.store(value, ordering: .relaxed)
        metrics?.setReady(isReady)
    }

    func setLeading(_ value: Bool) {
        leadingFlag.store(value, ordering: .relaxed)
        metrics?.setLeading(value)
    }

    func setStandingBy(_ value: Bool) {
        standingBy.store(value, ordering: .relaxed)
        metrics?.setReady(isReady)
    }
}

/// The controller as a swift-service-lifecycle service.
///
/// Without leader election one controller runs for the life of the process. With it, each
/// term as leader runs a fresh controller (a `Controller` runs once) that is cancelled the
/// moment the Lease is lost. A graceful shutdown stops taking work, lets the reconciles in
/// flight finish within the controller's grace period, and then the elector releases the
/// Lease so that a standby takes over without waiting for it to expire.
/// See https://swiftpackageindex.com/swift-server/swift-service-lifecycle/documentation/servicelifecycle
final class ControllerService: ServiceLifecycle.Service {
    private let client: KubeClient
    private let prober: HTTPGateProber
    private let namespace: String?
    private let workers: Int
    private let election: LeaderElectionSettings?
    private let status: ControllerStatus
    private let releases: ReleaseMetrics?
    private let logger: Logger

    private struct State {
        var stopping = false
        var current: Controller<DeploymentRequest>?
        var elector: Task<Void, Never>?
    }

    private let state = Mutex(State())

    init(client: KubeClient, prober: HTTPGateProber, namespace: String?, workers: Int, election: LeaderElectionSettings?,
         status: ControllerStatus, releases: ReleaseMetrics? = nil, logger: Logger) {
        self.client = client
        self.prober = prober
        self.namespace = namespace
        self.workers = workers
        self.election = election
        self.status = status
        self.releases = releases
        self.logger = logger
    }

    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                if let election {
                    await runElected(election)
                } else {
                    status.setLeading(true)
                    await runTerm()
                    status.setLeading(false)
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            let elector = self.state.withLock { state -> Task<Void, Never>? in
                state.stopping = true
                return state.elector
            }
            elector?.cancel()
        }
        logger.info("slipway controller stopped")
    }

    private func runElected(_ election: LeaderElectionSettings) async {
        let identity = election.configuration.identity
        let elector = LeaderElector(
            lock: KubeLeaseLock(client: client, name: election.leaseName, namespace: election.namespace),
            configuration: election.configuration, logger: logger)
        logger.info("competing for the lease", metadata: ["lease": "\(election.namespace)/\(election.leaseName)", "identity": "\(identity)"])
        status.setStandingBy(true)
        let task = Task {
            await elector.run { [self] in
                status.setLeading(true)
                status.setStandingBy(false)
                logger.info("leading; starting to reconcile")
                await runTerm()
                status.setLeading(false)
                status.setStandingBy(true)
                logger.info("no longer leading")
            }
        }
        let alreadyStopping = state.withLock { state -> Bool in
            state.elector = task
            return state.stopping
        }
        if alreadyStopping { task.cancel() }
        await task.value
        status.setStandingBy(false)
    }

    static var syncReportInterval: Duration { .seconds(15) }

    /// One controller, from start to drained.
    private func runTerm() async {
        let events = EventRecorder(sink: KubeEventSink(client: client), component: "slipway-controller",
                                   host: ProcessInfo.processInfo.hostName)
        let assembly = ControllerAssembly(
            client: client, events: events, prober: prober, namespace: namespace,
            configuration: ControllerConfiguration(name: "deploymentrequest", workers: workers, shutdownGracePeriod: .seconds(20)),
            logger: logger)
        let registered = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.current = assembly.controller
            return true
        }
        guard registered else { return }
        let status = self.status
        let logger = self.logger
        let releases = self.releases
        let termStarted = Date()
        // A controller that cannot sync does nothing; say which caches it is waiting for.
        let syncReport = Task {
            var waited = Duration.zero
            while !Task.isCancelled {
                do { try await Task.sleep(for: Self.syncReportInterval) } catch { return }
                waited += Self.syncReportInterval
                let pending = assembly.unsyncedCaches
                if pending.isEmpty { return }
                logger.warning("still waiting for the first list of \(pending.joined(separator: ", ")); reconciling starts once every cache is synced",
                               metadata: ["waited": "\(waited)"])
            }
        }
        let readiness = Task {
            await assembly.waitUntilSynced()
            syncReport.cancel()
            guard !Task.isCancelled else { return }
            status.setSynced(true)
            // Release metrics come from the caches this term's controller keeps.
            let requests = assembly.controller.store, targets = assembly.targets
            releases?.attach(ReleaseMetrics.Source(requests: { requests.list() }, targets: { targets.list() }), since: termStarted)
            logger.info("caches synced")
            FreedMemory.release()
            FileHandle.standardOutput.write(Data("slipway controller started\n".utf8))
        }
        await withTaskCancellationHandler {
            await assembly.run()
        } onCancel: {
            readiness.cancel()
        }
        readiness.cancel()
        syncReport.cancel()
        await readiness.value
        releases?.detach()
        status.setSynced(false)
        state.withLock { $0.current = nil }
    }

    /// Graceful shutdown: drain the running controller; a replica not leading stops competing.
    private func stop() {
        logger.info("shutting down: finishing reconciles in flight")
        let (controller, elector) = state.withLock { state in
            state.stopping = true
            return (state.current, state.elector)
        }
        if let controller {
            controller.shutdown()
        } else {
            elector?.cancel()
        }
    }
}
