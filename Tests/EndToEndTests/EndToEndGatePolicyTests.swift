import Foundation
import Kube
import SlipwayAPI
import Testing

/// What a target's policies do to real releases: `onGateFailure: pause` hands a failed gate to a
/// human (who promotes past it or aborts), a readiness gate judges the release slot's pods, and
/// `historyLimit` keeps only the newest finished requests without losing what a rollback needs.
@Suite("EndToEnd gate policies and history", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndGatePolicyTests {
    static let finished: Set<Phase> = [.succeeded, .failed, .rolledBack, .rejected, .aborted]

    @Test("onGateFailure: pause stops a failed pre-promotion gate before any traffic moves; slipway.dev/abort then undoes it")
    func pauseBeforeTheSwitchThenAbort() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(onGateFailure: "pause"))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0-unhealthy"))

            let paused = try await cluster.waitForRequest("release-2", in: Self.finished.union([.paused]))
            #expect(paused.phase == .paused, "\(paused.status?.message ?? "")")
            let message = paused.status?.message ?? ""
            #expect(message.contains("pre-promotion gate preview-healthy failed") && message.contains("slipway.dev/promote")
                    && message.contains("slipway.dev/abort"), "the pause does not say what failed and what to do: \(message)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue", "traffic moved to a release whose gate failed")

            try await cluster.kubectl(["annotate", "dr", "release-2", "-n", Fixture.namespace, "slipway.dev/abort=preview unhealthy"])
            let aborted = try await cluster.waitForRequest("release-2", in: Self.finished)
            #expect(aborted.phase == .aborted, "\(aborted.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            #expect(try await cluster.target().status?.currentImage == Fixture.firstImage)
            let idle = try await waitUntil(timeout: .seconds(30)) {
                try await cluster.deployment("app-green").spec?.replicas == 0
            }
            #expect(idle, "the aborted release's slot kept its replicas")
        }
    }

    @Test("onGateFailure: pause keeps traffic on a release whose post-promotion gate failed; slipway.dev/promote continues past it to Succeeded")
    func pauseAfterTheSwitchThenPromote() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(liveBodyContains: "a text the app never sends", onGateFailure: "pause"))
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let paused = try await cluster.waitForRequest("release-2", in: Self.finished.union([.paused]))
            #expect(paused.phase == .paused, "\(paused.status?.message ?? "")")
            #expect(paused.status?.message?.contains("post-promotion gate live-healthy failed") == true, "\(paused.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green", "a paused post-promotion failure moved traffic back")

            try await cluster.kubectl(["annotate", "dr", "release-2", "-n", Fixture.namespace, "slipway.dev/promote=true"])
            let done = try await cluster.waitForRequest("release-2", in: Self.finished)
            #expect(done.phase == .succeeded, "\(done.status?.message ?? "")")
            #expect(done.timelineActions.contains("PostPromotionGatesOverridden"), "\(done.timelineActions)")
            #expect(!done.timelineActions.contains("PostPromotionGatesPassed"), "\(done.timelineActions)")
            #expect(done.metadata.annotations?["slipway.dev/promote"] == nil, "the promotion was not consumed")
            #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
            #expect(selectors.changes.map { $0["slot"] ?? "" } == ["green"], "traffic moved more than once: \(selectors.changes)")
        }
    }

    @Test("a readiness gate passes a slot whose pods are all available without restarts, and records what it measured")
    func readinessGate() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(readinessGate: true))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let done = try await cluster.waitForRequest("release-2", in: Self.finished)
            #expect(done.phase == .succeeded, "\(done.status?.message ?? "")")
            let gate = try #require(done.status?.gates?.first { $0.name.contains("slot-ready") }, "no status for the readiness gate: \(String(describing: done.status?.gates))")
            #expect(gate.phase == .passed, "\(gate)")
            let measured = gate.measurements?.compactMap(\.value) ?? []
            #expect(measured.contains("2/2 available, 0 restarts"), "\(measured)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
        }
    }

    @Test("historyLimit keeps only the newest finished requests of a target; a rollback still restores the previous release")
    func historyLimit() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(historyLimit: 2))
            for number in 2...4 {
                try await cluster.apply(Fixture.request("release-\(number)", image: "shop/app:\(number).0.0"))
                let done = try await cluster.waitForRequest("release-\(number)", in: Self.finished)
                #expect(done.phase == .succeeded, "release-\(number): \(done.status?.message ?? "")")
            }
            var kept: [String] = []
            let pruned = try await waitUntil(timeout: .seconds(30)) {
                kept = try await Self.requestNames(cluster)
                return kept == ["release-3", "release-4"]
            }
            #expect(pruned, "kept: \(kept)")

            // The request that made the previous release is gone; the rollback needs only the target.
            try await cluster.apply(Fixture.request("rollback-1", action: "rollback", commit: nil))
            let rolledBack = try await cluster.waitForRequest("rollback-1", in: Self.finished)
            #expect(rolledBack.phase == .succeeded, "\(rolledBack.status?.message ?? "")")
            #expect(try await cluster.target().status?.currentImage == "shop/app:3.0.0")
            let trimmed = try await waitUntil(timeout: .seconds(30)) {
                kept = try await Self.requestNames(cluster)
                return kept == ["release-4", "rollback-1"]
            }
            #expect(trimmed, "kept: \(kept)")
        }
    }

    static func requestNames(_ cluster: EndToEndCluster) async throws -> [String] {
        try await cluster.client.list(DeploymentRequest.self, namespace: Fixture.namespace).items.compactMap(\.metadata.name).sorted()
    }
}
