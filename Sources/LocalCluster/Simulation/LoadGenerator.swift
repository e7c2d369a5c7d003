import ClusterCore
import Foundation
import JSON
import Logging
import ServiceLifecycle

/// Steady client traffic for every entry point of the simulated cluster (see `TrafficRoutes`):
/// `rate` requests per second each, split the way the routing objects say, answered by the
/// simulated apps in process. No sockets are opened and nothing leaves the process; the apps'
/// metrics count these requests, which is what a Prometheus gate then measures.
///
/// Each tick sends the requests that are due since the last one (fractions carry over), at
/// most `maximumPerTick` in all, so a stalled process catches up with a bounded burst.
final class LoadGenerator: Service, Sendable {
    /// The highest rate per entry point `slipway cluster` accepts.
    static let maximumRate = 1_000.0
    static let tick = Duration.milliseconds(100)
    static let maximumPerTick = 5_000

    let store: ObjectStore
    let applications: SimulatedApplications
    let rate: Double
    let logger: Logger

    init(store: ObjectStore, applications: SimulatedApplications, rate: Double, logger: Logger) {
        self.store = store
        self.applications = applications
        self.rate = min(max(rate, 0), Self.maximumRate)
        self.logger = logger
    }

    /// What the generator carries from tick to tick.
    struct State {
        /// Requests due but not yet sent, per entry (a fraction of one, normally).
        var owed: [String: Double] = [:]
        var splits: [String: WeightedSplit<TrafficRoutes.Backend>] = [:]
        var ticks = 0
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            var state = State()
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.tick)
                let now = ContinuousClock.now
                // A long stall is not made up for: at most one second of traffic at once.
                send(&state, seconds: min((now - last).simulationSeconds, 1))
                last = now
            }
        }
    }

    /// Sends the requests due in `seconds` to every entry point.
    func send(_ state: inout State, seconds: Double) {
        let entries = TrafficRoutes.entries(in: store)
        var budget = Self.maximumPerTick
        var endpoints: [TrafficRoutes.Backend: [JSONValue]] = [:]
        for entry in entries {
            let owed = state.owed[entry.id, default: 0] + rate * seconds
            let count = min(Int(owed), budget)
            state.owed[entry.id] = min(owed - Double(count), 1)
            budget -= count
            guard count > 0 else { continue }
            var split = state.splits[entry.id] ?? WeightedSplit()
            for _ in 0..<count {
                guard let index = split.next(entry.backends, weights: entry.backends.map(\.weight)) else { break }
                let backend = entry.backends[index]
                let ready = endpoints[backend] ?? readyEndpoints(of: backend)
                endpoints[backend] = ready
                applications.serveGenerated(.init(namespace: backend.namespace, name: backend.service), endpoints: ready)
            }
            state.splits[entry.id] = split
        }
        if budget == 0 {
            logger.debug("simulated traffic capped", metadata: ["requests": "\(Self.maximumPerTick)", "entries": "\(entries.count)"])
        }
        let live = Set(entries.map(\.id))
        state.owed = state.owed.filter { live.contains($0.key) }
        state.splits = state.splits.filter { live.contains($0.key) }
        state.ticks += 1
        if state.ticks % 50 == 0 { forgetDeletedServices() }
    }

    private func readyEndpoints(of backend: TrafficRoutes.Backend) -> [JSONValue] {
        guard let service = applications.service(.init(namespace: backend.namespace, name: backend.service)) else { return [] }
        return applications.readyEndpoints(of: service, in: backend.namespace, extraLabels: backend.extraLabels)
    }

    private func forgetDeletedServices() {
        guard let list = try? store.list(applications.services, namespace: nil).items else { return }
        applications.metrics.retainServices(Set(list.map { .init(namespace: $0.objectNamespace, name: $0.objectName) }))
    }
}
