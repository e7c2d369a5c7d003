import Foundation
import Kube
import SlipwayAPI
import Testing

/// kill -9 right after the step boundaries that `EndToEndCrashTests` does not stop at, so that
/// together they stop at every boundary a poll can catch, of a release and of a release undone
/// after promotion. One cluster per path runs one release per boundary, each killed once after
/// its boundary and restarted, and each checked for steps done twice.
///
/// Not here, because no poll can land between them: ScaledDownPrevious, Completed and Finished
/// are written back to back in one reconcile, as are ScaledDownRelease, RestoredImage and
/// Finished; ScaledUpPrevious happens only when the old slot has gone cold, which the warm
/// period prevents. The in-memory `RolloutCrashSafetyTests` stop at each of those exactly.
@Suite("EndToEnd crash safety at the remaining step boundaries", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndStepBoundaryTests {
    /// Boundaries of a good release not covered by `EndToEndCrashTests` (ImageSet, PreviewPointed,
    /// Available, PrePromotionGatesPassed, SwitchingTraffic, SwitchedTraffic and
    /// PostPromotionGatesPassed are).
    static let forward = ["Started", "ScaledUp"]
    /// Boundaries of an undone release not covered there (RollbackStarted, SwitchingTrafficBack
    /// and ScaledDownRelease are).
    static let undone = ["SwitchedTraffic", "SwitchedTrafficBack"]

    @Test("a release killed after each remaining boundary still succeeds, switching traffic once and setting the image once")
    func forwardBoundaries() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }
            var live = "blue"
            var kills = 0
            for (index, step) in Self.forward.enumerated() {
                let name = "release-\(index + 2)", image = "shop/app:\(index + 2).0.0"
                let selectorsBefore = selectors.changes.count, imagesBefore = images.changes.count
                try await cluster.apply(Fixture.request(name, image: image))
                if try await killAfter(step, of: name, in: cluster) { kills += 1 }

                let request = try await cluster.waitForRequest(name, in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
                let actions = request.timelineActions
                let idle = live == "blue" ? "green" : "blue"
                #expect(request.phase == .succeeded, "killed after \(step): \(request.status?.message ?? "")")
                #expect(EndToEndRandomCrashTests.repeated(actions).isEmpty, "killed after \(step): steps done twice in \(actions)")
                #expect(try await cluster.serviceSelector("app")["slot"] == idle, "killed after \(step)")
                let seen = try await waitUntil(timeout: .seconds(10)) {
                    selectors.changes.count > selectorsBefore && images.changes.count > imagesBefore
                }
                #expect(seen, "killed after \(step): no switch or no image change seen")
                #expect(selectors.changes.dropFirst(selectorsBefore).map { $0["slot"] ?? "" } == [idle], "killed after \(step)")
                #expect(Array(images.changes.dropFirst(imagesBefore)) == [.init(deployment: "app-\(idle)", image: image)],
                        "killed after \(step): \(images.changes.dropFirst(imagesBefore))")
                live = idle
            }
            #expect(kills == Self.forward.count, "only \(kills) kills landed before the releases finished")
        }
    }

    @Test("a release undone after promotion and killed after each remaining boundary ends RolledBack, traffic moved there and back once")
    func undoneBoundaries() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(liveBodyContains: "text-the-app-never-sends"))
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }
            var kills = 0
            for (index, step) in Self.undone.enumerated() {
                let name = "release-\(index + 2)", image = "shop/app:\(index + 2).0.0"
                let selectorsBefore = selectors.changes.count, imagesBefore = images.changes.count
                try await cluster.apply(Fixture.request(name, image: image))
                if try await killAfter(step, of: name, in: cluster) { kills += 1 }

                let request = try await cluster.waitForRequest(name, in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
                let actions = request.timelineActions
                #expect(request.phase == .rolledBack, "killed after \(step): \(request.status?.message ?? "")")
                #expect(EndToEndRandomCrashTests.repeated(actions).isEmpty, "killed after \(step): steps done twice in \(actions)")
                #expect(try await cluster.serviceSelector("app")["slot"] == "blue", "killed after \(step)")
                #expect(try await cluster.target().status?.currentImage == Fixture.firstImage, "killed after \(step)")
                let seen = try await waitUntil(timeout: .seconds(20)) {
                    selectors.changes.count >= selectorsBefore + 2 && images.changes.count >= imagesBefore + 2
                }
                #expect(seen, "killed after \(step): the switch back or the restored image was not seen")
                #expect(selectors.changes.dropFirst(selectorsBefore).map { $0["slot"] ?? "" } == ["green", "blue"], "killed after \(step)")
                #expect(Array(images.changes.dropFirst(imagesBefore))
                            == [.init(deployment: "app-green", image: image), .init(deployment: "app-green", image: Fixture.firstImage)],
                        "killed after \(step): \(images.changes.dropFirst(imagesBefore))")
            }
            #expect(kills >= 1, "no kill landed before the undone releases finished")
        }
    }

    /// Kills the controller as soon as the request's timeline holds `step` (unless the request
    /// finished first, or never passes that step), then starts it again.
    @discardableResult
    private func killAfter(_ step: String, of name: String, in cluster: EndToEndCluster) async throws -> Bool {
        var finished = false
        let reached = try await waitUntil(timeout: .seconds(60)) {
            guard let request = try? await cluster.request(name) else { return false }
            finished = request.phase.isTerminal
            return finished || request.timelineActions.contains(step)
        }
        try #require(reached, "\(name) never reached \(step)")
        guard !finished else { return false }
        try await cluster.killController()
        try await cluster.startController()
        return true
    }
}
