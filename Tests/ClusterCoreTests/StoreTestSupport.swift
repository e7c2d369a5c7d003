import Foundation
import JSON
import Synchronization
import Testing
@testable import ClusterCore

/// Resource types and objects the store tests work with: ConfigMaps (no status), a namespaced
/// custom `widgets` type with a status subresource served in two versions, and namespaces.
enum StoreFixtures {
    static let namespaces = ResourceType(
        group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false,
        subresources: ["status"])
    static let configMaps = ResourceType(
        group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true)
    static let widgets = ResourceType(
        group: "example.com", version: "v1", plural: "widgets", singular: "widget", kind: "Widget", namespaced: true,
        subresources: ["status"])
    static let widgetsV2 = ResourceType(
        group: "example.com", version: "v2", plural: "widgets", singular: "widget", kind: "Widget", namespaced: true,
        subresources: ["status"])
    static let gadgets = ResourceType(
        group: "example.com", version: "v1", plural: "gadgets", singular: "gadget", kind: "Gadget", namespaced: false)

    /// Widgets default `spec.size` to 1 and refuse a negative size.
    static let widgetStrategy = ResourceStrategy(
        type: widgets,
        prepare: { object, _ in
            if object[path: "spec", "size"] == nil { object[path: "spec", "size"] = 1 }
        },
        validate: { object, _ in
            if let size = object[path: "spec", "size"]?.intValue, size < 0 {
                return [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(size): must be greater than or equal to 0", field: "spec.size")]
            }
            return []
        })

    static func makeStore(_ configuration: ObjectStore.Configuration = .init()) throws -> ObjectStore {
        let store = try ObjectStore(configuration: configuration)
        registerAll(store)
        return store
    }

    static func registerAll(_ store: ObjectStore) {
        store.register(ResourceStrategy(type: namespaces))
        store.register(ResourceStrategy(type: configMaps))
        store.register(widgetStrategy)
        var second = widgetStrategy
        second.type = widgetsV2
        store.register(second)
        store.register(ResourceStrategy(type: gadgets))
    }

    static func configMap(_ name: String, namespace: String? = "default", labels: [String: String] = [:], data: [String: String] = ["key": "value"]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        if !labels.isEmpty { metadata["labels"] = .object(OrderedDictionary(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
                "data": .object(OrderedDictionary(uniqueKeysWithValues: data.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]
    }

    static func widget(_ name: String, namespace: String = "default", size: Int = 3, owners: [JSONValue] = [], finalizers: [String] = []) -> JSONValue {
        var object: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                                 "spec": ["size": .int(size)], "status": ["ready": true]]
        if !owners.isEmpty { object[path: "metadata", "ownerReferences"] = .array(owners) }
        if !finalizers.isEmpty { object[path: "metadata", "finalizers"] = .array(finalizers.map(JSONValue.string)) }
        return object
    }

    /// An ownerReferences entry pointing at `owner`.
    static func ownerReference(_ owner: JSONValue) -> JSONValue {
        ["apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "ConfigMap", "name": .string(owner.metadataName),
         "uid": .string(owner.metadataUID), "blockOwnerDeletion": true]
    }

    static func rv(_ object: JSONValue) -> Int { Int(object.metadataResourceVersion) ?? -1 }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("slipway-store-\(UUID().uuidString)")
    }

    /// Runs `body` and returns the APIError it threw (nil when it did not throw).
    static func apiError<T>(_ body: () throws(APIError) -> T) -> APIError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}

/// Collects a watch's events on a task, so a test can wait for a condition with a deadline.
final class WatchCollector: Sendable {
    private final class Log: Sendable {
        let state = Mutex<(events: [WatchEvent], ended: Bool)>(([], false))
    }

    private let log = Log()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<WatchEvent>) {
        let log = self.log
        task = Task {
            for await event in stream { log.state.withLock { $0.events.append(event) } }
            log.state.withLock { $0.ended = true }
        }
    }

    var events: [WatchEvent] { log.state.withLock { $0.events } }
    var ended: Bool { log.state.withLock { $0.ended } }

    /// Waits until `condition` holds for the events so far, or the deadline passes.
    @discardableResult
    func wait(timeout: Duration = .seconds(60), until condition: ([WatchEvent]) -> Bool) async -> [WatchEvent] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let snapshot = events
            if condition(snapshot) { return snapshot }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events
    }

    func waitForEnd(timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if ended { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return ended
    }

    func stop() {
        task.cancel()
    }
}

/// Counters a test shares with a writer thread and a consumer task.
final class DeadlockProbe: Sendable {
    let rounds = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let writerDone = Atomic<Bool>(false)
}

/// Waits until `condition` holds or the deadline passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
