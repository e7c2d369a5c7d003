import ClusterCore
import Foundation
import JSON
import Synchronization

/// The application behind every Service: a request picks one of the ready pods the Service's
/// selector matches (round robin, as kube-proxy spreads connections) and is answered as that
/// pod's image tag says. With no ready pod the answer is 503, as a proxy gives for a Service
/// without endpoints.
final class SimulatedApplications: Sendable {
    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    /// A Service named by the host of a request.
    struct ServiceKey: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    private struct ServiceState {
        var nextPod = 0
        var served = 0
        var metrics = AppMetrics()
    }

    let store: ObjectStore
    let services: ResourceType
    let pods: ResourceType
    private let state = Mutex<[ServiceKey: ServiceState]>([:])

    init?(store: ObjectStore) {
        guard let services = store.resourceType(group: "", version: "v1", plural: "services"),
              let pods = store.resourceType(group: "", version: "v1", plural: "pods")
        else { return nil }
        self.store = store
        self.services = services
        self.pods = pods
    }

    /// The Service, or nil when the cluster has none of that name.
    func service(_ key: ServiceKey) -> JSONValue? {
        try? store.get(services, namespace: key.namespace, name: key.name)
    }

    /// Answers `path` as the Service's application would.
    func handle(_ key: ServiceKey, service: JSONValue, method: String, path: String) async -> Answer {
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        if route == "/metrics" {
            let text = metrics(for: key).exposition()
            return Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: text)
        }
        guard let pod = pickReadyPod(for: key, service: service) else {
            return Answer(status: 503, contentType: "text/plain; charset=utf-8",
                          body: "no endpoints available for service \"\(key.name)\" in namespace \"\(key.namespace)\": none of its pods is ready\n")
        }
        let started = ContinuousClock.now
        let image = pod[path: "spec", "containers"]?.arrayValue?.first?["image"]?.stringValue ?? ""
        let behavior = AppBehavior(image: image)
        if behavior.latencyMilliseconds > 0 {
            // Suspends the task only: no thread waits.
            try? await Task.sleep(for: .milliseconds(behavior.latencyMilliseconds))
        }
        let answer: Answer
        if route == "/healthz" || route == "/readyz" || route == "/livez" {
            answer = behavior.unhealthy
                ? Answer(status: 503, contentType: "text/plain; charset=utf-8", body: "unhealthy\n")
                : Answer(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n")
        } else if failsNext(key, percent: behavior.errorPercent) {
            let body: JSONValue = ["error": "simulated failure", "version": .string(behavior.version), "pod": .string(pod.objectName)]
            answer = Answer(status: 500, contentType: "application/json", body: body.jsonString() + "\n")
        } else {
            let body: JSONValue = [
                "service": .string(key.name), "namespace": .string(key.namespace), "version": .string(behavior.version),
                "pod": .string(pod.objectName), "image": .string(image), "method": .string(method), "path": .string(route),
            ]
            answer = Answer(status: 200, contentType: "application/json", body: body.jsonString() + "\n")
        }
        let seconds = (ContinuousClock.now - started).simulationSeconds
        metrics(for: key).record(code: answer.status, version: behavior.version, seconds: seconds)
        return answer
    }

    private func metrics(for key: ServiceKey) -> AppMetrics {
        state.withLock { states in
            if let existing = states[key] { return existing.metrics }
            let created = ServiceState()
            states[key] = created
            return created.metrics
        }
    }

    /// Spreads failures evenly: of every 100 requests exactly `percent` fail, so a short gate
    /// window sees the rate the tag asks for.
    private func failsNext(_ key: ServiceKey, percent: Int) -> Bool {
        guard percent > 0 else { return false }
        return state.withLock { states in
            let count = states[key, default: ServiceState()].served
            states[key, default: ServiceState()].served = count + 1
            return (count + 1) * percent / 100 > count * percent / 100
        }
    }

    /// The ready pods of the Service's selector, taken in turn. A Service without a selector
    /// has no pods the simulation manages.
    private func pickReadyPod(for key: ServiceKey, service: JSONValue) -> JSONValue? {
        guard let selector = service[path: "spec", "selector"]?.objectValue, !selector.isEmpty else { return nil }
        let labelSelector = selector.compactMap { key, value in value.stringValue.map { "\(key)=\($0)" } }.sorted().joined(separator: ",")
        guard let candidates = try? store.list(pods, namespace: key.namespace, options: .init(labelSelector: labelSelector)).items else { return nil }
        let ready = candidates.filter(SimulatedKubelet.isReady).sorted { $0.objectName < $1.objectName }
        guard !ready.isEmpty else { return nil }
        let index = state.withLock { states in
            let next = states[key, default: ServiceState()].nextPod
            states[key, default: ServiceState()].nextPod = next &+ 1
            return next
        }
        return ready[abs(index % ready.count)]
    }
}
