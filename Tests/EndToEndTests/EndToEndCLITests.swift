import Foundation
import JSON
import Kube
import SlipwayAPI
import Testing
import YAML

/// `slipway request ...` against a `slipway cluster` and `slipway controller`, each process of
/// its own, as a CI pipeline or an operator runs it. The exit codes checked here are the ones
/// `slipway request --help` documents: 0 Succeeded, 2 Failed, 3 RolledBack, 4 Aborted,
/// 5 Rejected, 6 timed out.
@Suite("EndToEnd request CLI", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil))
struct EndToEndCLITests {
    @Test("create --wait exits 0 on success, 2 when a gate fails before traffic, 3 after a rollback, 5 when rejected")
    func exitCodes() async throws {
        try await EndToEndCluster.with { cluster in
            let cli = CLIRunner(cluster: cluster)
            try await cluster.apply(Fixture.application())

            let good = try await cli.request(["create", Fixture.target, "--image", "shop/app:2.0.0", "--commit", "abcdef1", "--wait"])
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            let goodName = try #require(CLIRunner.createdName(good.stdout), "\(good.stdout)")
            #expect(goodName.hasPrefix("\(Fixture.target)-"))
            #expect(good.stdout.contains("\(goodName) Succeeded 100%"), "\(good.stdout)")
            #expect(!good.stdout.contains("\u{1B}["), "escape codes in output that is not a terminal")
            let created = try await cluster.request(goodName)
            #expect(created.phase == .succeeded)
            #expect(created.requestedBy == "ci")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")

            let unhealthy = try await cli.request(["create", Fixture.target, "--image", "shop/app:2.1.0-unhealthy", "--wait"])
            #expect(unhealthy.status == 2, "\(unhealthy.stdout)\(unhealthy.stderr)")
            #expect(unhealthy.stderr.contains("ended Failed"), "\(unhealthy.stderr)")

            // The live gate now expects a text the app never sends: the switch happens, then is undone.
            try await cluster.patchTarget(#"[{"op":"add","path":"/spec/gates/1/http/bodyContains","value":"text-the-app-never-sends"}]"#)
            let undone = try await cli.request(["create", Fixture.target, "--image", "shop/app:3.0.0", "--wait"])
            #expect(undone.status == 3, "\(undone.stdout)\(undone.stderr)")
            let afterRollback = try await cluster.target().status
            #expect(afterRollback?.currentImage == "shop/app:2.0.0", "\(String(describing: afterRollback))")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")

            try await cluster.freezeTarget()
            let frozen = try await cli.request(["create", Fixture.target, "--image", "shop/app:4.0.0", "--wait"])
            #expect(frozen.status == 5, "\(frozen.stdout)\(frozen.stderr)")
            #expect(frozen.stderr.contains("ended Rejected"), "\(frozen.stderr)")
        }
    }

    @Test("bad input is refused before anything is sent, saying what to do")
    func refusedInput() async throws {
        try await EndToEndCluster.with { cluster in
            let cli = CLIRunner(cluster: cluster)
            try await cluster.apply(Fixture.application())

            let unpinned = try await cli.request(["create", Fixture.target, "--image", "shop/app"])
            #expect(unpinned.status == 1)
            #expect(unpinned.stderr.contains("--image") && unpinned.stderr.contains("no tag or digest"), "\(unpinned.stderr)")
            let otherRepository = try await cli.request(["create", Fixture.target, "--image", "shop/other:1.0.0"])
            #expect(otherRepository.status == 1)
            #expect(otherRepository.stderr.contains("not in the target's repository shop/app"), "\(otherRepository.stderr)")
            let missing = try await cli.request(["create", "app-nowhere", "--image", "shop/app:2.0.0"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("DeploymentTarget \"app-nowhere\" not found"), "\(missing.stderr)")
            let noPrevious = try await cli.request(["rollback", Fixture.target])
            #expect(noPrevious.status == 1)
            #expect(noPrevious.stderr.contains("no previous release"), "\(noPrevious.stderr)")
            let badTimeout = try await cli.request(["create", Fixture.target, "--image", "shop/app:2.0.0", "--wait", "--timeout", "soon"])
            #expect(badTimeout.status == 64, "\(badTimeout.stderr)")
            let list = try await cluster.client.list(DeploymentRequest.self, namespace: Fixture.namespace)
            #expect(list.items.isEmpty, "a refused command created \(list.items.compactMap(\.metadata.name))")
        }
    }

    @Test("approval: --wait times out with 6, approve by another user releases it; abort ends a request Aborted with 4")
    func approveAndAbort() async throws {
        try await EndToEndCluster.with { cluster in
            var alice = CLIRunner(cluster: cluster)
            alice.user = "alice"
            var bob = CLIRunner(cluster: cluster)
            bob.user = "bob"
            try await cluster.apply(Fixture.application(approvalRequired: true))

            let waiting = try await alice.request(["create", Fixture.target, "--image", "shop/app:2.0.0", "--wait", "--timeout", "2s"])
            #expect(waiting.status == 6, "\(waiting.stdout)\(waiting.stderr)")
            #expect(waiting.stderr.contains("timed out") && waiting.stderr.contains("AwaitingApproval"), "\(waiting.stderr)")
            let name = try #require(CLIRunner.createdName(waiting.stdout))

            let own = try await alice.request(["approve", name])
            #expect(own.status == 0, "\(own.stderr)")
            let approved = try await bob.request(["approve", name])
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(try await cluster.request(name).metadata.annotations?[SlipwayAnnotation.approvedBy] == "alice,bob")
            let twice = try await bob.request(["approve", name])
            #expect(twice.status == 1)
            #expect(twice.stderr.contains("bob has already approved"), "\(twice.stderr)")

            let watched = try await alice.request(["watch", name, "--timeout", "60s"])
            #expect(watched.status == 0, "\(watched.stdout)\(watched.stderr)")
            let done = try await cluster.request(name)
            #expect(done.phase == .succeeded)
            #expect(done.status?.approvals?.map(\.by) == ["bob"], "the requester's own approval counted")

            let second = try await alice.request(["create", Fixture.target, "--image", "shop/app:3.0.0"])
            let secondName = try #require(CLIRunner.createdName(second.stdout), "\(second.stdout)\(second.stderr)")
            try await cluster.waitForRequest(secondName, in: [.awaitingApproval])
            let abort = try await bob.request(["abort", secondName, "--reason", "wrong build"])
            #expect(abort.status == 0, "\(abort.stderr)")
            #expect(try await cluster.request(secondName).metadata.annotations?[SlipwayAnnotation.abort] == "wrong build")
            let aborted = try await alice.request(["watch", secondName, "--timeout", "60s"])
            #expect(aborted.status == 4, "\(aborted.stdout)\(aborted.stderr)")
            #expect(try await cluster.target().status?.currentImage == "shop/app:2.0.0")
        }
    }

    @Test("promote lets a paused blue/green switch go ahead; rollback --wait returns to the previous release")
    func promoteAndRollback() async throws {
        try await EndToEndCluster.with { cluster in
            let cli = CLIRunner(cluster: cluster)
            try await cluster.apply(Fixture.manualPromotionApplication())

            let early = try await cli.request(["create", Fixture.target, "--image", "shop/app:2.0.0"])
            let name = try #require(CLIRunner.createdName(early.stdout), "\(early.stdout)\(early.stderr)")
            let tooEarly = try await cli.request(["promote", name])
            if tooEarly.status != 0 {
                #expect(tooEarly.stderr.contains("not Paused"), "\(tooEarly.stderr)")
            }
            try await cluster.waitForRequest(name, in: [.paused])
            #expect(try await cluster.serviceSelector("app")["slot"] == "blue")
            let promoted = try await cli.request(["promote", name])
            #expect(promoted.status == 0, "\(promoted.stderr)")
            // The controller takes the annotation away as it acts on it (one promotion passes one pause).
            let watched = try await cli.request(["watch", name, "--timeout", "60s"])
            #expect(watched.status == 0, "\(watched.stdout)\(watched.stderr)")
            #expect(try await cluster.serviceSelector("app")["slot"] == "green")

            try await cluster.patchTarget(#"[{"op":"replace","path":"/spec/strategy/blueGreen/autoPromote","value":true}]"#)
            let rollback = try await cli.request(["rollback", Fixture.target, "--reason", "back to 1.0.0", "--wait", "--timeout", "60s"])
            #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
            let rollbackName = try #require(CLIRunner.createdName(rollback.stdout))
            #expect(rollbackName.hasPrefix("\(Fixture.target)-rollback-"))
            #expect(try await cluster.target().status?.currentImage == Fixture.firstImage)

            let history = try await cli.request(["history", Fixture.target])
            #expect(history.status == 0, "\(history.stderr)")
            #expect(history.stdout.contains("live \(Fixture.firstImage)"), "\(history.stdout)")
            let rows = history.stdout.split(separator: "\n").drop { !$0.hasPrefix("NAME") }.dropFirst()
            #expect(rows.map { $0.split(separator: " ").first.map(String.init) ?? "" } == [name, rollbackName], "\(history.stdout)")
        }
    }

    @Test("get and list print kubectl-style tables, -o json and -o yaml parse, and `kubectl slipway list` works as a plugin")
    func outputAndPlugin() async throws {
        try await EndToEndCluster.with { cluster in
            let cli = CLIRunner(cluster: cluster)
            try await cluster.apply(Fixture.application())
            let created = try await cli.request(["create", Fixture.target, "--image", "shop/app:2.0.0", "--reason", "a fix", "--wait"])
            let name = try #require(CLIRunner.createdName(created.stdout), "\(created.stdout)\(created.stderr)")

            let json = try await cli.request(["get", name, "-o", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try JSONValue(parsing: json.stdout)
            #expect(object["kind"]?.stringValue == "DeploymentRequest")
            #expect(object[path: "spec", "reason"]?.stringValue == "a fix")
            #expect(object[path: "status", "phase"]?.stringValue == "Succeeded")

            let yaml = try await cli.request(["list", "-o", "yaml", "--target", Fixture.target])
            #expect(yaml.status == 0, "\(yaml.stderr)")
            let list = try YAML.parse(yaml.stdout)
            #expect(list["kind"]?.stringValue == "List")
            #expect(list["items"]?.arrayValue?.compactMap { $0[path: "metadata", "name"]?.stringValue } == [name])

            let table = try await cli.request(["get", name])
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("NAME") == true && lines.count == 2, "\(table.stdout)")
            #expect(lines.last?.contains("Succeeded") == true)
            let wide = try await cli.request(["list", "-o", "wide"])
            #expect(wide.stdout.contains("REQUESTED-BY") && wide.stdout.contains(" ci "), "\(wide.stdout)")
            let badFormat = try await cli.request(["list", "-o", "xml"])
            #expect(badFormat.status == 64 && badFormat.stderr.contains("yaml, json or wide"), "\(badFormat.stderr)")

            // kubectl finds plugins as executables named kubectl-NAME on PATH.
            guard let kubectl = EndToEndCluster.kubectlPath, let binary = EndToEndCluster.binary else { return }
            let plugins = cluster.directory.appendingPathComponent("plugins", isDirectory: true)
            try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: plugins.appendingPathComponent("kubectl-slipway").path, withDestinationPath: binary)
            let path = plugins.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let plugin = try await runProgram(kubectl, ["slipway", "list", "-n", Fixture.namespace],
                                              environment: ["PATH": path, "KUBECONFIG": cluster.kubeconfig])
            #expect(plugin.status == 0, "\(plugin.stderr)")
            #expect(plugin.stdout.contains(name) && plugin.stdout.contains("Succeeded"), "\(plugin.stdout)")
        }
    }
}
