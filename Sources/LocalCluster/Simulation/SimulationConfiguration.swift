/// What the embedded cluster simulates besides the API: the kubelet and workload controllers
/// (pods for Deployments, with status) and an application behind every Service, reachable
/// through an HTTP proxy on loopback.
public struct SimulationConfiguration: Sendable {
    /// How long a started container takes to become ready (before any `slow<N>` of its tag).
    public var readinessDelay: Duration
    /// How often a `crashloop` container restarts.
    public var crashLoopRestartInterval: Duration
    /// How often time-driven changes (readiness, restarts, progress deadlines) are looked at
    /// when no object changes.
    public var resyncInterval: Duration
    /// Port of the HTTP proxy that reaches the simulated apps (`NAME.NAMESPACE.svc`); 0 picks a
    /// free port, nil serves no proxy. It always listens on 127.0.0.1.
    public var proxyPort: Int?
    /// Requests per second the load generator sends to each entry point of traffic (every
    /// Ingress host/path, VirtualService HTTP route, HTTPRoute rule and directly called
    /// Service; see `TrafficRoutes`), at most 1000; 0 sends none. `slipway cluster` sends 20
    /// unless told otherwise; an embedding program gets no traffic unless it asks.
    public var trafficRate: Double
    /// Port of the endpoint serving every simulated app's metrics at `/metrics` for a
    /// Prometheus to scrape; 0 picks a free port, nil serves none. It always listens on 127.0.0.1.
    public var metricsPort: Int?

    public init(
        readinessDelay: Duration = .seconds(1), crashLoopRestartInterval: Duration = .seconds(3),
        resyncInterval: Duration = .milliseconds(200), proxyPort: Int? = 0, trafficRate: Double = 0, metricsPort: Int? = nil
    ) {
        self.readinessDelay = readinessDelay
        self.crashLoopRestartInterval = crashLoopRestartInterval
        self.resyncInterval = resyncInterval
        self.proxyPort = proxyPort
        self.trafficRate = trafficRate
        self.metricsPort = metricsPort
    }
}

extension Duration {
    /// The duration in seconds as a Double, for arithmetic with dates.
    var simulationSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
