import ClusterCore
import Foundation
import JSON
import Synchronization

/// The application behind every Service: a request picks one of the ready pods the Service's
/// selector matches (round robin, as kube-proxy spreads connections) and is answered as that
/// pod's image tag says. With no ready pod the answer is 503, as a proxy gives for a Service
/// without endpoints.
///
/// Requests come from two places: the HTTP proxy (gates, users with curl) and the load
/// generator, which calls `serveGenerated` in process. Both are counted in the same metrics.
/// How long a request took is simulated, not measured: a small service time that varies
/// from request to request plus the `latency<MS>` of the tag. The histogram records that
/// simulated time, so latency figures are exact and no test waits for them; only proxied
/// requests also really wait for the tag's latency, so that a client's timeout sees it.
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

    /// One answered request: what was sent back, and how long the app took (simulated).
    struct Served: Sendable {
        var answer: Answer
        var seconds: Double
        var latency: Duration
    }

    /// Counters that make outcomes evenly spread and reproducible.
    private struct Counters {
        var nextPod: [ServiceKey: Int] = [:]
        /// Requests answered so far by each version of each Service that has an error rate.
        /// Requests served per series, counted apart for generated traffic and for requests
        /// through the proxy (gates, people), so each stream sees exactly its tag's error rate
        /// however the two interleave.
        var served: [ServedStream: Int] = [:]
        var serviceTime = 0
    }

    let store: ObjectStore
    let services: ResourceType
    let pods: ResourceType
    let metrics = AppMetrics()
    private let counters = Mutex(Counters())

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

    /// Answers `path` as the Service's application would (a proxied request).
    func handle(_ key: ServiceKey, service: JSONValue, method: String, path: String) async -> Answer {
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        if route == "/metrics" {
            let text = metrics.applicationExposition(namespace: key.namespace, service: key.name)
            return Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: text)
        }
        let served = serve(key, endpoints: readyEndpoints(of: service, in: key.namespace), method: method, route: route, withBody: true)
        if served.latency > .zero {
            // Suspends the task only: no thread waits.
            try? await Task.sleep(for: served.latency)
        }
        return served.answer
    }

    /// One request of the load generator to `key`, answered by one of `endpoints` (the ready
    /// pods the router chose among). No waiting: the latency goes to the histogram only.
    @discardableResult
    func serveGenerated(_ key: ServiceKey, endpoints: [JSONValue]) -> Int {
        serve(key, endpoints: endpoints, method: "GET", route: "/", withBody: false).answer.status
    }

    /// Picks a pod, answers as its tag says and records the request. Generated requests need
    /// no body: nobody reads it, and building it for every request would cost more than the rest.
    private func serve(_ key: ServiceKey, endpoints: [JSONValue], method: String, route: String, withBody: Bool) -> Served {
        guard !endpoints.isEmpty else {
            let answer = Answer(status: 503, contentType: "text/plain; charset=utf-8",
                                body: "no endpoints available for service \"\(key.name)\" in namespace \"\(key.namespace)\": none of its pods is ready\n")
            return Served(answer: answer, seconds: 0, latency: .zero)
        }
        let pod = endpoints[pickIndex(for: key, count: endpoints.count)]
        let image = pod[path: "spec", "containers"]?.arrayValue?.first?["image"]?.stringValue ?? ""
        let behavior = AppBehavior(image: image)
        let series = AppMetrics.SeriesKey(namespace: key.namespace, service: key.name, deployment: Self.deployment(of: pod), version: behavior.version)
        let answer: Answer
        if route == "/healthz" || route == "/readyz" || route == "/livez" {
            answer = behavior.unhealthy
                ? Answer(status: 503, contentType: "text/plain; charset=utf-8", body: "unhealthy\n")
                : Answer(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n")
        } else if !withBody {
            answer = Answer(status: failsNext(series, generated: true, percent: behavior.errorPercent) ? 500 : 200, contentType: "application/json", body: "")
        } else if failsNext(series, generated: false, percent: behavior.errorPercent) {
            let body: JSONValue = ["error": "simulated failure", "version": .string(behavior.version), "pod": .string(pod.objectName)]
            answer = Answer(status: 500, contentType: "application/json", body: body.jsonString() + "\n")
        } else {
            let body: JSONValue = [
                "service": .string(key.name), "namespace": .string(key.namespace), "version": .string(behavior.version),
                "pod": .string(pod.objectName), "image": .string(image), "method": .string(method), "path": .string(route),
            ]
            answer = Answer(status: 200, contentType: "application/json", body: body.jsonString() + "\n")
        }
        let latency = Duration.milliseconds(behavior.latencyMilliseconds)
        let seconds = nextServiceTime() + latency.simulationSeconds
        metrics.record(series, code: answer.status, seconds: seconds)
        return Served(answer: answer, seconds: seconds, latency: latency)
    }

    /// The time an app spends on a request before any `latency<MS>`: 2 to 20 ms, cycling, so
    /// that a healthy app has a realistic spread well under the 25 ms bucket.
    private func nextServiceTime() -> Double {
        let step = counters.withLock { counters in
            defer { counters.serviceTime = (counters.serviceTime + 1) % 10 }
            return counters.serviceTime
        }
        return Double(2 + step * 2) / 1000
    }

    /// Spreads failures evenly: of every 100 requests a version answers exactly `percent`
    /// fail, so a short gate window sees the rate the tag asks for. Generated and proxied
    /// requests are counted apart: a gate's few requests would otherwise land on successes or
    /// failures by how they happen to interleave with the load generator's.
    private func failsNext(_ series: AppMetrics.SeriesKey, generated: Bool, percent: Int) -> Bool {
        guard percent > 0 else { return false }
        let stream = ServedStream(series: series, generated: generated)
        return counters.withLock { counters in
            let count = counters.served[stream, default: 0]
            counters.served[stream] = count + 1
            return (count + 1) * percent / 100 > count * percent / 100
        }
    }

    private func pickIndex(for key: ServiceKey, count: Int) -> Int {
        let index = counters.withLock { counters in
            let next = counters.nextPod[key, default: 0]
            counters.nextPod[key] = next &+ 1
            return next
        }
        return abs(index % count)
    }

    /// The ready pods of the Service's selector, with `extraLabels` (an Istio subset) also
    /// required, in name order. A Service without a selector has no pods the simulation manages.
    func readyEndpoints(of service: JSONValue, in namespace: String, extraLabels: [String: String] = [:]) -> [JSONValue] {
        guard let selector = service[path: "spec", "selector"]?.objectValue, !selector.isEmpty else { return [] }
        var labels: [String: String] = [:]
        for (key, value) in selector { labels[key] = value.stringValue }
        labels.merge(extraLabels) { _, subset in subset }
        let labelSelector = labels.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        guard let candidates = try? store.list(pods, namespace: namespace, options: .init(labelSelector: labelSelector)).items else { return [] }
        return candidates.filter(SimulatedKubelet.isReady).sorted { $0.objectName < $1.objectName }
    }

    /// The Deployment a pod belongs to: its ReplicaSet's name without the pod-template-hash
    /// suffix the Deployment controller appends; a pod of no ReplicaSet is its own.
    /// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label
    static func deployment(of pod: JSONValue) -> String {
        let owner = (pod[path: "metadata", "ownerReferences"]?.arrayValue ?? []).first {
            $0["kind"]?.stringValue == "ReplicaSet" && $0["controller"]?.boolValue == true
        }
        guard let replicaSet = owner?["name"]?.stringValue else { return pod.objectName }
        if let hash = pod.objectLabels["pod-template-hash"], replicaSet.hasSuffix("-\(hash)") {
            return String(replicaSet.dropLast(hash.count + 1))
        }
        return replicaSet
    }
}

/// One version's requests from one source: the load generator, or the proxy.
struct ServedStream: Hashable {
    var series: AppMetrics.SeriesKey
    var generated: Bool
}
