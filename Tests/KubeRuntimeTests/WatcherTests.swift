import HTTP
import Kube
import KubeRuntime
import Logging
import Synchronization
import Testing

@Suite("Runtime watcher")
struct RuntimeWatcherTests {
    typealias Source = ScriptedWatchSource<ConfigMap>

    /// Runs a watcher over `source` until the test ends; returns its log and task.
    func start(_ source: Source, clock: ManualClock) -> (EventLog<ConfigMap>, Task<Void, Never>) {
        let log = EventLog<ConfigMap>()
        let watcher = Watcher(source: source, configuration: WatcherConfiguration(backoff: ExponentialBackoff(jitter: 0)), clock: clock)
        let task = Task { await watcher.run { log.append($0) } }
        return (log, task)
    }

    @Test("lists every page with limit 500, then watches from the list's resourceVersion")
    func paging() async throws {
        let source = Source(lists: [
            .success(page([object("a", rv: "3"), object("b", rv: "5")], continue: "token-1")),
            .success(page([object("c", rv: "7")], rv: "10")),
        ])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watch opens") { source.hasLiveStream }
        #expect(source.calls == [.list(limit: 500, continueToken: nil), .list(limit: 500, continueToken: "token-1"), .watch(from: "10")])
        #expect(log.all.map(describe) == ["restarted[a,b,c]"])
    }

    @Test("re-watches from the last seen resourceVersion when the server ends the stream, without backing off")
    func rewatchOnStreamEnd() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3")], rv: "10"))],
            watches: [.events([.added(object("b", rv: "11")), .modified(object("a", rv: "12"))], then: .finish),
                      .events([.deleted(object("b", rv: "13"))], then: .finish)])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the third watch opens") { source.calls.count == 4 && source.hasLiveStream }
        #expect(source.calls.dropFirst() == [.watch(from: "10"), .watch(from: "12"), .watch(from: "13")])
        #expect(log.all.map(describe) == ["restarted[a]", "applied b@11", "applied a@12", "deleted b@13"])
        #expect(clock.requestedSleeps.isEmpty)
    }

    @Test("a bookmark moves the resume point without reporting anything")
    func bookmarks() async throws {
        let source = Source(lists: [.success(page([], rv: "10"))],
                            watches: [.events([.bookmark(WatchBookmark(resourceVersion: "25"))], then: .finish)])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the second watch opens") { source.calls.count == 3 && source.hasLiveStream }
        #expect(source.calls.last == .watch(from: "25"))
        #expect(log.all.map(describe) == ["restarted[]"])
    }

    @Test("re-lists at once when resuming a watch is answered with HTTP 410 Gone")
    func relistOnHTTPGone() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3"), object("b", rv: "4")], rv: "10")),
                    .success(page([object("a", rv: "30")], rv: "40"))],
            watches: [.events([.modified(object("b", rv: "11"))], then: .finish), .openFails(gone())])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watch after the re-list opens") { source.calls.count == 5 && source.hasLiveStream }
        #expect(source.calls == [.list(limit: 500, continueToken: nil), .watch(from: "10"), .watch(from: "11"),
                                 .list(limit: 500, continueToken: nil), .watch(from: "40")])
        #expect(log.all.map(describe) == ["restarted[a,b]", "applied b@11", "restarted[a]"])
        #expect(clock.requestedSleeps.isEmpty)
    }

    @Test("a 410 for the version just listed backs off before listing again instead of spinning")
    func goneRightAfterListBacksOff() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3")], rv: "10")), .success(page([object("a", rv: "3")], rv: "12"))],
            watches: [.openFails(gone())])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watcher backs off") { clock.sleeperCount == 1 }
        #expect(source.calls == [.list(limit: 500, continueToken: nil), .watch(from: "10")])
        clock.advance(by: .milliseconds(800))
        try await waitUntil("the watch after the re-list opens") { source.calls.last == .watch(from: "12") }
        #expect(log.all.map(describe) == ["restarted[a]", "restarted[a]"])
    }

    @Test("re-lists when the stream carries an ERROR event with code 410")
    func relistOnGoneEvent() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3")], rv: "10")), .success(page([], rv: "50"))],
            watches: [.events([.added(object("b", rv: "11")), .error(Status(message: "too old", reason: "Expired", code: 410))],
                              then: .stayOpen)])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watch after the re-list opens") { source.calls.last == .watch(from: "50") }
        #expect(source.calls == [.list(limit: 500, continueToken: nil), .watch(from: "10"),
                                 .list(limit: 500, continueToken: nil), .watch(from: "50")])
        #expect(log.all.map(describe) == ["restarted[a]", "applied b@11", "restarted[]"])
    }

    @Test("an expired continue token starts the list again from the first page")
    func expiredContinueToken() async throws {
        let source = Source(lists: [
            .success(page([object("a", rv: "3")], continue: "token-1")),
            .failure(gone()),
            .success(page([object("a", rv: "3"), object("b", rv: "9")], rv: "20")),
        ])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watch opens") { source.hasLiveStream }
        #expect(source.calls == [.list(limit: 500, continueToken: nil), .list(limit: 500, continueToken: "token-1"),
                                 .list(limit: 500, continueToken: nil), .watch(from: "20")])
        #expect(log.all.map(describe) == ["restarted[a,b]"])
    }

    @Test("a dropped connection backs off, then resumes from the last seen resourceVersion")
    func droppedConnectionResumes() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3")], rv: "10"))],
            watches: [.events([.modified(object("a", rv: "17"))], then: .fail(ConnectionDropped()))])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watcher backs off") { clock.sleeperCount == 1 }
        #expect(clock.requestedSleeps == [.milliseconds(800)])
        #expect(!source.hasLiveStream)
        clock.advance(by: .milliseconds(800))
        try await waitUntil("the watch resumes") { source.hasLiveStream }
        #expect(source.calls.last == .watch(from: "17"))
        #expect(log.all.map(describe) == ["restarted[a]", "applied a@17"])
    }

    @Test("another ERROR event backs off and resumes from the last seen resourceVersion")
    func otherErrorEvent() async throws {
        let source = Source(
            lists: [.success(page([], rv: "10"))],
            watches: [.events([.added(object("a", rv: "14")), .error(Status(message: "internal error", reason: "InternalError", code: 500))],
                              then: .stayOpen)])
        let clock = ManualClock()
        let (log, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watcher backs off") { clock.sleeperCount == 1 }
        clock.advance(by: .milliseconds(800))
        try await waitUntil("the watch resumes") { source.calls.last == .watch(from: "14") }
        #expect(log.all.map(describe) == ["restarted[]", "applied a@14"])
    }

    @Test("a server that ends every watch at once is retried with backoff, not in a tight loop")
    func emptyStreamsBackOff() async throws {
        let source = Source(lists: [.success(page([], rv: "10"))],
                            watches: [.events([], then: .finish), .events([], then: .finish)])
        let clock = ManualClock()
        let (_, task) = start(source, clock: clock)
        defer { task.cancel() }

        try await waitUntil("the watcher backs off") { clock.sleeperCount == 1 }
        #expect(clock.requestedSleeps == [.milliseconds(800)])
        clock.advance(by: .milliseconds(800))
        try await waitUntil("the watcher backs off again") { clock.sleeperCount == 1 && clock.requestedSleeps.count == 2 }
        #expect(clock.requestedSleeps.last == .milliseconds(1600))
        #expect(source.calls.dropFirst() == [.watch(from: "10"), .watch(from: "10")])
    }

    @Test("backoff doubles from 0.8 s while failures continue and starts over after a quiet period")
    func backoffGrowsAndResets() async throws {
        let source = Source(
            lists: [.failure(ConnectionDropped()), .failure(ConnectionDropped()), .failure(ConnectionDropped()),
                    .success(page([], rv: "10"))],
            watches: [.openFails(ConnectionDropped()), .openFails(ConnectionDropped())])
        let clock = ManualClock()
        let (_, task) = start(source, clock: clock)
        defer { task.cancel() }

        for expected in [800, 1600, 3200, 6400] {
            try await waitUntil("backoff number \(clock.requestedSleeps.count + 1)") {
                clock.sleeperCount == 1 && clock.requestedSleeps.last == .milliseconds(expected)
            }
            // Quiet for a moment, not long enough to reset.
            clock.advance(by: .milliseconds(expected))
        }
        #expect(clock.requestedSleeps == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400)])
        // The second watch fails at once: the delay keeps growing.
        try await waitUntil("the fifth failure backs off") { clock.requestedSleeps.count == 5 && clock.sleeperCount == 1 }
        #expect(clock.requestedSleeps.last == .milliseconds(12800))
        // Then a long healthy watch, ended by a dropped connection: the delay starts over.
        clock.advance(by: .seconds(200))
        try await waitUntil("the watch opens after the last failure") { source.hasLiveStream }
        #expect(source.calls.filter { if case .watch = $0 { true } else { false } }.count == 3)
        source.endLiveStream(throwing: ConnectionDropped())
        try await waitUntil("the failure after a quiet period backs off") { clock.requestedSleeps.count == 6 }
        #expect(clock.requestedSleeps.last == .milliseconds(800))
    }

    @Test("failures that keep coming are warned about from the third in a row, naming the resource; a success starts the count over")
    func repeatedFailuresAreWarnings() async throws {
        let source = Source(
            lists: [.failure(ConnectionDropped()), .failure(ConnectionDropped()), .failure(ConnectionDropped()),
                    .success(page([], rv: "10"))],
            watches: [.events([.added(object("a", rv: "11"))], then: .fail(ConnectionDropped()))])
        let clock = ManualClock()
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }
        let watcher = Watcher(source: source, configuration: WatcherConfiguration(backoff: ExponentialBackoff(jitter: 0)),
                              clock: clock, logger: logger)
        let task = Task { await watcher.run { _ in } }
        defer { task.cancel() }

        for failure in 1...3 {
            try await waitUntil("list failure \(failure) backs off") { clock.sleeperCount == 1 && clock.requestedSleeps.count == failure }
            clock.advance(by: clock.requestedSleeps[failure - 1])
        }
        try await waitUntil("the watch fails after the list succeeded") { clock.sleeperCount == 1 && clock.requestedSleeps.count == 4 }
        let levels = lines.all.map { "\($0.level) \($0.failures)" }
        #expect(levels == ["debug 1", "debug 2", "warning 3", "debug 1"])
        let warning = try #require(lines.all.first { $0.level == .warning })
        #expect(warning.message.contains("list failed") && warning.resource == "configmaps", "\(warning)")
    }

    @Test("a list that got no answer in time is a warning at once: that is no blip")
    func timeoutIsAWarning() async throws {
        let source = Source(lists: [.failure(KubeError.transport(.timedOut)), .success(page([], rv: "10"))])
        let clock = ManualClock()
        let lines = LogLines()
        let watcher = Watcher(source: source, configuration: WatcherConfiguration(backoff: ExponentialBackoff(jitter: 0)), clock: clock,
                              logger: Logger(label: "test") { _ in RecordingLogHandler(lines: lines) })
        let task = Task { await watcher.run { _ in } }
        defer { task.cancel() }

        try await waitUntil("the timed-out list backs off") { clock.sleeperCount == 1 }
        #expect(lines.all.map { "\($0.level) \($0.failures)" } == ["warning 1"])
        #expect(lines.all.first?.message.contains("list failed") == true)
    }

    @Test("backoff never exceeds 30 s and jitter stays within bounds")
    func backoffBounds() {
        var plain = ExponentialBackoff(jitter: 0)
        let delays = (0..<10).map { plain.next(at: .seconds($0)) }
        #expect(delays.last == .seconds(30))
        #expect(delays.prefix(3) == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200)])

        var jittered = ExponentialBackoff(seed: 42)
        for attempt in 0..<50 {
            let delay = jittered.next(at: .seconds(attempt))
            #expect(delay >= .milliseconds(400))
            #expect(delay <= .seconds(30))
        }
    }

    @Test("a store fed by the watcher forgets objects deleted while the watch was gone")
    func storeAfterRelist() async throws {
        let source = Source(
            lists: [.success(page([object("a", rv: "3"), object("b", rv: "4")], rv: "10")),
                    .success(page([object("a", rv: "30")], rv: "40"))],
            watches: [.events([.modified(object("b", rv: "11"))], then: .fail(gone()))])
        let store = Store<ConfigMap>()
        let watcher = Watcher(source: source, clock: ManualClock())
        let task = Task { await watcher.run { store.apply($0) } }
        defer { task.cancel() }

        try await waitUntil("the watch after the re-list opens") { source.calls.last == .watch(from: "40") }
        #expect(store.list().map(\.metadata.name) == ["a"])
        #expect(store.get(name: "a", namespace: "shop")?.metadata.resourceVersion == "30")
    }
}

/// Log lines a watcher wrote, with the fields the tests look at.
final class LogLines: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var failures: String
        var resource: String
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
}

struct RecordingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = event.metadata ?? [:]
        lines.append(.init(level: event.level, message: "\(event.message)", failures: fields["failuresInARow"].map { "\($0)" } ?? "",
                           resource: fields["resource"].map { "\($0)" } ?? ""))
    }
}
