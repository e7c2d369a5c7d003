import Foundation
import Kube
import KubeRuntime
import Observability
import Synchronization
import Testing

/// Lists a fixed set of ConfigMaps once, then holds a watch open until cancelled.
struct FixedWatchSource: WatchSource {
    let names: [String]

    func listPage(limit: Int, continueToken: String?) async throws -> ObjectList<ConfigMap> {
        ObjectList(metadata: ListMeta(resourceVersion: "1"),
                   items: names.map { ConfigMap(metadata: ObjectMeta(name: $0, namespace: "shop", resourceVersion: "1")) })
    }

    func watch(from resourceVersion: String) async throws -> AsyncThrowingStream<WatchEvent<ConfigMap>, any Error> {
        AsyncThrowingStream { _ in }
    }
}

struct ReconcileFailed: Error {}

@Suite("Runtime metrics")
struct RuntimeMetricsTests {
    @Test("a controller counts reconciles by result, times them, and counts errors")
    func reconciles() async throws {
        let registry = MetricsRegistry()
        let failures = Mutex<Set<String>>([])
        let controller = Controller<ConfigMap>(primary: FixedWatchSource(names: ["ok", "again", "broken"]),
                                               configuration: ControllerConfiguration(name: "configmap", workers: 2),
                                               metricsFactory: registry.factory)
        let run = Task {
            await controller.run { key in
                switch key.name {
                case "again": return .requeueAfter(.seconds(3600))
                case "broken":
                    // Fails once, then succeeds on the retry.
                    let first = failures.withLock { $0.insert(key.name).inserted }
                    if first { throw ReconcileFailed() }
                    return .awaitChange
                default: return .awaitChange
                }
            }
        }
        let labels = #"controller="configmap""#
        let deadline = ContinuousClock.now + .seconds(20)
        var text = registry.expositionText()
        while sample(text, "controller_runtime_reconcile_total{\(labels),result=\"success\"}") != 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            text = registry.expositionText()
        }
        controller.shutdown()
        await run.value
        text = registry.expositionText()
        #expect(sample(text, "controller_runtime_reconcile_total{\(labels),result=\"success\"}") == 2)
        #expect(sample(text, "controller_runtime_reconcile_total{\(labels),result=\"requeue_after\"}") == 1)
        #expect(sample(text, "controller_runtime_reconcile_total{\(labels),result=\"error\"}") == 1)
        #expect(sample(text, "controller_runtime_reconcile_errors_total{\(labels)}") == 1)
        #expect(sample(text, "controller_runtime_reconcile_time_seconds_count{\(labels)}") == 4)
        #expect(sample(text, "controller_runtime_active_workers{\(labels)}") == 0)
        #expect(sample(text, #"workqueue_retries_total{name="configmap"}"#) == 1)
        #expect(sample(text, #"workqueue_depth{name="configmap"}"#) == 0)
    }
}
