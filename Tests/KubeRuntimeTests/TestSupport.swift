import Foundation
import Kube
import KubeRuntime
import Synchronization
import Testing

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting until \(what)" }
}

/// Waits until `condition` holds, checking every millisecond, failing after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

/// A ConfigMap standing in for any object.
func object(_ name: String, rv: String, namespace: String = "shop", value: String = "") -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: rv), data: ["value": value])
}

func page(_ items: [ConfigMap], rv: String? = nil, continue token: String? = nil) -> ObjectList<ConfigMap> {
    ObjectList(metadata: ListMeta(resourceVersion: rv, continue: token), items: items)
}

func gone(_ reason: String = "Expired") -> KubeError {
    .api(Status(message: "too old resource version", reason: reason, code: 410))
}

struct ConnectionDropped: Error {}

/// A `WatchSource` that answers from a script and records every call. When the script runs
/// out, a list waits until cancelled and a watch stays open for `emit`.
final class ScriptedWatchSource<Object: KubernetesObject>: WatchSource {
    enum Call: Equatable, Sendable {
        case list(limit: Int, continueToken: String?)
        case watch(from: String)
    }

    enum StreamEnd: Sendable {
        case finish
        case fail(any Error)
        case stayOpen
    }

    enum WatchScript: Sendable {
        case events([WatchEvent<Object>], then: StreamEnd)
        case openFails(any Error)
    }

    private struct State {
        var lists: [Result<ObjectList<Object>, any Error>] = []
        var watches: [WatchScript] = []
        var calls: [Call] = []
        var live: AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation?
    }

    private let state = Mutex(State())

    init(lists: [Result<ObjectList<Object>, any Error>] = [], watches: [WatchScript] = []) {
        state.withLock {
            $0.lists = lists
            $0.watches = watches
        }
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var hasLiveStream: Bool { state.withLock { $0.live != nil } }

    func script(list: Result<ObjectList<Object>, any Error>) {
        state.withLock { $0.lists.append(list) }
    }

    func script(watch: WatchScript) {
        state.withLock { $0.watches.append(watch) }
    }

    /// Sends `event` on the open watch stream, if any.
    func emit(_ event: WatchEvent<Object>) {
        _ = state.withLock { $0.live }?.yield(event)
    }

    /// Ends the open watch stream, normally or with an error.
    func endLiveStream(throwing error: (any Error)? = nil) {
        let live = state.withLock { state -> AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation? in
            defer { state.live = nil }
            return state.live
        }
        live?.finish(throwing: error)
    }

    func listPage(limit: Int, continueToken: String?) async throws -> ObjectList<Object> {
        let next = state.withLock { state -> Result<ObjectList<Object>, any Error>? in
            state.calls.append(.list(limit: limit, continueToken: continueToken))
            return state.lists.isEmpty ? nil : state.lists.removeFirst()
        }
        guard let next else {
            try await Task.sleep(for: .seconds(86_400))
            throw CancellationError()
        }
        return try next.get()
    }

    func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let next = state.withLock { state -> WatchScript? in
            state.calls.append(.watch(from: resourceVersion))
            return state.watches.isEmpty ? nil : state.watches.removeFirst()
        }
        switch next {
        case .openFails(let error):
            throw error
        case .events(let events, let end):
            let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
            for event in events { continuation.yield(event) }
            switch end {
            case .finish: continuation.finish()
            case .fail(let error): continuation.finish(throwing: error)
            case .stayOpen: state.withLock { $0.live = continuation }
            }
            return stream
        case nil:
            let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
            state.withLock { $0.live = continuation }
            return stream
        }
    }
}

/// Collects what a watcher reports.
final class EventLog<Object: KubernetesObject>: Sendable {
    private let events = Mutex<[WatcherEvent<Object>]>([])

    func append(_ event: WatcherEvent<Object>) {
        events.withLock { $0.append(event) }
    }

    var all: [WatcherEvent<Object>] { events.withLock { $0 } }
    var count: Int { events.withLock { $0.count } }
}

/// A short, readable form of a watcher event for assertions: `restarted[a,b]`, `applied a@12`.
func describe(_ event: WatcherEvent<ConfigMap>) -> String {
    switch event {
    case .restarted(let objects): return "restarted[" + objects.compactMap(\.metadata.name).joined(separator: ",") + "]"
    case .applied(let object): return "applied \(object.metadata.name ?? "")@\(object.metadata.resourceVersion ?? "")"
    case .deleted(let object): return "deleted \(object.metadata.name ?? "")@\(object.metadata.resourceVersion ?? "")"
    }
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    @discardableResult
    func withLock<Result: Sendable>(_ body: @Sendable (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
