import Kube

/// The watcher's decisions, kept apart from I/O so that every transition is plain data.
///
/// After kube-rs `kube-runtime/src/watcher.rs` and the API concepts page
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
///
/// ```
/// empty ──> listing(page…) ──last page──> watching(rv) ──stream ends──> watching(last rv)
///   ▲            │ error                    │  │ error / ERROR event
///   │            ▼                          │  ▼
///   │       backingOff(then: same page)     │ backingOff(then: watching(last rv))
///   └──────── 410 Gone (HTTP or ERROR event), while listing or watching
///             (after a backoff when no event arrived since the list: the server is refusing
///             the version it just listed at, and listing again at once would spin)
/// ```
///
/// resourceVersions are opaque: they are only stored and sent back, never compared by order.
struct WatcherStateMachine<Object: KubernetesObject>: Sendable {
    enum State: Sendable {
        /// Nothing known: the next step is a fresh list.
        case empty
        /// Paging through a list; `objects` holds the pages read so far.
        case listing(continueToken: String?, objects: [Object])
        /// Following changes after `resourceVersion` (the list's, then the last event's).
        case watching(resourceVersion: String)
        /// Waiting `delay` after a failure before resuming in `then`.
        indirect case backingOff(delay: Duration, then: State)
    }

    /// What the driver must do next.
    enum Action: Sendable, Equatable {
        case listPage(continueToken: String?)
        case watch(from: String)
        case backOff(Duration)
    }

    private(set) var state: State = .empty
    private var backoff: ExponentialBackoff
    /// Events seen on the current watch stream; a stream that ends without any is treated as a
    /// failure so that a server closing watches at once cannot make the watcher spin.
    private var eventsOnCurrentStream = 0
    /// Events seen since the last list completed. A 410 before any is not a normal expiry but a
    /// server refusing the version it just gave: back off before listing again, so as not to spin.
    private var eventsSinceList = 0

    init(backoff: ExponentialBackoff) {
        self.backoff = backoff
    }

    mutating func nextAction() -> Action {
        switch state {
        case .empty:
            state = .listing(continueToken: nil, objects: [])
            return .listPage(continueToken: nil)
        case .listing(let token, _):
            return .listPage(continueToken: token)
        case .watching(let resourceVersion):
            eventsOnCurrentStream = 0
            return .watch(from: resourceVersion)
        case .backingOff(let delay, _):
            return .backOff(delay)
        }
    }

    /// The wait after a failure is over.
    mutating func backoffElapsed() {
        if case .backingOff(_, let then) = state { state = then }
    }

    /// A list page arrived. Returns `.restarted` with every object after the last page.
    mutating func pageReceived(_ page: ObjectList<Object>) -> WatcherEvent<Object>? {
        guard case .listing(_, var objects) = state else { return nil }
        objects.append(contentsOf: page.items)
        if let token = page.metadata.continue, !token.isEmpty {
            state = .listing(continueToken: token, objects: objects)
            return nil
        }
        state = .watching(resourceVersion: page.metadata.resourceVersion ?? "")
        eventsSinceList = 0
        return .restarted(objects)
    }

    /// A list page failed at monotonic time `now`.
    mutating func listFailed(_ error: any Error, at now: Duration) {
        guard case .listing = state else { return }
        if Self.isGone(error) {
            // The continue token expired: only a fresh list is consistent.
            state = .empty
        } else {
            state = .backingOff(delay: backoff.next(at: now), then: state)
        }
    }

    /// An event arrived on the watch stream. Returns what to report, and whether to keep
    /// reading the stream (false after an ERROR event).
    mutating func eventReceived(_ event: WatchEvent<Object>, at now: Duration) -> (WatcherEvent<Object>?, keepReading: Bool) {
        guard case .watching(let resourceVersion) = state else { return (nil, false) }
        eventsOnCurrentStream += 1
        if case .error = event {} else { eventsSinceList += 1 }
        switch event {
        case .added(let object), .modified(let object):
            state = .watching(resourceVersion: object.metadata.resourceVersion ?? resourceVersion)
            return (.applied(object), true)
        case .deleted(let object):
            state = .watching(resourceVersion: object.metadata.resourceVersion ?? resourceVersion)
            return (.deleted(object), true)
        case .bookmark(let bookmark):
            if !bookmark.resourceVersion.isEmpty { state = .watching(resourceVersion: bookmark.resourceVersion) }
            return (nil, true)
        case .error(let status):
            watchFailed(KubeError.api(status), at: now)
            return (nil, false)
        }
    }

    /// The server ended the watch normally: watch again from the last version seen.
    mutating func streamEnded(at now: Duration) {
        guard case .watching(let resourceVersion) = state else { return }
        if eventsOnCurrentStream == 0 {
            state = .backingOff(delay: backoff.next(at: now), then: .watching(resourceVersion: resourceVersion))
        }
    }

    /// Opening or reading the watch failed at `now`: re-list on 410, otherwise back off and
    /// resume from the last version seen.
    mutating func watchFailed(_ error: any Error, at now: Duration) {
        guard case .watching(let resourceVersion) = state else { return }
        if Self.isGone(error) {
            state = eventsSinceList == 0 ? .backingOff(delay: backoff.next(at: now), then: .empty) : .empty
        } else {
            state = .backingOff(delay: backoff.next(at: now), then: .watching(resourceVersion: resourceVersion))
        }
    }

    static func isGone(_ error: any Error) -> Bool {
        (error as? KubeError)?.isGone ?? false
    }
}
