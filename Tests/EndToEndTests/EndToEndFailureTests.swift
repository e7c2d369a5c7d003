import Foundation
import Kube
import SlipwayAPI
import Testing

/// Releases that go wrong, or may not start yet, driven by a `slipway controller` process.
@Suite("EndToEnd failures and waiting", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndFailureTests {
    @Test("a post-promotion gate failure switches traffic back and restores the previous image")
    func postPromotionFailure() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(liveBodyContains: "text-the-app-never-sends"))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .rolledBack, "\(request.status?.message ?? "")")
            #expect(request.timelineActions.contains("SwitchedTraffic"), "\(request.timelineActions)")
            #expect(request.timelineActions.contains("SwitchedTrafficBack"), "\(request.timelineActions)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            let target = try await cluster.target()
            #expect(target.status?.currentImage == Fixture.firstImage)
            #expect(target.status?.activeSlot == .blue)
            // Nothing is left configured on the bad version.
            let restored = try await waitUntil(timeout: .seconds(30)) {
                try await cluster.deployment("app-green").spec?.template.spec?.containers.first?.image == Fixture.firstImage
            }
            #expect(restored, "app-green still runs the rolled-back image")
        }
    }

    @Test("a crashloop image fails by the progress deadline without getting traffic")
    func crashloopDeadline() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(progressDeadlineSeconds: 5))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0-crashloop"))

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .failed, "\(request.status?.message ?? "")")
            #expect(!request.timelineActions.contains("SwitchingTraffic"), "\(request.timelineActions)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            #expect(try await cluster.target().status?.currentImage != "shop/app:2.0.0-crashloop")
        }
    }

    @Test("a request during a freeze waits, saying why, and proceeds once the freeze is lifted")
    func outsideWindow() async throws {
        try await EndToEndCluster.with { cluster in
            let formatter = ISO8601DateFormatter()
            let start = formatter.string(from: Date().addingTimeInterval(-3600))
            let end = formatter.string(from: Date().addingTimeInterval(3600))
            let windows = """
                  windows:
                    freezes:
                      - start: "\(start)"
                        end: "\(end)"
                        reason: Release freeze
                    outsideWindow: wait
                """
            try await cluster.apply(Fixture.application(windows: windows))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let waiting = try await cluster.waitForRequest("release-2", in: [.queued, .succeeded, .failed, .rejected])
            #expect(waiting.phase == .queued, "\(waiting.status?.message ?? "")")
            #expect(waiting.status?.message?.contains("waiting") == true, "\(waiting.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")

            try await cluster.kubectl(["patch", "deploymenttarget", Fixture.target, "-n", Fixture.namespace, "--type", "json",
                                       "-p", #"[{"op":"remove","path":"/spec/windows"}]"#])
            let done = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(done.phase == .succeeded, "\(done.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
        }
    }
}
