import Crypto
import FakeTelegramAPI
import Foundation
import Kube
import Registry
import RegistryProcess
import SlipwayAPI
import Testing

/// Releases whose target has an imagePolicy, against a real registry and a `slipway controller` process.
@Suite("EndToEnd image policy", .enabled(if: EndToEndCluster.binary != nil && EndToEndCluster.kubectlPath != nil && RegistryServer.binary != nil))
struct EndToEndImagePolicyTests {
    static let terminal: Set<Phase> = [.succeeded, .failed, .rolledBack, .rejected, .aborted]

    /// Nothing was touched: the idle slot is still idle on the first image and traffic stays on blue.
    static func expectUntouched(_ cluster: EndToEndCluster, firstImage: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await cluster.serviceSelector("app")["slot"] == "blue", sourceLocation: sourceLocation)
        let green = try await cluster.deployment("app-green")
        #expect(green.spec?.replicas == 0, sourceLocation: sourceLocation)
        #expect(green.spec?.template.spec?.containers.first?.image == firstImage, sourceLocation: sourceLocation)
        #expect(try await cluster.deployment("app-blue").spec?.template.spec?.containers.first?.image == firstImage, sourceLocation: sourceLocation)
    }

    @Test("an image that was never pushed is Rejected at once, naming the image and the registry's answer, with nothing touched")
    func missingTag() async throws {
        try await RegistryFixture.with { registry in
            try await EndToEndCluster.with { cluster in
                try await cluster.apply(registry.application())
                try await cluster.apply(Fixture.request("release-missing", image: registry.image("9.9.9")))
                let request = try await cluster.waitForRequest("release-missing", in: Self.terminal)
                #expect(request.phase == .rejected, "\(request.status?.message ?? "")")
                let message = request.status?.message ?? ""
                #expect(message.contains(registry.image("9.9.9")), "\(message)")
                #expect(message.contains("MANIFEST_UNKNOWN"), "\(message)")
                #expect(message.contains("nothing was changed"), "\(message)")
                #expect(request.timelineActions.isEmpty, "\(request.timelineActions)")
                #expect(request.status?.condition("ImageVerified")?.status == "False")
                try await Self.expectUntouched(cluster, firstImage: registry.firstImage)
                #expect(try await cluster.target().status?.activeRequest == nil)
                if let created = request.metadata.creationTimestamp.flatMap(RFC3339.date(from:)),
                   let finished = request.status?.finishedAt.flatMap(RFC3339.date(from:)) {
                    print("image-policy: missing tag Rejected \(finished.timeIntervalSince(created)) s after creation")
                }
            }
        }
    }

    @Test("with pinDigest the workload runs the digest; a tag re-pushed later does not change what a rollback restores")
    func pinnedDigestAndRollback() async throws {
        try await RegistryFixture.with { registry in
            try await EndToEndCluster.with { cluster in
                try await cluster.apply(registry.application())
                let second = try await registry.push("2.0.0")
                try await cluster.apply(Fixture.request("release-2", image: registry.image("2.0.0")))
                let release = try await cluster.waitForRequest("release-2", in: Self.terminal, timeout: .seconds(90))
                try #require(release.phase == .succeeded, "\(release.status?.message ?? "")")
                let pinnedSecond = "\(registry.repository)@\(second.rawValue)"
                #expect(try await cluster.deployment("app-green").spec?.template.spec?.containers.first?.image == pinnedSecond)
                #expect(release.status?.releaseImage == pinnedSecond)
                #expect(release.status?.releaseDigest == second.rawValue)
                #expect(release.status?.requestedImage == registry.image("2.0.0"))
                let started = release.status?.timeline?.first { $0.action == "Started" }?.detail ?? ""
                #expect(started.contains(registry.image("2.0.0")) && started.contains(second.short), "\(started)")
                #expect(try await cluster.target().status?.currentImage == pinnedSecond)

                let third = try await registry.push("3.0.0")
                try await cluster.apply(Fixture.request("release-3", image: registry.image("3.0.0")))
                let next = try await cluster.waitForRequest("release-3", in: Self.terminal, timeout: .seconds(90))
                try #require(next.phase == .succeeded, "\(next.status?.message ?? "")")
                #expect(try await cluster.target().status?.previousImage == pinnedSecond)

                // CI pushes 2.0.0 again with other content: the tag moves, the release does not.
                let repushed = try await registry.push("2.0.0", content: "app 2.0.0 rebuilt")
                #expect(repushed != second)
                try await cluster.apply(Fixture.request("undo-3", action: "rollback", commit: nil))
                let undo = try await cluster.waitForRequest("undo-3", in: Self.terminal, timeout: .seconds(90))
                #expect(undo.phase == .succeeded, "\(undo.status?.message ?? "")")
                let target = try await cluster.target()
                #expect(target.status?.currentImage == pinnedSecond)
                let live = try #require(try await cluster.serviceSelector("app")["slot"])
                #expect(try await cluster.deployment("app-\(live)").spec?.template.spec?.containers.first?.image == pinnedSecond)
                #expect(undo.status?.releaseDigest == second.rawValue)
                #expect(third != second)
            }
        }
    }

    @Test("with signature keys, unsigned and wrongly signed images are Rejected with the reason; a signed one is released")
    func signatures() async throws {
        let key = P256.Signing.PrivateKey()
        let otherKey = P256.Signing.PrivateKey()
        try await RegistryFixture.with { registry in
            try await EndToEndCluster.with { cluster in
                try await cluster.apply(registry.application(publicKeys: [key.publicKey.pemRepresentation]))

                try await registry.push("2.0.0-unsigned")
                try await cluster.apply(Fixture.request("release-unsigned", image: registry.image("2.0.0-unsigned")))
                let unsigned = try await cluster.waitForRequest("release-unsigned", in: Self.terminal)
                #expect(unsigned.phase == .rejected)
                #expect(unsigned.status?.message?.contains("is not signed") == true, "\(unsigned.status?.message ?? "")")

                let foreign = try await registry.push("2.0.0-foreign")
                try await registry.publisher.sign(registry.reference("2.0.0-foreign"), digest: foreign, key: otherKey)
                try await cluster.apply(Fixture.request("release-foreign", image: registry.image("2.0.0-foreign")))
                let byOther = try await cluster.waitForRequest("release-foreign", in: Self.terminal)
                #expect(byOther.phase == .rejected)
                #expect(byOther.status?.message?.contains("does not verify with any configured key") == true, "\(byOther.status?.message ?? "")")
                try await Self.expectUntouched(cluster, firstImage: registry.firstImage)

                let signed = try await registry.push("2.0.0")
                try await registry.publisher.sign(registry.reference("2.0.0"), digest: signed, key: key)
                try await cluster.apply(Fixture.request("release-signed", image: registry.image("2.0.0")))
                let good = try await cluster.waitForRequest("release-signed", in: Self.terminal, timeout: .seconds(90))
                #expect(good.phase == .succeeded, "\(good.status?.message ?? "")")
                #expect(good.status?.condition("ImageVerified")?.reason == "Verified")
            }
        }
    }

    @Test("a registry that cannot be reached is retried and reported in status, and the request fails at the progress deadline with nothing touched")
    func registryDown() async throws {
        try await RegistryFixture.with { registry in
            try await EndToEndCluster.with { cluster in
                try await cluster.apply(registry.application(progressDeadlineSeconds: 8))
                try await registry.push("2.0.0")
                await registry.server.halt()
                try await cluster.apply(Fixture.request("release-down", image: registry.image("2.0.0")))

                var reported: DeploymentRequest?
                let waiting = try await waitUntil(timeout: .seconds(30)) {
                    let request = try await cluster.request("release-down")
                    if request.status?.condition("ImageVerified")?.reason == "RegistryUnavailable", !request.phase.isTerminal {
                        reported = request
                        return true
                    }
                    return request.phase.isTerminal
                }
                #expect(waiting)
                let message = reported?.status?.message ?? ""
                #expect(message.contains("waiting for the registry") && message.contains("cannot be reached"), "\(message)")

                let failed = try await cluster.waitForRequest("release-down", in: Self.terminal)
                #expect(failed.phase == .failed, "\(failed.status?.message ?? "")")
                #expect(failed.status?.message?.contains("progressDeadlineSeconds") == true, "\(failed.status?.message ?? "")")
                #expect(failed.timelineActions.isEmpty)
                try await Self.expectUntouched(cluster, firstImage: registry.firstImage)
            }
        }
    }

    @Test("the bot checks a deploy's image in the registry before asking to confirm: a commit CI has not pushed is refused, a pushed one shows its digest")
    func botChecksImage() async throws {
        try await RegistryFixture.with { registry in
            try await BotEndToEnd.with { bot in
                try await bot.cluster.apply(registry.application())
                try await bot.say("/deploy production 1234567", as: BotFixture.admin)
                let refusal = try await bot.message(in: BotFixture.admin.id, containing: "is not in the registry yet")
                #expect(refusal.text.contains(registry.image("1234567")), "\(refusal.text)")
                #expect(refusal.text.contains("is CI still building it?"), "\(refusal.text)")
                #expect(refusal.buttons.isEmpty)

                let digest = try await registry.push("abcdef1")
                try await bot.say("/deploy production abcdef1", as: BotFixture.admin)
                let question = try await bot.message(in: BotFixture.admin.id, containing: "Deploy abcdef1 to production?")
                #expect(question.text.contains(digest.short), "\(question.text)")
                try await bot.waitUntilHandled()
                #expect(try await bot.requests().isEmpty, "a request was created before anyone confirmed")
            }
        }
    }
}
