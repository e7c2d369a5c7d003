import Kube
import Logging
import Metrics

/// How a `Watcher` lists and retries.
public struct WatcherConfiguration: Sendable {
    /// Objects per list page (the `limit` parameter).
    public var pageSize: Int
    /// The delays between retries after failures.
    public var backoff: ExponentialBackoff

    public init(pageSize: Int = 500, backoff: ExponentialBackoff = ExponentialBackoff()) {
        self.pageSize = max(1, pageSize)
        self.backoff = backoff
    }
}

/// Keeps a consistent view of one resource: lists it in pages, then follows changes from the
/// list's resourceVersion, re-watching when a stream ends, re-listing on 410 Gone, and backing
/// off on errors. It never gives up; it stops when its task is cancelled.
/// The transitions are in `WatcherStateMachine`.
public struct Watcher<Object: KubernetesObject>: Sendable {
    public let source: any WatchSource<Object>
    public let configuration: WatcherConfiguration
    public let clock: any RuntimeClock
    public let logger: Logger

    public init(source: any WatchSource<Object>, configuration: WatcherConfiguration = WatcherConfiguration(),
                clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "slipway.runtime.watcher")) {
        self.source = source
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Runs until the calling task is cancelled, handing each event to `handle` before reading
    /// on (so a slow consumer slows the watch instead of buffering without bound).
    /// A blip (a watch the server closed, a refused connection) is retried with backoff and
    /// logged at debug. Failures that keep coming are logged as warnings from the third in a
    /// row, and so is any request that got no answer in time (a list waits 65 s), so a
    /// controller that cannot sync says why instead of waiting silently. A refusal
    /// (401/403) will not heal by itself, so it is logged as an error at once: it names the
    /// missing permission, and the watcher keeps retrying so a fixed RBAC rule takes effect.
    private func logFailure(_ message: Logger.Message, _ error: any Error, inARow failures: Int, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        metadata["failuresInARow"] = "\(failures)"
        metadata["resource"] = "\(Self.resourceName)"
        if let kubeError = error as? KubeError, kubeError.isForbidden || kubeError.isUnauthorized {
            logger.error("\(message): the API refused access; grant the permission named in the error (RBAC) or fix the credentials", metadata: metadata)
        } else if failures >= Self.failuresBeforeWarning || (error as? KubeError)?.isTimeout == true {
            logger.warning("\(message) again; retrying with backoff (is the API server reachable and answering?)", metadata: metadata)
        } else {
            logger.debug(message, metadata: metadata)
        }
    }

    static var failuresBeforeWarning: Int { 3 }

    /// The resource's plural for logs and metrics (the type's name for a type that is not a resource).
    static var resourceName: String { (Object.self as? any KubernetesResource.Type)?.resource.plural ?? "\(Object.self)" }

    public func run(_ handle: @Sendable (WatcherEvent<Object>) async -> Void) async {
        var machine = WatcherStateMachine<Object>(backoff: configuration.backoff.independentCopy())
        var failuresInARow = 0
        let handedOn = Counter(label: RuntimeMetricName.watchEvents, dimensions: [("resource", Self.resourceName)])
        while !Task.isCancelled {
            switch machine.nextAction() {
            case .listPage(let token):
                do {
                    let page = try await source.listPage(limit: configuration.pageSize, continueToken: token)
                    failuresInARow = 0
                    handedOn.increment(by: page.items.count)
                    if let event = machine.pageReceived(page) { await handle(event) }
                } catch {
                    if Task.isCancelled { return }
                    failuresInARow += 1
                    logFailure("list failed", error, inARow: failuresInARow, metadata: [:])
                    machine.listFailed(error, at: clock.now())
                }
            case .watch(let resourceVersion):
                do {
                    let stream = try await source.watch(from: resourceVersion)
                    reading: for try await event in stream {
                        let (output, keepReading) = machine.eventReceived(event, at: clock.now())
                        failuresInARow = 0
                        if let output {
                            handedOn.increment()
                            await handle(output)
                        }
                        if !keepReading { break reading }
                    }
                    machine.streamEnded(at: clock.now())
                } catch {
                    if Task.isCancelled { return }
                    failuresInARow += 1
                    logFailure("watch failed", error, inARow: failuresInARow, metadata: ["resourceVersion": "\(resourceVersion)"])
                    machine.watchFailed(error, at: clock.now())
                }
            case .backOff(let delay):
                logger.trace("backing off", metadata: ["delay": "\(delay)"])
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return
                }
                machine.backoffElapsed()
            }
        }
    }

    /// The events as a stream; iterating it runs the watcher, ending the iteration stops it.
    public func events() -> AsyncStream<WatcherEvent<Object>> {
        AsyncStream { continuation in
            let task = Task {
                await run { event in continuation.yield(event) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
