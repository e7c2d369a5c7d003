import Kube
import KubeRuntime
import Testing

/// Keeps Events in memory like the API would; can be told to fail.
final class RecordingEventSink: EventSink {
    let events = Locked<[String: Event]>([:])
    let failing = Locked(false)

    var all: [Event] { events.value.values.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") } }

    func create(_ event: Event, namespace: String) async throws -> Event {
        if failing.value { throw ConnectionDropped() }
        var copy = event
        copy.metadata.namespace = namespace
        let stored = copy
        let name = stored.metadata.name ?? ""
        let created = events.withLock { events -> Bool in
            if events[name] != nil { return false }
            events[name] = stored
            return true
        }
        if !created { throw KubeError.api(Status(reason: "AlreadyExists", code: 409)) }
        return stored
    }

    func updateCount(name: String, namespace: String, count: Int, lastTimestamp: String) async throws -> Event {
        if failing.value { throw ConnectionDropped() }
        let updated = events.withLock { events -> Event? in
            guard var event = events[name] else { return nil }
            event.count = count
            event.lastTimestamp = lastTimestamp
            events[name] = event
            return event
        }
        guard let updated else { throw KubeError.api(Status(reason: "NotFound", code: 404)) }
        return updated
    }
}

@Suite("Runtime event recorder")
struct RuntimeEventRecorderTests {
    let request = ObjectReference(apiVersion: "slipway.dev/v1alpha1", kind: "DeploymentRequest", namespace: "shop",
                                  name: "release-1", uid: "uid-1")

    @Test("repeats of one event update its count and last time instead of adding events")
    func aggregatesRepeats() async throws {
        let sink = RecordingEventSink()
        let clock = ManualClock()
        let recorder = EventRecorder(sink: sink, component: "slipway-controller", host: "controller-0", clock: clock)

        await recorder.record(.warning, reason: "GateFailed", message: "http gate answered 503", regarding: request)
        clock.advance(by: .seconds(30))
        await recorder.record(.warning, reason: "GateFailed", message: "http gate answered 503", regarding: request)
        clock.advance(by: .seconds(30))
        await recorder.record(.warning, reason: "GateFailed", message: "http gate answered 503", regarding: request)
        await recorder.record(.normal, reason: "Promoted", message: "green is live", regarding: request)

        let events = sink.all
        #expect(events.count == 2)
        let gate = try #require(events.first { $0.reason == "GateFailed" })
        #expect(gate.count == 3)
        #expect(gate.type == "Warning")
        #expect(gate.involvedObject == request)
        #expect(gate.metadata.namespace == "shop")
        #expect(gate.source?.component == "slipway-controller")
        #expect(gate.firstTimestamp != gate.lastTimestamp)
        #expect(gate.lastTimestamp?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        let promoted = try #require(events.first { $0.reason == "Promoted" })
        #expect(promoted.count == 1)
        #expect(promoted.type == "Normal")
    }

    @Test("an event with another message is a new event")
    func distinctMessages() async throws {
        let sink = RecordingEventSink()
        let recorder = EventRecorder(sink: sink, component: "slipway-controller", clock: ManualClock())
        await recorder.record(.normal, reason: "Scaled", message: "green scaled to 3", regarding: request)
        await recorder.record(.normal, reason: "Scaled", message: "blue scaled to 0", regarding: request)
        #expect(sink.all.count == 2)
        #expect(Set(sink.all.compactMap(\.metadata.name)).count == 2)
    }

    @Test("failing to record never fails the caller, and recording works again afterwards")
    func failuresAreSwallowed() async throws {
        let sink = RecordingEventSink()
        let recorder = EventRecorder(sink: sink, component: "slipway-controller", clock: ManualClock())
        sink.failing.withLock { $0 = true }
        await recorder.record(.warning, reason: "GateFailed", message: "boom", regarding: request)
        #expect(sink.all.isEmpty)

        sink.failing.withLock { $0 = false }
        await recorder.record(.warning, reason: "GateFailed", message: "boom", regarding: request)
        #expect(sink.all.count == 1)
        #expect(sink.all.first?.count == 1)
    }

    @Test("a repeat of an event that has expired creates it again")
    func expiredEvent() async throws {
        let sink = RecordingEventSink()
        let recorder = EventRecorder(sink: sink, component: "slipway-controller", clock: ManualClock())
        await recorder.record(.normal, reason: "Started", message: "release started", regarding: request)
        sink.events.withLock { $0.removeAll() }
        await recorder.record(.normal, reason: "Started", message: "release started", regarding: request)
        #expect(sink.all.count == 1)
        #expect(sink.all.first?.count == 1)
    }

    @Test("events about cluster-scoped objects go to the default namespace")
    func clusterScoped() async throws {
        let sink = RecordingEventSink()
        let recorder = EventRecorder(sink: sink, component: "slipway-controller", clock: ManualClock())
        await recorder.record(.normal, reason: "Seen", message: "namespace seen",
                              regarding: ObjectReference(apiVersion: "v1", kind: "Namespace", name: "shop"))
        #expect(sink.all.first?.metadata.namespace == "default")
    }
}
