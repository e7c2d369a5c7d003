import Foundation
import Kube
import SlipwayAPI
import Testing

/// A request is one ask: editing its spec once the release has started must not change what is
/// released, nor make the target's status disagree with what runs.
@Suite("EndToEnd edits to a running request", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndRequestEditTests {
    @Test("changing spec.image of a release in progress does not change the release, and the target's status names what runs")
    func imageEditedMidRelease() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let started = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request("release-2") else { return false }
                return request.timelineActions.contains("ImageSet") || request.phase.isTerminal
            }
            try #require(started)
            try await cluster.kubectl(["patch", "dr", "release-2", "-n", Fixture.namespace, "--type", "merge",
                                       "-p", #"{"spec":{"image":"shop/app:6.6.6","commit":"fedcba9"}}"#])

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(request.status?.releaseImage == "shop/app:2.0.0")
            // The requester is told that the edit was not followed.
            let ignored = request.status?.conditions?.first { $0.type == "SpecIgnored" }
            #expect(ignored?.status == "True" && ignored?.message?.contains("create a new request") == true, "\(String(describing: ignored))")
            let warned = try await waitUntil(timeout: .seconds(20)) {
                try await cluster.client.list(Event.self, namespace: Fixture.namespace).items
                    .contains { $0.involvedObject.name == "release-2" && $0.reason == "SpecEditIgnored" && $0.type == "Warning" }
            }
            #expect(warned, "no Warning Event about the ignored edit")
            #expect(request.status?.message?.contains("shop/app:2.0.0") == true, "\(request.status?.message ?? "")")
            let live = try #require(try await cluster.serviceSelector("app")["slot"])
            let liveImage = try await cluster.deployment("app-\(live)").spec?.template.spec?.containers.first?.image
            let target = try await cluster.target()
            #expect(target.status?.currentImage == liveImage, "the target says \(target.status?.currentImage ?? "nothing") is live, the live slot runs \(liveImage ?? "nothing")")
            #expect(liveImage == "shop/app:2.0.0", "the live slot runs \(liveImage ?? "nothing"), not the release that passed the gates")
            #expect(target.status?.currentCommit == "abcdef1")
        }
    }

    @Test("changing spec.target of a release in progress does not move it: it finishes on its own target, and the other target is untouched")
    func targetEditedMidRelease() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            // A second target over the same workloads, as a staging view of the same application.
            let staging = try #require(Fixture.application().components(separatedBy: "---").last)
                .replacingOccurrences(of: "name: \(Fixture.target)", with: "name: app-staging")
                .replacingOccurrences(of: "environment: production", with: "environment: staging")
            try await cluster.apply(staging)
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let started = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request("release-2") else { return false }
                return request.timelineActions.contains("ImageSet") || request.phase.isTerminal
            }
            try #require(started)
            try await cluster.kubectl(["patch", "dr", "release-2", "-n", Fixture.namespace, "--type", "merge",
                                       "-p", #"{"spec":{"target":"app-staging"}}"#])

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(request.status?.releaseTarget == Fixture.target)
            let production = try await cluster.target()
            #expect(production.status?.currentImage == "shop/app:2.0.0")
            #expect(production.status?.activeRequest == nil, "the request still holds \(Fixture.target)")
            let untouched = try await cluster.target("app-staging")
            #expect(untouched.status?.currentImage == nil && untouched.status?.activeRequest == nil, "\(String(describing: untouched.status))")

            // The production target is free again: the next release runs.
            try await cluster.apply(Fixture.request("release-3", image: "shop/app:3.0.0"))
            let next = try await cluster.waitForRequest("release-3", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(next.phase == .succeeded, "\(next.status?.message ?? "")")
        }
    }
}
