import Foundation
import Kube
import Logging

/// `Normal` for things going as planned, `Warning` for what an operator should look at.
public enum EventType: String, Sendable, Equatable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Records core/v1 Events about objects, the way `kubectl describe` shows them.
///
/// A repeat of the same (object, type, reason, message) does not create another Event: the
/// existing one gets `count` + 1 and a new `lastTimestamp` (client-go's event correlator),
/// so a reconcile that retries every few seconds leaves one line, not thousands.
/// Recording never fails the caller: errors are logged and dropped.
/// See https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
public actor EventRecorder {
    public let component: String
    public let host: String?
    private let sink: any EventSink
    private let clock: any RuntimeClock
    private let logger: Logger
    private let cacheSize: Int

    private struct AggregationKey: Hashable {
        var apiVersion, kind, namespace, name, uid: String
        var type, reason, message: String
    }

    private struct Recorded {
        var name: String
        var namespace: String
        var count: Int
        var lastUsed: Int
    }

    private var recorded: [AggregationKey: Recorded] = [:]
    private var sequence = 0

    /// - Parameters:
    ///   - component: who reports (`source.component`, `reportingComponent`), e.g. `slipway-controller`.
    ///   - host: the reporting instance (`source.host`), e.g. the pod name.
    ///   - cacheSize: how many distinct Events are remembered for aggregation.
    public init(sink: any EventSink, component: String, host: String? = nil, clock: any RuntimeClock = SystemClock(),
                cacheSize: Int = 4096, logger: Logger = Logger(label: "slipway.runtime.events")) {
        self.sink = sink
        self.component = component
        self.host = host
        self.clock = clock
        self.cacheSize = max(1, cacheSize)
        self.logger = logger
    }

    /// Records an Event about the object `regarding` refers to.
    public func record(_ type: EventType, reason: String, message: String, regarding object: ObjectReference) async {
        guard let name = object.name, !name.isEmpty else {
            logger.debug("event not recorded: the object reference has no name", metadata: ["reason": "\(reason)"])
            return
        }
        let namespace = (object.namespace?.isEmpty == false ? object.namespace : nil) ?? "default"
        let message = Self.bounded(message)
        let key = AggregationKey(apiVersion: object.apiVersion ?? "", kind: object.kind ?? "", namespace: namespace, name: name,
                                 uid: object.uid ?? "", type: type.rawValue, reason: reason, message: message)
        let now = KubeTimestamp.time(clock.wallClock())
        sequence += 1

        if var previous = recorded[key] {
            do {
                let updated = try await sink.updateCount(name: previous.name, namespace: previous.namespace,
                                                         count: previous.count + 1, lastTimestamp: now)
                previous.count = updated.count ?? previous.count + 1
                previous.lastUsed = sequence
                recorded[key] = previous
                return
            } catch {
                // Events expire (an hour by default); a repeat of an expired one starts afresh.
                logger.debug("could not update event; creating a new one",
                             metadata: ["event": "\(previous.name)", "error": "\(error)"])
                recorded.removeValue(forKey: key)
            }
        }

        let event = Event(
            metadata: ObjectMeta(name: eventName(for: name), namespace: namespace),
            involvedObject: object, reason: reason, message: message, type: type.rawValue, count: 1,
            firstTimestamp: now, lastTimestamp: now, source: EventSource(component: component, host: host),
            reportingComponent: component, reportingInstance: host ?? component)
        do {
            let created = try await sink.create(event, namespace: namespace)
            remember(key, Recorded(name: created.metadata.name ?? event.metadata.name ?? "", namespace: namespace,
                                   count: created.count ?? 1, lastUsed: sequence))
        } catch {
            logger.debug("could not record event", metadata: ["reason": "\(reason)", "object": "\(namespace)/\(name)", "error": "\(error)"])
        }
    }

    /// Records an Event about `object`.
    public func record(_ type: EventType, reason: String, message: String, regarding object: some KubernetesObject) async {
        let metadata = object.metadata
        let reference = ObjectReference(apiVersion: object.apiVersion, kind: object.kind, namespace: metadata.namespace,
                                        name: metadata.name, uid: metadata.uid, resourceVersion: metadata.resourceVersion)
        await record(type, reason: reason, message: message, regarding: reference)
    }

    /// client-go names Events `<object>.<hex time>`; the sequence keeps two in one tick apart.
    private func eventName(for objectName: String) -> String {
        let nanos = UInt64(max(0, clock.wallClock().timeIntervalSince1970 * 1e9))
        return "\(objectName).\(String(nanos &+ UInt64(sequence), radix: 16))"
    }

    private func remember(_ key: AggregationKey, _ value: Recorded) {
        recorded[key] = value
        if recorded.count > cacheSize, let oldest = recorded.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            recorded.removeValue(forKey: oldest)
        }
    }

    /// Messages are for people; the API and `kubectl describe` handle a kilobyte well.
    private static func bounded(_ message: String) -> String {
        message.count > 1024 ? String(message.prefix(1021)) + "..." : message
    }
}
