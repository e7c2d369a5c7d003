import Kube
import KubeRuntime
import Rollout
import SlipwayAPI
import Testing

/// The controller's indexed caches: which requests a change wakes, and what a reconcile reads.
@Suite("Rollout caches")
struct RolloutCachesTests {
    static func caches() -> RolloutCaches {
        RolloutCaches(requests: Store(), targets: Store(), deployments: Store(), services: Store())
    }

    static func blueGreen(_ app: String, namespace: String = "shop", active: String? = nil, version: String = "1") -> DeploymentTarget {
        let strategy = ReleaseStrategy.blueGreen(BlueGreenStrategy(activeService: app, previewService: "\(app)-preview", blueDeployment: "\(app)-blue",
                                                                   greenDeployment: "\(app)-green"))
        var target = DeploymentTarget(metadata: ObjectMeta(name: "\(app)-production", namespace: namespace, resourceVersion: version),
                                      spec: DeploymentTargetSpec(environment: "production", source: ReleaseSource(imageRepository: "shop/\(app)"),
                                                                 container: app, strategy: strategy))
        if let active { target.status = DeploymentTargetStatus(activeRequest: active) }
        return target
    }

    static func canary(_ app: String, namespace: String = "shop") -> DeploymentTarget {
        let strategy = ReleaseStrategy.canary(CanaryStrategy(stableDeployment: "\(app)-stable", canaryDeployment: "\(app)-canary", service: app,
                                                             trafficRouting: TrafficRouting(replicaRatio: ReplicaRatioRouting()), steps: [.setWeight(50)]))
        return DeploymentTarget(metadata: ObjectMeta(name: "\(app)-production", namespace: namespace, resourceVersion: "1"),
                                spec: DeploymentTargetSpec(environment: "production", source: ReleaseSource(imageRepository: "shop/\(app)"),
                                                           container: app, strategy: strategy))
    }

    static func request(_ name: String, target: String, namespace: String = "shop", phase: Phase? = nil) -> DeploymentRequest {
        DeploymentRequest(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: "1"), spec: DeploymentRequestSpec(target: target),
                          status: phase.map { DeploymentRequestStatus(phase: $0) })
    }

    static func deployment(_ name: String, namespace: String = "shop") -> Deployment {
        Deployment(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: "1"))
    }

    static func service(_ name: String, namespace: String = "shop") -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: "1"))
    }

    static func names(_ keys: [ObjectKey]) -> [String] { keys.map(\.description).sorted() }

    @Test("a Deployment or Service change wakes exactly the open requests of the targets that name it")
    func wakesExactlyTheOpenRequests() {
        let caches = Self.caches()
        caches.targets.apply(.restarted([Self.blueGreen("web"), Self.blueGreen("api"), Self.canary("search"),
                                         Self.blueGreen("web", namespace: "ops")]))
        caches.requests.apply(.restarted([
            Self.request("web-1", target: "web-production", phase: .succeeded),
            Self.request("web-2", target: "web-production", phase: .progressing),
            Self.request("web-3", target: "web-production"),
            Self.request("api-1", target: "api-production", phase: .queued),
            Self.request("search-1", target: "search-production", phase: .progressing),
            Self.request("web-ops", target: "web-production", namespace: "ops", phase: .progressing),
        ]))

        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("web-green"))) == ["shop/web-2", "shop/web-3"])
        #expect(Self.names(caches.requestKeys(forService: Self.service("web-preview"))) == ["shop/web-2", "shop/web-3"])
        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("search-canary"))) == ["shop/search-1"])
        #expect(Self.names(caches.requestKeys(forService: Self.service("api"))) == ["shop/api-1"])
        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("web-blue", namespace: "ops"))) == ["ops/web-ops"])
        #expect(caches.requestKeys(forDeployment: Self.deployment("unrelated")).isEmpty)

        // A request that finishes stops being woken; a target's active request always is.
        caches.requests.apply(.applied(Self.request("web-2", target: "web-production", phase: .succeeded)))
        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("web-blue"))) == ["shop/web-3"])
        caches.targets.apply(.applied(Self.blueGreen("web", active: "web-1", version: "2")))
        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("web-blue"))) == ["shop/web-1", "shop/web-3"])
    }

    @Test("a target that renames its Deployments is found under the new names only")
    func renamedDeployments() {
        let caches = Self.caches()
        caches.targets.apply(.restarted([Self.blueGreen("web")]))
        caches.requests.apply(.restarted([Self.request("web-1", target: "web-production", phase: .progressing)]))
        var renamed = Self.blueGreen("web", version: "2")
        renamed.spec.strategy = .blueGreen(BlueGreenStrategy(activeService: "web", previewService: "web-preview", blueDeployment: "web-a",
                                                             greenDeployment: "web-b"))
        caches.targets.apply(.applied(renamed))
        #expect(caches.requestKeys(forDeployment: Self.deployment("web-blue")).isEmpty)
        #expect(Self.names(caches.requestKeys(forDeployment: Self.deployment("web-b"))) == ["shop/web-1"])
    }

    @Test("a request reads its target from the cache after the target changed, across a re-list, never the stale copy; a cache miss asks the API")
    func readsFreshTarget() async throws {
        let caches = Self.caches()
        let client = try KubeClient(configuration: ClusterConfiguration(server: "https://127.0.0.1:1"))
        defer { client.shutdown() }
        let cluster = KubeRolloutCluster(client: client, events: EventRecorder(sink: NoEvents(), component: "test"), caches: caches)
        caches.targets.apply(.restarted([Self.blueGreen("web", version: "1")]))
        #expect(try await cluster.target(namespace: "shop", name: "web-production")?.metadata.resourceVersion == "1")

        var edited = Self.blueGreen("web", version: "7")
        edited.spec.historyLimit = 3
        caches.targets.apply(.restarted([edited]))
        let read = try await cluster.target(namespace: "shop", name: "web-production")
        #expect(read?.metadata.resourceVersion == "7")
        #expect(read?.spec.historyLimit == 3)

        // A target the cache lacks (deleted while nobody watched, or not seen yet) is asked of the
        // API, here unreachable, before it counts as missing: "does not exist" ends a request.
        caches.targets.apply(.restarted([]))
        #expect(caches.targets.get(name: "web-production", namespace: "shop") == nil)
        await #expect(throws: (any Error).self) { try await cluster.target(namespace: "shop", name: "web-production") }

        caches.requests.apply(.restarted([Self.request("web-1", target: "web-production", phase: .succeeded),
                                          Self.request("api-1", target: "api-production")]))
        #expect(try await cluster.requests(namespace: "shop", target: "web-production").compactMap(\.metadata.name) == ["web-1"])
    }
}

private struct NoEvents: EventSink {
    func create(_ event: Event, namespace: String) async throws -> Event { event }
    func updateCount(name: String, namespace: String, count: Int, lastTimestamp: String) async throws -> Event {
        throw CancellationError()
    }
}
