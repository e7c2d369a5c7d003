import Foundation
import Kube
import SlipwayAPI
import Testing

/// What an operator sees and does with kubectl while the controller process runs: the short
/// names, printer columns and category, conditions in the Kubernetes convention, an Event for
/// every phase change, and steering a release with the promote and abort annotations.
@Suite("EndToEnd operator view and steering", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndOperatorTests {
    @Test("kubectl get dr, dt and slipway show the release; conditions follow the convention; each phase change is an Event")
    func operatorView() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")

            let requests = try await cluster.kubectl(["get", "dr", "-n", Fixture.namespace])
            for column in ["NAME", "TARGET", "ACTION", "PHASE", "IMAGE", "AGE"] {
                #expect(requests.contains(column), "kubectl get dr has no \(column) column: \(requests)")
            }
            let row = requests.split(separator: "\n").first { $0.hasPrefix("release-2") }.map(String.init) ?? ""
            for cell in [Fixture.target, "deploy", "Succeeded", "shop/app:2.0.0"] {
                #expect(row.contains(cell), "the row of release-2 lacks \(cell): \(requests)")
            }
            let targets = try await cluster.kubectl(["get", "dt", "-n", Fixture.namespace])
            #expect(targets.contains(Fixture.target) && targets.contains("production") && targets.contains("shop/app:2.0.0"), "\(targets)")
            let everything = try await cluster.kubectl(["get", "slipway", "-n", Fixture.namespace, "-o", "name"])
            #expect(everything.contains("deploymentrequest.slipway.dev/release-2"), "\(everything)")
            #expect(everything.contains("deploymenttarget.slipway.dev/\(Fixture.target)"), "\(everything)")

            // Conditions: https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#typical-status-properties
            let conditions = Dictionary(uniqueKeysWithValues: (request.status?.conditions ?? []).map { ($0.type, $0) })
            #expect(conditions["Accepted"]?.status == "True")
            #expect(conditions["TrafficSwitched"]?.status == "True")
            #expect(conditions["Complete"]?.status == "True")
            #expect(conditions["Progressing"]?.status == "False")
            for condition in conditions.values {
                #expect(["True", "False", "Unknown"].contains(condition.status), "\(condition)")
                #expect(condition.reason?.wholeMatch(of: /[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?/) != nil, "reason not CamelCase: \(condition)")
                #expect(condition.lastTransitionTime.flatMap(RFC3339.date(from:)) != nil, "no lastTransitionTime: \(condition)")
                #expect(condition.message?.isEmpty == false, "no message: \(condition)")
            }

            // An Event for the start and one for the end at least, about this request, from the controller.
            var events: [Event] = []
            let recorded = try await waitUntil(timeout: .seconds(20)) {
                events = try await cluster.client.list(Event.self, namespace: Fixture.namespace).items
                    .filter { $0.involvedObject.kind == "DeploymentRequest" && $0.involvedObject.name == "release-2" }
                return events.count >= 2
            }
            #expect(recorded, "events: \(events.map { $0.reason ?? "" })")
            #expect(events.allSatisfy { $0.source?.component == "slipway-controller" || $0.reportingComponent == "slipway-controller" },
                    "\(events.map { String(describing: $0.source) })")
            #expect(events.allSatisfy { $0.message?.isEmpty == false && $0.reason?.isEmpty == false })
            let described = try await cluster.kubectl(["describe", "dr", "release-2", "-n", Fixture.namespace])
            #expect(described.contains("Events:") && described.contains("slipway-controller"), "\(described)")
        }
    }

    @Test("without autoPromote the release waits before the switch; slipway.dev/promote switches it, and slipway.dev/abort undoes the next one")
    func promoteAndAbort() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application().replacingOccurrences(of: "autoPromote: true", with: "autoPromote: false"))
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let paused = try await cluster.waitForRequest("release-2", in: [.paused, .succeeded, .failed, .rolledBack, .aborted])
            #expect(paused.phase == .paused, "\(paused.status?.message ?? "")")
            #expect(paused.status?.message?.contains("slipway.dev/promote") == true, "\(paused.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue", "traffic moved before the promotion")

            try await cluster.kubectl(["annotate", "dr", "release-2", "-n", Fixture.namespace, "slipway.dev/promote=true"])
            let promoted = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .aborted])
            #expect(promoted.phase == .succeeded, "\(promoted.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(promoted.metadata.annotations?["slipway.dev/promote"] == nil, "the promotion was not consumed")

            // The next release is aborted while it waits for its promotion: nothing moves.
            try await cluster.apply(Fixture.request("release-3", image: "shop/app:3.0.0"))
            let waiting = try await cluster.waitForRequest("release-3", in: [.paused, .succeeded, .failed, .rolledBack, .aborted])
            #expect(waiting.phase == .paused, "\(waiting.status?.message ?? "")")
            try await cluster.kubectl(["annotate", "dr", "release-3", "-n", Fixture.namespace, "slipway.dev/abort=changed my mind"])
            let aborted = try await cluster.waitForRequest("release-3", in: [.succeeded, .failed, .rolledBack, .aborted])
            #expect(aborted.phase == .aborted, "\(aborted.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
            let restored = try await waitUntil(timeout: .seconds(30)) {
                let idle = try await cluster.deployment("app-blue")
                return idle.spec?.replicas == 0 && idle.spec?.template.spec?.containers.first?.image != "shop/app:3.0.0"
            }
            #expect(restored, "the idle slot kept the aborted release")
            #expect(selectors.changes.map { $0["slot"] ?? "" } == ["green"], "\(selectors.changes)")
        }
    }
}
