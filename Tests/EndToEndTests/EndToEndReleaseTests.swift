import Foundation
import Kube
import SlipwayAPI
import Testing

/// Releases driven by a `slipway controller` process against a `slipway cluster` process, each
/// test with a cluster of its own.
@Suite("EndToEnd releases", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndReleaseTests {
    @Test("a good blue/green release succeeds, moves traffic to the new slot, and the controller stops on SIGTERM")
    func goodRelease() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(try await cluster.deployment("app-green").spec?.template.spec?.containers.first?.image == "shop/app:2.0.0")
            let target = try await cluster.target()
            #expect(target.status?.currentImage == "shop/app:2.0.0")
            #expect(target.status?.activeSlot == .green)
            #expect(request.timelineActions.filter { $0 == "SwitchedTraffic" }.count == 1)
            // The old slot is scaled down once its warm period is over.
            let scaledDown = try await waitUntil(timeout: .seconds(30)) {
                (try await cluster.deployment("app-blue").spec?.replicas) == 0
            }
            #expect(scaledDown, "app-blue kept its replicas after the release")

            let controller = try #require(cluster.controller)
            controller.terminate()
            #expect(try await controller.waitForExit(timeout: .seconds(30)), "the controller did not stop on SIGTERM")
            #expect(controller.exitStatus == 0, "\(controller.stderr)")
        }
    }

    @Test("an unhealthy image never gets traffic; the request fails and the target is unchanged")
    func unhealthyImage() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("release-bad", image: "shop/app:2.0.0-unhealthy"))

            let request = try await cluster.waitForRequest("release-bad", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .failed, "\(request.status?.message ?? "")")
            #expect(!request.timelineActions.contains("SwitchingTraffic"))
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            let target = try await cluster.target()
            #expect(target.status?.currentImage != "shop/app:2.0.0-unhealthy")
            #expect(target.status?.activeSlot != .green)
            #expect(try await cluster.deployment("app-blue").spec?.template.spec?.containers.first?.image == Fixture.firstImage)
            let idle = try await waitUntil(timeout: .seconds(30)) {
                (try await cluster.deployment("app-green").spec?.replicas) == 0
            }
            #expect(idle, "the idle slot kept running the failed release")
        }
    }

    @Test("two requests for one target run one after the other, in creation order")
    func queue() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("a-first", image: "shop/app:2.0.0"))
            try await cluster.apply(Fixture.request("b-second", image: "shop/app:3.0.0"))

            var sawQueuedBehindProgressing = false
            let bothDone = try await waitUntil(timeout: .seconds(90)) {
                let first = try await cluster.request("a-first"), second = try await cluster.request("b-second")
                if first.phase == .progressing && second.phase == .queued { sawQueuedBehindProgressing = true }
                #expect(!(first.phase == .progressing && second.phase == .progressing), "both requests progressed at once")
                return first.phase.isTerminal && second.phase.isTerminal
            }
            #expect(bothDone, "the two requests did not both finish")
            #expect(sawQueuedBehindProgressing, "the second request was never seen Queued while the first progressed")
            let first = try await cluster.request("a-first"), second = try await cluster.request("b-second")
            #expect(first.phase == .succeeded, "\(first.status?.message ?? "")")
            #expect(second.phase == .succeeded, "\(second.status?.message ?? "")")
            if let finished = first.status?.finishedAt, let started = second.status?.startedAt {
                #expect(finished <= started, "the second request started (\(started)) before the first finished (\(finished))")
            }
            #expect(try await cluster.target().status?.currentImage == "shop/app:3.0.0")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
        }
    }

    @Test("a rollback request restores the previous image and traffic")
    func rollback() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let release = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            try #require(release.phase == .succeeded, "\(release.status?.message ?? "")")
            #expect(try await cluster.target().status?.previousImage == Fixture.firstImage)

            try await cluster.apply(Fixture.request("undo-2", action: "rollback", commit: nil))
            let undo = try await cluster.waitForRequest("undo-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(undo.phase == .succeeded, "\(undo.status?.message ?? "")")
            let target = try await cluster.target()
            #expect(target.status?.currentImage == Fixture.firstImage)
            let live = try #require(try await cluster.serviceSelector("app")["slot"])
            #expect(try await cluster.deployment("app-\(live)").spec?.template.spec?.containers.first?.image == Fixture.firstImage)
            #expect(live == target.status?.activeSlot?.rawValue)
        }
    }

    @Test("an approval-gated release waits for slipway.dev/approved-by, then proceeds")
    func approval() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(approvalRequired: true))
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0", requestedBy: "alice"))

            let waiting = try await cluster.waitForRequest("release-2", in: [.awaitingApproval, .succeeded, .failed, .rejected])
            #expect(waiting.phase == .awaitingApproval, "\(waiting.status?.message ?? "")")
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            #expect(try await cluster.deployment("app-green").spec?.template.spec?.containers.first?.image == Fixture.firstImage)

            // The requester may not approve their own release on this target.
            try await cluster.kubectl(["annotate", "deploymentrequest", "release-2", "-n", Fixture.namespace, "slipway.dev/approved-by=alice"])
            try await cluster.kubectl(["annotate", "deploymentrequest", "release-2", "-n", Fixture.namespace, "--overwrite",
                                       "slipway.dev/approved-by=bob"])
            let done = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(done.phase == .succeeded, "\(done.status?.message ?? "")")
            let approvers = done.status?.approvals?.map(\.by) ?? []
            #expect(approvers.contains("bob") && !approvers.contains("alice"), "\(approvers)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
        }
    }

    @Test("invalid requests end Rejected naming the field, and the controller keeps releasing")
    func invalidRequests() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())

            // A commit that is not 7-40 hex digits is refused by the API server's schema already.
            await #expect(throws: (any Error).self) {
                try await cluster.apply(Fixture.request("bad-commit", image: "shop/app:2.0.0", commit: "not-a-commit"))
            }
            try await cluster.apply(Fixture.request("no-target", target: "app-nowhere", image: "shop/app:2.0.0"))
            try await cluster.apply(Fixture.request("no-image", image: nil))
            let noTarget = try await cluster.waitForRequest("no-target", in: [.rejected, .succeeded, .failed, .queued, .progressing])
            #expect(noTarget.phase == .rejected)
            #expect(noTarget.status?.message?.contains("spec.target") == true, "\(noTarget.status?.message ?? "")")
            let noImage = try await cluster.waitForRequest("no-image", in: [.rejected, .succeeded, .failed, .queued, .progressing])
            #expect(noImage.phase == .rejected)
            #expect(noImage.status?.message?.contains("spec.image") == true, "\(noImage.status?.message ?? "")")

            #expect(cluster.controller?.isRunning == true)
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let good = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(good.phase == .succeeded, "\(good.status?.message ?? "")")
        }
    }
}
