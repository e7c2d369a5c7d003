import Kube
import Foundation
import SlipwayAPI

/// What `slipway demo` sets up and releases: a blue/green `web` and a canary `api` in namespace
/// `shop` (the applications of manifests/examples, with the demo's short timings and without
/// approvals or windows), and three releases with the ending each should reach.
public struct DemoScenario: Sendable {
    public static let namespace = "shop"
    public static let webTarget = "web-production"
    public static let apiTarget = "api-staging"
    public static let webRepository = "registry.example.com/shop/web"
    public static let apiRepository = "registry.example.com/shop/api"

    public static let cartTarget = "cart-production"

    public var pace: DemoPace
    /// A Prometheus scraping the simulated apps (`http://127.0.0.1:PORT`); with it the canary's
    /// analysis also judges its error rate by PromQL, without it HTTP gates alone decide.
    public var prometheus: String?
    /// A real OCI registry on loopback holding cart's images; with it a third app, cart, whose
    /// target requires its images there, and a fourth story: an image never pushed is refused.
    public var registry: Registry?

    /// Where the demo's registry listens and the CA its certificate is from.
    public struct Registry: Sendable, Equatable {
        /// `127.0.0.1:PORT`.
        public var host: String
        public var caCertificatePEM: String

        public init(host: String, caCertificatePEM: String) {
            self.host = host
            self.caCertificatePEM = caCertificatePEM
        }

        public var cartRepository: String { "\(host)/shop/cart" }
        /// The image cart runs before any release; the demo pushes it.
        public var cartInitialImage: String { "\(cartRepository):1.0.0" }
    }

    public init(pace: DemoPace, prometheus: String? = nil, registry: Registry? = nil) {
        self.pace = pace
        self.prometheus = prometheus
        self.registry = registry
    }

    /// The canary's error rate over the last seconds, by the Deployment label the simulated
    /// apps put on `http_requests_total`. `or vector(0)`: a canary without errors measures 0
    /// rather than "no data"; one without traffic yet measures no data, counted as inconclusive.
    public static let errorRateQuery = """
        (sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{namespace="{{namespace}}",deployment="{{canary}}"}[5s]))
        """

    /// The gates the canary's analysis step runs.
    var canaryAnalysisGates: [String] { prometheus == nil ? ["api-healthy"] : ["api-healthy", "error-rate"] }

    /// One release of the demo and what it shows.
    public struct Release: Sendable, Equatable {
        public enum Strategy: String, Sendable { case blueGreen = "blue/green", canary }

        /// Shown in the summary: `blue/green release`.
        public var title: String
        public var target: String
        public var strategy: Strategy
        public var image: String
        public var commit: String
        public var reason: String
        /// The endings that mean the demo went as it should.
        public var expected: Set<Phase>
        /// What the expected ending proves, for the summary.
        public var story: String
        /// Words the request's final message must hold, when the phase alone does not prove
        /// the story (a Rejected request could be rejected for another reason).
        public var messageContains: String? = nil
    }

    public var releases: [Release] {
        [
            Release(title: "blue/green release", target: Self.webTarget, strategy: .blueGreen, image: "\(Self.webRepository):1.5.0",
                    commit: "3f9c2ab", reason: "Checkout button fix", expected: [.succeeded],
                    story: "new slot checked through web-preview, traffic switched, old slot scaled down"),
            Release(title: "canary release", target: Self.apiTarget, strategy: .canary, image: "\(Self.apiRepository):2.8.0",
                    commit: "8d1e44f", reason: "Faster search", expected: [.succeeded],
                    story: "traffic moved to the canary in steps, judged by its gate, then promoted"),
            Release(title: "broken release", target: Self.webTarget, strategy: .blueGreen, image: "\(Self.webRepository):1.5.1-errors50",
                    commit: "c0ffee1", reason: "Risky refactor", expected: [.rolledBack],
                    story: "half its requests fail: the live gate caught it and traffic and image went back"),
        ] + registryReleases
    }

    /// The fourth story, when the registry runs.
    var registryReleases: [Release] {
        guard let registry else { return [] }
        return [
            Release(title: "unpushed image", target: Self.cartTarget, strategy: .blueGreen, image: "\(registry.cartRepository):2.0.0",
                    commit: "5eed5ee", reason: "Tagged before CI pushed it", expected: [.rejected],
                    story: "never pushed: the registry check refused it at once, before anything moved",
                    messageContains: "is not in the registry"),
        ]
    }

    /// The objects to apply after the CRDs, as one multi-document YAML text.
    public var manifests: String {
        ([namespaceManifest, webManifests, apiManifests] + (cartManifests.map { [$0] } ?? [])).joined(separator: "\n---\n")
    }

    var namespaceManifest: String {
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: \(Self.namespace)
        """
    }

    static func deployment(_ name: String, labels: String, container: String, image: String, replicas: Int) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels: {\(labels)}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {\(labels)}
          template:
            metadata:
              labels: {\(labels)}
            spec:
              containers:
                - name: \(container)
                  image: \(image)
                  ports:
                    - containerPort: 8080
        """
    }

    static func service(_ name: String, selector: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          selector: {\(selector)}
          ports:
            - name: http
              port: 80
              targetPort: 8080
        """
    }

    /// web: two slots behind `web` (live) and `web-preview` (idle). The preview gate checks
    /// health; the live gate sends ordinary requests, which is what catches an image whose
    /// health check passes while half of its answers are errors.
    var webManifests: String {
        let initial = "\(Self.webRepository):1.4.1"
        return [
            Self.deployment("web-blue", labels: "app: web, slot: blue", container: "web", image: initial, replicas: 3),
            Self.deployment("web-green", labels: "app: web, slot: green", container: "web", image: initial, replicas: 0),
            Self.service("web", selector: "app: web, slot: blue"),
            Self.service("web-preview", selector: "app: web, slot: green"),
            """
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentTarget
            metadata:
              name: \(Self.webTarget)
              namespace: \(Self.namespace)
            spec:
              environment: production
              source:
                imageRepository: \(Self.webRepository)
                branch: main
                github: {owner: example, repo: shop-web}
              container: web
              strategy:
                blueGreen:
                  activeService: web
                  previewService: web-preview
                  blueDeployment: web-blue
                  greenDeployment: web-green
                  autoPromote: true
                  scaleDownDelaySeconds: \(pace.scaleDownDelaySeconds)
                  prePromotionGates: [preview-healthy]
                  postPromotionGates: [live-requests]
              gates:
                - name: preview-healthy
                  intervalSeconds: 1
                  successThreshold: \(pace.gateSuccesses)
                  failureLimit: 1
                  http:
                    url: http://web-preview.\(Self.namespace).svc/healthz
                    timeoutSeconds: 1
                - name: live-requests
                  intervalSeconds: 1
                  successThreshold: \(pace.gateSuccesses + 1)
                  failureLimit: 0
                  http:
                    url: http://web.\(Self.namespace).svc/
                    expectedStatus: [200]
                    timeoutSeconds: 1
              onGateFailure: rollback
              historyLimit: 10
              progressDeadlineSeconds: 120
            """,
        ].joined(separator: "\n---\n")
    }

    /// The PromQL gate on the canary's error rate (YAML for `spec.gates`), when Prometheus runs.
    var prometheusGate: String {
        guard let prometheus else { return "" }
        let query = Self.errorRateQuery.replacingOccurrences(of: "'", with: "''")
        // Indented for `spec.gates` of the api target below.
        return """

                - name: error-rate
                  intervalSeconds: 1
                  initialDelaySeconds: 2
                  successThreshold: \(pace.gateSuccesses)
                  failureLimit: 0
                  prometheus:
                    address: \(prometheus)
                    query: '\(query)'
                    condition: {lessThan: 0.05}
                    noDataPolicy: inconclusive
                    inconclusiveLimit: 10
            """
    }

    /// api: a canary by replica ratio; one Service selects both Deployments.
    var apiManifests: String {
        let initial = "\(Self.apiRepository):2.7.0"
        return [
            Self.deployment("api-stable", labels: "app: api, track: stable", container: "api", image: initial, replicas: 4),
            Self.deployment("api-canary", labels: "app: api, track: canary", container: "api", image: initial, replicas: 0),
            Self.service("api", selector: "app: api"),
            """
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentTarget
            metadata:
              name: \(Self.apiTarget)
              namespace: \(Self.namespace)
            spec:
              environment: staging
              source:
                imageRepository: \(Self.apiRepository)
                branch: develop
                github: {owner: example, repo: shop-api}
              container: api
              strategy:
                canary:
                  stableDeployment: api-stable
                  canaryDeployment: api-canary
                  service: api
                  trafficRouting:
                    replicaRatio: {}
                  steps:
                    - setWeight: 25
                    - pause: {durationSeconds: \(pace.canaryPauseSeconds)}
                    - analysis: {gates: [\(canaryAnalysisGates.joined(separator: ", "))]}
                    - setWeight: 50
                    - pause: {durationSeconds: \(pace.canaryPauseSeconds)}
              gates:
                - name: api-healthy
                  intervalSeconds: 1
                  successThreshold: \(pace.gateSuccesses)
                  failureLimit: 1
                  http:
                    url: http://api.\(Self.namespace).svc/healthz
                    timeoutSeconds: 1\(prometheusGate)
              onGateFailure: rollback
              historyLimit: 10
              progressDeadlineSeconds: 120
            """,
        ].joined(separator: "\n---\n")
    }

    /// cart: blue/green like web, with its images in the demo's registry: the target requires
    /// them there and pins their digests.
    var cartManifests: String? {
        guard let registry else { return nil }
        let caBundle = registry.caCertificatePEM.split(separator: "\n").map { "              " + $0 }.joined(separator: "\n")
        return [
            Self.deployment("cart-blue", labels: "app: cart, slot: blue", container: "cart", image: registry.cartInitialImage, replicas: 2),
            Self.deployment("cart-green", labels: "app: cart, slot: green", container: "cart", image: registry.cartInitialImage, replicas: 0),
            Self.service("cart", selector: "app: cart, slot: blue"),
            Self.service("cart-preview", selector: "app: cart, slot: green"),
            """
            apiVersion: slipway.dev/v1alpha1
            kind: DeploymentTarget
            metadata:
              name: \(Self.cartTarget)
              namespace: \(Self.namespace)
            spec:
              environment: cart
              source:
                imageRepository: \(registry.cartRepository)
              container: cart
              strategy:
                blueGreen:
                  activeService: cart
                  previewService: cart-preview
                  blueDeployment: cart-blue
                  greenDeployment: cart-green
                  autoPromote: true
                  scaleDownDelaySeconds: \(pace.scaleDownDelaySeconds)
                  prePromotionGates: [preview-healthy]
              gates:
                - name: preview-healthy
                  intervalSeconds: 1
                  successThreshold: \(pace.gateSuccesses)
                  failureLimit: 1
                  http:
                    url: http://cart-preview.\(Self.namespace).svc/healthz
                    timeoutSeconds: 1
              onGateFailure: rollback
              historyLimit: 10
              progressDeadlineSeconds: 120
              imagePolicy:
                requireInRegistry: true
                pinDigest: true
                registry:
                  caBundle: |
            \(caBundle)
            """,
        ].joined(separator: "\n---\n")
    }
}
