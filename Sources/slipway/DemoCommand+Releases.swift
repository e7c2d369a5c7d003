import Foundation
import Kube
import SlipwayAPI
import SlipwayCLI

/// The demo's three releases: created as `slipway request create` creates them, followed with
/// the same progress display, and judged against what each should show.
struct DemoReleases {
    let client: KubeClient
    let scenario: DemoScenario
    let style: TerminalStyle

    func run(timeout: Duration?) async throws -> [DemoOutcome] {
        let releases = scenario.releases
        let namespace = DemoScenario.namespace
        var names: [String] = []
        // The broken release goes to the same target as the first: it is created once the
        // first holds the target, so that it visibly queues behind it and runs second.
        for (index, release) in releases.enumerated() {
            if index > 0, let first = names.first, releases[index].target == releases[0].target {
                try await waitUntilStarted(first, namespace: namespace)
            }
            names.append(try await create(release, namespace: namespace))
        }
        Terminal.line("")
        let follower = RequestFollower(client: client, namespace: namespace, style: style, live: Terminal.isTerminal)
        let result = try await follower.follow(names, timeout: timeout)
        return zip(releases, names).map { release, name in
            let request = result.requests[name]
            let phase = request.flatMap { $0.phase.isTerminal ? $0.phase : nil }
            return DemoOutcome(release: release, requestName: name, phase: phase, message: request?.status?.message,
                               seconds: request.flatMap(Self.seconds))
        }
    }

    private func create(_ release: DemoScenario.Release, namespace: String) async throws -> String {
        let request: DeploymentRequest
        do {
            request = try RequestDraft.make(target: release.target, action: .deploy, image: release.image, commit: release.commit,
                                            reason: release.reason, namespace: namespace, requestedBy: "demo",
                                            entropy: .random(in: .min ... .max))
        } catch {
            throw CommandFailure("the demo's \(release.title) is invalid: \(error)")
        }
        do {
            let created = try await client.create(request, namespace: namespace)
            let name = created.metadata.name ?? ""
            Terminal.line("→ \(release.title): \(release.target) \(release.image) as request \(name)")
            return name
        } catch {
            throw CommandFailure("cannot create the demo's \(release.title): \(error)")
        }
    }

    /// Waits until the request holds its target (or has ended), at most 60 s.
    private func waitUntilStarted(_ name: String, namespace: String) async throws {
        let started = await DemoSetup.poll(timeout: .seconds(60)) {
            guard let request = try? await client.get(DeploymentRequest.self, name: name, namespace: namespace) else { return false }
            return request.phase.holdsTarget || request.phase.isTerminal
        }
        if !started { throw CommandFailure("request \(name) did not start within 60 s") }
    }

    /// How long the release took: from its start (or creation) to its end.
    static func seconds(_ request: DeploymentRequest) -> Double? {
        guard let end = request.status?.finishedAt.flatMap(Age.parse) else { return nil }
        let start = (request.status?.startedAt ?? request.metadata.creationTimestamp).flatMap(Age.parse)
        return start.map { end.timeIntervalSince($0) }
    }
}
