import Foundation
import Kube
import SlipwayAPI
import Synchronization
import Testing

/// The controller killed with SIGKILL in the middle of a release and started again: the
/// release still ends right, and traffic moves exactly once.
@Suite("EndToEnd crash safety", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndCrashTests {
    /// Where in a release the controller is killed, in the order a release passes them.
    enum Moment: CustomStringConvertible {
        case phase(Phase)
        case step(String)

        var description: String {
            switch self {
            case .phase(let phase): "phase \(phase.rawValue)"
            case .step(let step): "timeline step \(step)"
            }
        }

        func reached(by request: DeploymentRequest) -> Bool {
            switch self {
            case .phase(let phase): request.phase == phase || request.phase.isTerminal
            case .step(let step): request.timelineActions.contains(step) || request.phase.isTerminal
            }
        }
    }

    @Test("kill -9 at several moments of a blue/green release: it ends Succeeded with the Service switched once")
    func killedDuringRelease() async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application())
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }

            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let moments: [Moment] = [.phase(.progressing), .step("Available"), .step("PrePromotionGatesPassed"),
                                     .step("SwitchingTraffic"), .step("SwitchedTraffic")]
            var kills = 0
            for moment in moments {
                let reached = try await waitUntil(timeout: .seconds(60)) {
                    guard let request = try? await cluster.request("release-2") else { return false }
                    return moment.reached(by: request)
                }
                try #require(reached, "the release never reached \(moment)")
                if try await cluster.request("release-2").phase.isTerminal { break }
                try await cluster.killController()
                kills += 1
                try await cluster.startController()
            }
            #expect(kills >= 2, "the release finished before the controller could be killed twice")

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(request.timelineActions.filter { $0 == "SwitchedTraffic" }.count == 1, "\(request.timelineActions)")
            #expect(!request.timelineActions.contains("SwitchingTrafficBack"), "\(request.timelineActions)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
            // Every change of the active Service's selector, as a watch saw it.
            let changed = try await waitUntil(timeout: .seconds(10)) { selectors.changes.count >= 1 }
            #expect(changed)
            #expect(selectors.changes.map { $0["slot"] ?? "" } == ["green"])
        }
    }

    /// One kill: the step after which the controller dies, and how the release must end.
    struct StepKill: Sendable, CustomTestStringConvertible {
        var step: String
        /// The post-promotion gate fails, so the release is undone after the switch.
        var undone: Bool

        var testDescription: String { "\(undone ? "undone release" : "release"), killed after \(step)" }
    }

    static let stepKills: [StepKill] = [
        StepKill(step: "ImageSet", undone: false), StepKill(step: "PreviewPointed", undone: false),
        StepKill(step: "SwitchingTraffic", undone: false), StepKill(step: "PostPromotionGatesPassed", undone: false),
        StepKill(step: "RollbackStarted", undone: true), StepKill(step: "SwitchingTrafficBack", undone: true),
        StepKill(step: "ScaledDownRelease", undone: true),
    ]

    @Test("kill -9 right after a step boundary: the release ends right and traffic moves once each way", arguments: stepKills)
    func killedAfterStep(_ kill: StepKill) async throws {
        try await EndToEndCluster.with { cluster in
            try await cluster.apply(Fixture.application(liveBodyContains: kill.undone ? "text-the-app-never-sends" : nil))
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))

            let reached = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request("release-2") else { return false }
                return request.timelineActions.contains(kill.step) || request.phase.isTerminal
            }
            try #require(reached, "the release never reached \(kill.step)")
            try await cluster.killController()
            try await cluster.startController()

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            let actions = request.timelineActions
            #expect(actions.filter { $0 == "SwitchedTraffic" }.count == 1, "\(actions)")
            let expectedSlots: [String]
            if kill.undone {
                #expect(request.phase == .rolledBack, "\(request.status?.message ?? "")")
                #expect(actions.filter { $0 == "SwitchedTrafficBack" }.count == 1, "\(actions)")
                #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
                #expect(try await cluster.target().status?.currentImage == Fixture.firstImage)
                expectedSlots = ["green", "blue"]
            } else {
                #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
                #expect(!actions.contains("SwitchedTrafficBack"), "\(actions)")
                #expect(try await cluster.serviceSelector("app")["slot"] == "green")
                #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
                expectedSlots = ["green"]
            }
            let seen = try await waitUntil(timeout: .seconds(10)) { selectors.changes.count >= expectedSlots.count }
            #expect(seen)
            #expect(selectors.changes.map { $0["slot"] ?? "" } == expectedSlots)
        }
    }
}

/// The selector of one Service each time it changes, as seen by a watch.
final class SelectorHistory: Sendable {
    private let recorded = Mutex<[[String: String]]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    var changes: [[String: String]] { recorded.withLock { $0 } }

    static func watch(_ cluster: EndToEndCluster, service name: String) async throws -> SelectorHistory {
        let history = SelectorHistory()
        let service = try await cluster.client.get(Service.self, name: name, namespace: Fixture.namespace)
        let initial = service.spec?.selector ?? [:]
        let options = WatchOptions(resourceVersion: service.metadata.resourceVersion, timeoutSeconds: 600)
        let stream = cluster.client.watch(Service.resource, as: Service.self, namespace: Fixture.namespace, options: options)
        let task = Task {
            var last = initial
            do {
                for try await event in stream {
                    guard let object = event.object, object.metadata.name == name else { continue }
                    let selector = object.spec?.selector ?? [:]
                    if selector != last {
                        history.recorded.withLock { $0.append(selector) }
                        last = selector
                    }
                }
            } catch {
                return
            }
        }
        history.task.withLock { $0 = task }
        return history
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
