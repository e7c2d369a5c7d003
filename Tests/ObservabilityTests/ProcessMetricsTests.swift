import Foundation
import Kube
import KubeRuntime
import Observability
import Testing

@Suite("Process metrics")
struct ProcessMetricsTests {
    @Test("build info, readiness and leadership; a change of leadership counts once")
    func controller() {
        let registry = MetricsRegistry()
        BuildInfo.register(in: registry, version: "1.2.3", component: "controller")
        let controller = ControllerMetrics(registry: registry)
        var text = registry.expositionText()
        #expect(text.contains(#"slipway_build_info{version="1.2.3",component="controller",swift="#))
        #expect(sample(text, "slipway_controller_ready") == 0)
        #expect(sample(text, "slipway_controller_leader") == 0)

        controller.setReady(true)
        controller.setLeading(true)
        controller.setLeading(true)
        text = registry.expositionText()
        #expect(sample(text, "slipway_controller_ready") == 1)
        #expect(sample(text, "slipway_controller_leader") == 1)
        #expect(sample(text, "slipway_controller_leader_changes_total") == 1)
        controller.setLeading(false)
        #expect(sample(registry.expositionText(), "slipway_controller_leader_changes_total") == 2)
        #expect(text.contains("# HELP slipway_controller_leader Whether this replica holds the leader Lease"))
        #expect(text.contains("# TYPE slipway_controller_leader_changes_total counter"))
    }

    @Test("Kubernetes API requests by verb, resource and code; failures without an answer as error")
    func kubeRequests() {
        let registry = MetricsRegistry()
        let observer = KubeAPIMetrics.observer(registry: registry)
        observer.observe(KubeRequestRecord(verb: "list", resource: "deploymentrequests", statusCode: 200, duration: .milliseconds(12)))
        observer.observe(KubeRequestRecord(verb: "list", resource: "deploymentrequests", statusCode: 200, duration: .milliseconds(7)))
        observer.observe(KubeRequestRecord(verb: "patch", resource: "deploymentrequests/status", statusCode: 409, duration: .milliseconds(3)))
        observer.observe(KubeRequestRecord(verb: "get", resource: "leases", statusCode: nil, duration: .seconds(10)))
        let text = registry.expositionText()
        #expect(sample(text, #"slipway_kube_api_requests_total{verb="list",resource="deploymentrequests",code="200"}"#) == 2)
        #expect(sample(text, #"slipway_kube_api_requests_total{verb="patch",resource="deploymentrequests/status",code="409"}"#) == 1)
        #expect(sample(text, #"slipway_kube_api_requests_total{verb="get",resource="leases",code="error"}"#) == 1)
        #expect(sample(text, #"slipway_kube_api_request_duration_seconds_count{verb="list"}"#) == 2)
    }

    @Test("Telegram commands: known ones by name, anything else as other; reachability")
    func telegram() {
        let registry = MetricsRegistry()
        let telegram = TelegramMetrics(registry: registry, commands: ["deploy", "status"])
        telegram.recordCommand("/deploy", outcome: .ok)
        telegram.recordCommand("/deploy@slipway_bot", outcome: .denied)
        telegram.recordCommand("/rm -rf", outcome: .invalid)
        telegram.recordCommand("/7af3e1c", outcome: .invalid)
        var text = registry.expositionText()
        #expect(sample(text, #"slipway_telegram_commands_total{command="deploy",outcome="ok"}"#) == 1)
        #expect(sample(text, #"slipway_telegram_commands_total{command="deploy",outcome="denied"}"#) == 1)
        #expect(sample(text, #"slipway_telegram_commands_total{command="other",outcome="invalid"}"#) == 2)
        #expect(sample(text, #"slipway_telegram_commands_total{command="status",outcome="ok"}"#) == 0)
        #expect(!text.contains("rm -rf"))
        #expect(sample(text, "slipway_telegram_up") == 0)

        telegram.recordAPICall(succeeded: true, at: Date(timeIntervalSince1970: 1_795_600_800))
        text = registry.expositionText()
        #expect(sample(text, "slipway_telegram_up") == 1)
        #expect(sample(text, "slipway_telegram_last_success_timestamp_seconds") == 1_795_600_800)
        telegram.recordAPICall(succeeded: false)
        text = registry.expositionText()
        #expect(sample(text, "slipway_telegram_up") == 0)
        #expect(sample(text, #"slipway_telegram_api_requests_total{outcome="error"}"#) == 1)
    }

    @Test("the work queue reports its depth, adds and retries through swift-metrics")
    func workQueue() async {
        let registry = MetricsRegistry()
        let queue = WorkQueue<String>(name: "things", metricsFactory: registry.factory)
        queue.add("a")
        queue.add("b")
        queue.add("b")
        queue.add("c")
        var text = registry.expositionText()
        #expect(sample(text, #"workqueue_depth{name="things"}"#) == 3)
        #expect(sample(text, #"workqueue_adds_total{name="things"}"#) == 3)
        let first = await queue.next()
        #expect(first == "a")
        text = registry.expositionText()
        #expect(sample(text, #"workqueue_depth{name="things"}"#) == 2)
        queue.addRateLimited("a")
        queue.done("a")
        text = registry.expositionText()
        #expect(sample(text, #"workqueue_retries_total{name="things"}"#) == 1)
        #expect(text.contains("# HELP workqueue_depth Keys waiting in the work queue to be reconciled."))
        queue.shutDown()
    }
}
