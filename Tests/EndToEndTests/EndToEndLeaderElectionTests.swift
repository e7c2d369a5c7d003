import Foundation
import Kube
import SlipwayAPI
import Synchronization
import Testing

/// Two `slipway controller --leader-elect` processes against one cluster, as two replicas of
/// the controller's Deployment: one acts, the other stands by; kill -9 the leader in the middle
/// of a release and the standby takes over once the Lease expires and finishes the release,
/// with no step done twice. Short Lease timings (3 s / 2 s / 0.5 s) keep the test bounded.
@Suite("EndToEnd leader election", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndLeaderElectionTests {
    static let leaseName = "slipway-e2e-leader"
    static let leaseNamespace = "default"

    func candidate(_ identity: String, in cluster: EndToEndCluster) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["POD_NAME"] = identity
        return try cluster.launchController(
            ["--kubeconfig", cluster.kubeconfig, "--http-proxy", cluster.proxy, "--health-addr", "127.0.0.1:0", "--metrics-addr", "",
             "--leader-elect", "--lease-name", Self.leaseName, "--lease-namespace", Self.leaseNamespace,
             "--lease-duration", "3", "--renew-deadline", "2", "--retry-period", "0.5"],
            environment: environment)
    }

    @Test("two candidates: exactly one acts; kill -9 the leader mid-release and the other takes over and finishes it, switching traffic once")
    func failover() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.apply(Fixture.application())
            let holders = try await LeaseHistory.watch(cluster, namespace: Self.leaseNamespace, name: Self.leaseName)
            defer { holders.stop() }
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }

            let candidates = ["candidate-a": try candidate("candidate-a", in: cluster), "candidate-b": try candidate("candidate-b", in: cluster)]
            // Both are up (each serves its probes) before either is judged.
            for (name, process) in candidates {
                #expect(try await process.waitForOutput(containing: "health endpoint listening"), "\(name) did not start: \(process.stderr)")
            }
            let elected = try await waitUntil(timeout: .seconds(30)) {
                candidates.values.contains { $0.stdout.contains("slipway controller started") }
            }
            try #require(elected, "no candidate started leading")
            let lease = try await cluster.client.get(Lease.self, name: Self.leaseName, namespace: Self.leaseNamespace)
            let leaderName = try #require(lease.spec?.holderIdentity)
            let leader = try #require(candidates[leaderName], "the Lease names \(leaderName), not a candidate")
            let (standbyName, standby) = try #require(candidates.first { $0.key != leaderName })
            #expect(leader.stdout.contains("slipway controller started"), "the Lease holder is not the one acting")

            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let midway = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request("release-2") else { return false }
                return request.timelineActions.contains("Available") || request.phase.isTerminal
            }
            try #require(midway, "the leader did not carry the release to Available")
            #expect(try await cluster.request("release-2").phase == .progressing, "the release finished before the leader could be killed")
            // Never two acting at once: until now only the leader has run the controller.
            #expect(!standby.stdout.contains("slipway controller started"), "\(standbyName) acted while \(leaderName) led")

            leader.kill()
            #expect(try await leader.waitForExit(timeout: .seconds(10)))
            let tookOver = try await standby.waitForOutput(containing: "slipway controller started", timeout: .seconds(30))
            #expect(tookOver, "\(standbyName) did not take over: \(standby.stderr.suffix(2000))")

            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            let actions = request.timelineActions
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            #expect(EndToEndRandomCrashTests.repeated(actions).isEmpty, "steps done twice: \(actions)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
            let seen = try await waitUntil(timeout: .seconds(10)) { !selectors.changes.isEmpty && !images.changes.isEmpty }
            #expect(seen)
            #expect(selectors.changes.map { $0["slot"] ?? "" } == ["green"], "the active Service changed \(selectors.changes)")
            #expect(images.changes == [.init(deployment: "app-green", image: "shop/app:2.0.0")], "\(images.changes)")

            // The Lease went from the leader straight to the standby, once.
            #expect(holders.changes == [leaderName, standbyName], "holders over time: \(holders.changes)")
            let final = try await cluster.client.get(Lease.self, name: Self.leaseName, namespace: Self.leaseNamespace)
            #expect(final.spec?.holderIdentity == standbyName)
            #expect(final.spec?.leaseTransitions == 1, "\(String(describing: final.spec))")
            #expect(standby.isRunning)
        }
    }

    @Test("a leader frozen mid-release (SIGSTOP) loses the Lease; when it wakes it stops acting and changes nothing the new leader did")
    func frozenLeader() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.apply(Fixture.application())
            let holders = try await LeaseHistory.watch(cluster, namespace: Self.leaseNamespace, name: Self.leaseName)
            defer { holders.stop() }
            let selectors = try await SelectorHistory.watch(cluster, service: "app")
            defer { selectors.stop() }
            let images = try await ImageHistory.watch(cluster)
            defer { images.stop() }

            let first = try candidate("candidate-a", in: cluster)
            #expect(try await first.waitForOutput(containing: "slipway controller started"), "\(first.stderr)")
            let second = try candidate("candidate-b", in: cluster)
            #expect(try await second.waitForOutput(containing: "health endpoint listening"), "\(second.stderr)")

            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let midway = try await waitUntil(timeout: .seconds(60)) {
                guard let request = try? await cluster.request("release-2") else { return false }
                return request.timelineActions.contains("ScaledUp") || request.phase.isTerminal
            }
            try #require(midway)
            first.pause()
            defer { first.resume() }
            #expect(try await second.waitForOutput(containing: "slipway controller started", timeout: .seconds(30)), "\(second.stderr.suffix(2000))")
            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")

            // The old leader wakes up long after its renew deadline: it must notice and stand down.
            first.resume()
            let stoodDown = try await waitUntil(timeout: .seconds(30)) { first.stderr.contains("no longer leading") }
            #expect(stoodDown, "the woken leader did not stand down: \(first.stderr.suffix(2000))")
            // A release finished by the new leader is left as it is.
            let after = try await cluster.request("release-2")
            #expect(after.phase == .succeeded)
            #expect(EndToEndRandomCrashTests.repeated(after.timelineActions).isEmpty, "steps done twice: \(after.timelineActions)")
            #expect(selectors.changes.map { $0["slot"] ?? "" } == ["green"], "the active Service changed \(selectors.changes)")
            #expect(images.changes == [.init(deployment: "app-green", image: "shop/app:2.0.0")], "\(images.changes)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")
            #expect(holders.changes.prefix(2) == ["candidate-a", "candidate-b"], "holders over time: \(holders.changes)")
        }
    }

    @Test("SIGTERM on the leader releases the Lease: a standby takes over without waiting out the lease, and the old leader exits cleanly")
    func gracefulHandOver() async throws {
        try await EndToEndCluster.with(controller: false) { cluster in
            try await cluster.apply(Fixture.application())
            let holders = try await LeaseHistory.watch(cluster, namespace: Self.leaseNamespace, name: Self.leaseName)
            defer { holders.stop() }

            let first = try candidate("candidate-a", in: cluster)
            #expect(try await first.waitForOutput(containing: "slipway controller started"), "\(first.stderr)")
            let second = try candidate("candidate-b", in: cluster)
            #expect(try await second.waitForOutput(containing: "health endpoint listening"), "\(second.stderr)")
            #expect(!second.stdout.contains("slipway controller started"), "the second candidate acted while the first led")

            first.terminate()
            #expect(try await first.waitForExit(timeout: .seconds(30)), "the leader did not stop on SIGTERM")
            #expect(first.exitStatus == 0, "\(first.stderr.suffix(2000))")
            #expect(try await second.waitForOutput(containing: "slipway controller started", timeout: .seconds(30)))

            // The new leader releases as usual.
            try await cluster.apply(Fixture.request("release-2", image: "shop/app:2.0.0"))
            let request = try await cluster.waitForRequest("release-2", in: [.succeeded, .failed, .rolledBack, .rejected, .aborted])
            #expect(request.phase == .succeeded, "\(request.status?.message ?? "")")
            // Held by a, released (no holder), then held by b.
            #expect(holders.changes == ["candidate-a", "", "candidate-b"], "holders over time: \(holders.changes)")
        }
    }
}

/// The holder of one Lease each time it changes ("" while nobody holds it), as seen by a watch.
final class LeaseHistory: Sendable {
    private let recorded = Mutex<[String]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    var changes: [String] { recorded.withLock { $0 } }

    static func watch(_ cluster: EndToEndCluster, namespace: String, name: String) async throws -> LeaseHistory {
        let history = LeaseHistory()
        let list = try await cluster.client.list(Lease.self, namespace: namespace)
        let initial = list.items.first { $0.metadata.name == name }.map { $0.spec?.holderIdentity ?? "" }
        let options = WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 600)
        let stream = cluster.client.watch(Lease.resource, as: Lease.self, namespace: namespace, options: options)
        let task = Task {
            var last = initial
            do {
                for try await event in stream {
                    guard let object = event.object, object.metadata.name == name else { continue }
                    let holder = object.spec?.holderIdentity ?? ""
                    if holder != last {
                        history.recorded.withLock { $0.append(holder) }
                        last = holder
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
