import Foundation

/// One app released by canary in a namespace of its own: Deployments `app-stable` (live,
/// `firstImage`) and `app-canary` (no replicas), the Services and routing objects the chosen
/// router needs, and a target whose Prometheus gates read the simulated traffic.
enum CanaryFixture {
    static let target = "app-production"
    static let repository = "shop/app"
    static let firstImage = "shop/app:1.0.0"

    enum Router: String, CaseIterable, Sendable {
        case replicaRatio, nginx, istio, gatewayAPI

        /// The namespace a test of this router uses.
        var namespace: String { "canary-\(rawValue.lowercased())" }
        /// Replica ratio splits the stable's replicas, so it gets enough for a quarter.
        var stableReplicas: Int { self == .replicaRatio ? 4 : 2 }
    }

    /// A gate on the canary's error rate. `(errors or vector(0)) / all`: a canary that never
    /// failed measures 0, not "no data"; a canary without traffic still measures no data.
    static func errorRateGate(_ prometheus: String, below threshold: Double = 0.05, name: String = "error-rate") -> String {
        gate(name, prometheus: prometheus, query: """
            (sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}"}[5s]))
            """, condition: "lessThan: \(threshold)", noData: "inconclusive", inconclusiveLimit: 5, initialDelaySeconds: 6)
    }

    /// A gate on the canary's p99 latency in seconds.
    static func latencyGate(_ prometheus: String, below seconds: Double = 0.3) -> String {
        gate("p99-latency", prometheus: prometheus, query: """
            histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",deployment="{{canary}}"}[5s])))
            """, condition: "lessThan: \(seconds)", noData: "inconclusive", inconclusiveLimit: 5)
    }

    /// A gate whose query never has data (no app answers 418), with the given no-data policy.
    static func noDataGate(_ prometheus: String, policy: String) -> String {
        gate("teapots", prometheus: prometheus, query: """
            sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}",code="418"}[5s]))
            """, condition: "lessThan: 1", noData: policy, inconclusiveLimit: 0)
    }

    /// One gate entry (YAML, indented for `spec.gates`): measured every second once the
    /// canary has had a few seconds of traffic, passing after two successes, failing at once.
    /// `initialDelaySeconds` gives the canary time to serve before the first measurement: an
    /// error series only exists once the first error was counted and scraped twice.
    static func gate(_ name: String, prometheus: String, query: String, condition: String, noData: String, inconclusiveLimit: Int,
                     initialDelaySeconds: Int = 2) -> String {
        """
            - name: \(name)
              intervalSeconds: 1
              initialDelaySeconds: \(initialDelaySeconds)
              successThreshold: 2
              failureLimit: 0
              prometheus:
                address: \(prometheus)
                query: '\(query.replacingOccurrences(of: "'", with: "''"))'
                condition: {\(condition)}
                noDataPolicy: \(noData)
                inconclusiveLimit: \(inconclusiveLimit)
        """
    }

    /// Everything a release needs in the router's namespace. `steps` and `gates` are YAML
    /// lists indented for `spec.strategy.canary.steps` and `spec.gates`.
    static func application(_ router: Router, steps: String, gates: [String], onGateFailure: String = "rollback") -> String {
        let namespace = router.namespace
        var documents = ["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(namespace)",
                         deployment("stable", replicas: router.stableReplicas, namespace: namespace),
                         deployment("canary", replicas: 0, namespace: namespace)]
        let routing: String
        switch router {
        case .replicaRatio:
            documents.append(service("app", selector: "{app: app}", namespace: namespace))
            routing = """
                  service: app
                  trafficRouting:
                    replicaRatio: {}
            """
        case .nginx:
            documents += [service("app", selector: "{app: app, track: stable}", namespace: namespace),
                          service("app-canary", selector: "{app: app, track: canary}", namespace: namespace), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: app
                  namespace: \(namespace)
                spec:
                  ingressClassName: nginx
                  rules:
                  - host: app.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service: {name: app, port: {number: 80}}
                """]
            routing = """
                  service: app
                  canaryService: app-canary
                  trafficRouting:
                    nginx: {stableIngress: app}
            """
        case .istio:
            documents += [service("app", selector: "{app: app, track: stable}", namespace: namespace),
                          service("app-stable", selector: "{app: app, track: stable}", namespace: namespace),
                          service("app-canary", selector: "{app: app, track: canary}", namespace: namespace), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: app
                  namespace: \(namespace)
                spec:
                  hosts: [app]
                  http:
                  - name: primary
                    route:
                    - destination: {host: app-stable}
                      weight: 100
                    - destination: {host: app-canary}
                      weight: 0
                """]
            routing = """
                  service: app
                  trafficRouting:
                    istio:
                      virtualService: app
                      route: primary
                      stable: {host: app-stable}
                      canary: {host: app-canary}
            """
        case .gatewayAPI:
            documents += [service("app-stable", selector: "{app: app, track: stable}", namespace: namespace),
                          service("app-canary", selector: "{app: app, track: canary}", namespace: namespace), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata:
                  name: simulated
                spec:
                  controllerName: example.com/gateway-controller
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata:
                  name: public
                  namespace: \(namespace)
                spec:
                  gatewayClassName: simulated
                  listeners:
                  - {name: http, port: 80, protocol: HTTP}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: app
                  namespace: \(namespace)
                spec:
                  parentRefs:
                  - name: public
                  hostnames: [app.example.com]
                  rules:
                  - backendRefs:
                    - {name: app-stable, port: 80, weight: 100}
                    - {name: app-canary, port: 80, weight: 0}
                """]
            routing = """
                  service: app-stable
                  trafficRouting:
                    gatewayAPI:
                      httpRoute: app
                      stableBackend: app-stable
                      canaryBackend: app-canary
            """
        }
        documents.append("""
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentTarget
            metadata:
              name: \(target)
              namespace: \(namespace)
            spec:
              environment: production
              source:
                imageRepository: \(repository)
              container: app
              strategy:
                canary:
                  stableDeployment: app-stable
                  canaryDeployment: app-canary
            \(routing)
                  steps:
            \(steps)
              gates:\(gates.isEmpty ? " []" : "\n" + gates.joined(separator: "\n"))
              onGateFailure: \(onGateFailure)
              historyLimit: 10
              progressDeadlineSeconds: 120
            """)
        return documents.joined(separator: "\n---\n")
    }

    /// Steps (YAML, indented for `steps`) from a compact form: `20`, `pause`, `analysis:a,b`.
    static func steps(_ steps: [String]) -> String {
        steps.map { step in
            if step == "pause" { return "        - pause: {}" }
            if step.hasPrefix("analysis:") {
                return "        - analysis: {gates: [\(step.dropFirst("analysis:".count))]}"
            }
            return "        - setWeight: \(step)"
        }.joined(separator: "\n")
    }

    static func deployment(_ track: String, replicas: Int, namespace: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app-\(track)
          namespace: \(namespace)
          labels: {app: app, track: \(track)}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {app: app, track: \(track)}
          template:
            metadata:
              labels: {app: app, track: \(track)}
            spec:
              containers:
                - name: app
                  image: \(firstImage)
                  ports:
                    - containerPort: 8080
        """
    }

    static func service(_ name: String, selector: String, namespace: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          selector: \(selector)
          ports:
            - name: http
              port: 80
              targetPort: 8080
        """
    }

    static func request(_ name: String, namespace: String, image: String) -> String {
        """
        apiVersion: slipway.dev/v1alpha1
        kind: DeploymentRequest
        metadata:
          name: \(name)
          namespace: \(namespace)
          annotations:
            slipway.dev/requested-by: "ci"
        spec:
          target: \(target)
          action: deploy
          image: \(image)
          commit: "abcdef1"
        """
    }
}
