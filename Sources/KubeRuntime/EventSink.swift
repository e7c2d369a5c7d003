import Kube
import JSON

/// Where an `EventRecorder` writes core/v1 Events: a cluster through `KubeEventSink`, or a
/// recording fake in tests.
public protocol EventSink: Sendable {
    /// Creates `event` in `namespace`.
    func create(_ event: Event, namespace: String) async throws -> Event
    /// Sets `count` and `lastTimestamp` of the existing Event `name` (a repeat of it).
    func updateCount(name: String, namespace: String, count: Int, lastTimestamp: String) async throws -> Event
}

/// Writes Events with a `KubeClient`; repeats are merge patches of `count` and `lastTimestamp`,
/// as client-go's event correlator does.
public struct KubeEventSink: EventSink {
    public let client: KubeClient

    public init(client: KubeClient) {
        self.client = client
    }

    public func create(_ event: Event, namespace: String) async throws -> Event {
        try await client.create(event, namespace: namespace)
    }

    public func updateCount(name: String, namespace: String, count: Int, lastTimestamp: String) async throws -> Event {
        try await client.patch(Event.self, name: name, namespace: namespace,
                               patch: .merge(["count": .int(count), "lastTimestamp": .string(lastTimestamp)]))
    }
}
