import Foundation
import Kube
import SlipwayAPI
import Testing

/// The controller killed with SIGKILL at pseudo-random moments (a fixed seed, so a run can be
/// repeated) of several releases in a row, and started again each time: every release still
/// ends right, and no step is done twice — the request's timeline holds each step once, the
/// active Service's selector changes once per traffic move, and each image is set once.
///
/// A kill moment is "once the timeline holds k entries, plus a few milliseconds": k climbs
/// through the release, so kills land on step boundaries and in the middle of steps, during
/// gates, waits for availability and writes alike. The extra milliseconds are the fault being
/// injected, not a wait for something to happen.
@Suite("EndToEnd crash safety at random moments", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndRandomCrashTests {
    /// Replace with SLIPWAY_CRASH_SEED=<seed> to replay a failure reported with its seed.
    static let defaultSeed: UInt64 = 0x5111_0A7E_C4A5_4E11
    static let releases = 4

    @Test("kill -9 at seeded random moments of successive releases: each succeeds, traffic moves once, each image is set once")
    func randomKillsDuringReleases() async throws {
        let seed = SeededRandom.seed(from: "SLIPWAY_CRASH_SEED", default: Self.defaultSeed)
        var random = SeededRandom(seed: seed)
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }

            var live = "blue"
            var totalKills = 0
            for number in 2..<(2 + Self.releases) {
                let name = "release-\(number)", image = "shop/app:\(number).0.0"
                let selectorsBefore = selectors.changes.count, imagesBefore = images.changes.count
                try await cluster.apply(Fixture.request(name, image: image))
                totalKills += try await killAtRandomMoments(cluster, request: name, random: &random, seed: seed)

                let request = try await cluster.waitForRequest(name, in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
                let actions = request.timelineActions
                #expect(request.phase == .succeeded, "seed \(seed), \(name): \(request.status?.message ?? "")")
                #expect(Self.repeated(actions).isEmpty, "seed \(seed), \(name): steps done twice: \(Self.repeated(actions)) in \(actions)")
                #expect(actions.contains("SwitchedTraffic") && !actions.contains("SwitchingTrafficBack"), "seed \(seed), \(name): \(actions)")
                let idle = live == "blue" ? "green" : "blue"
                #expect(try await cluster.serviceSelector("app")["slot"] == idle, "seed \(seed), \(name)")
                #expect(try await cluster.target().status?.currentImage == image, "seed \(seed), \(name)")

                let seen = try await waitUntil(timeout: .seconds(10)) {
                    selectors.changes.count >= selectorsBefore + 1 && images.changes.count >= imagesBefore + 1
                }
                #expect(seen, "seed \(seed), \(name): the watches saw no switch or no image change")
                #expect(selectors.changes.dropFirst(selectorsBefore).map { $0["slot"] ?? "" } == [idle], "seed \(seed), \(name)")
                #expect(Array(images.changes.dropFirst(imagesBefore)) == [.init(deployment: "app-\(idle)", image: image)],
                        "seed \(seed), \(name): \(images.changes.dropFirst(imagesBefore))")
                live = idle
            }
            #expect(totalKills >= Self.releases * 2, "seed \(seed): only \(totalKills) kills landed before the releases finished")
        }
    }

    @Test("kill -9 at seeded random moments of releases undone after promotion: each ends RolledBack, traffic moves there and back once")
    func randomKillsDuringUndoneReleases() async throws {
        let seed = SeededRandom.seed(from: "SLIPWAY_CRASH_SEED", default: Self.defaultSeed) &+ 1
        var random = SeededRandom(seed: seed)
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(liveBodyContains: "text-the-app-never-sends"))
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }

            var totalKills = 0
            for number in 2..<(2 + Self.releases) {
                let name = "release-\(number)", image = "shop/app:\(number).0.0"
                let selectorsBefore = selectors.changes.count, imagesBefore = images.changes.count
                try await cluster.apply(Fixture.request(name, image: image))
                totalKills += try await killAtRandomMoments(cluster, request: name, random: &random, seed: seed)

                let request = try await cluster.waitForRequest(name, in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
                let actions = request.timelineActions
                #expect(request.phase == .rolledBack, "seed \(seed), \(name): \(request.status?.message ?? "")")
                #expect(Self.repeated(actions).isEmpty, "seed \(seed), \(name): steps done twice: \(Self.repeated(actions)) in \(actions)")
                #expect(actions.contains("SwitchedTraffic") && actions.contains("SwitchedTrafficBack"), "seed \(seed), \(name): \(actions)")
                #expect(try await cluster.serviceSelector("app")["slot"] == "blue", "seed \(seed), \(name)")
                let target = try await cluster.target()
                #expect(target.status?.currentImage == Fixture.firstImage, "seed \(seed), \(name)")
                #expect(target.status?.activeSlot == .blue, "seed \(seed), \(name)")

                // Traffic went to green and came back; green got the image and then had the previous one restored.
                let seen = try await waitUntil(timeout: .seconds(20)) {
                    selectors.changes.count >= selectorsBefore + 2 && images.changes.count >= imagesBefore + 2
                }
                #expect(seen, "seed \(seed), \(name): the watches did not see the switch back or the restored image")
                #expect(selectors.changes.dropFirst(selectorsBefore).map { $0["slot"] ?? "" } == ["green", "blue"], "seed \(seed), \(name)")
                #expect(Array(images.changes.dropFirst(imagesBefore))
                            == [.init(deployment: "app-green", image: image), .init(deployment: "app-green", image: Fixture.firstImage)],
                        "seed \(seed), \(name): \(images.changes.dropFirst(imagesBefore))")
            }
            #expect(totalKills >= Self.releases * 2, "seed \(seed): only \(totalKills) kills landed before the releases finished")
        }
    }

    /// Kills and restarts the controller three to six times while `request` runs; returns how
    /// many kills landed before the request finished.
    private func killAtRandomMoments(_ cluster: EndToEndCluster, request name: String, random: inout SeededRandom,
                                     seed: UInt64) async throws -> Int {
        let planned = Int.random(in: 3...6, using: &random)
        var entries = 0
        var kills = 0
        for _ in 0..<planned {
            entries += Int.random(in: 0...4, using: &random)
            let jitter = Duration.milliseconds(Int.random(in: 0...400, using: &random))
            let threshold = entries
            var finished = false
            let reached = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request(name) else { return false }
                finished = request.phase.isTerminal
                return finished || request.timelineActions.count >= threshold
            }
            try #require(reached, "seed \(seed), \(name): the timeline never reached \(threshold) entries")
            if finished { break }
            try await Task.sleep(for: jitter)
            try await cluster.killController()
            kills += 1
            try await cluster.startController()
        }
        return kills
    }

    /// The timeline actions that appear more than once.
    static func repeated(_ actions: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for action in actions { counts[action, default: 0] += 1 }
        return counts.filter { $0.value > 1 }.keys.sorted()
    }
}
