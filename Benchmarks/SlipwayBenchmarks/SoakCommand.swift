import ArgumentParser
import FakeTelegramAPI
import Foundation
import JSON
import Kube

/// Continuous releases for a long time, to show that the controller and the bot do not grow:
/// `inFlight` releases are kept running over the seeded applications (a new one starts on the
/// next idle application as soon as one ends), one in `botEvery` of them asked of the bot as
/// `/deploy ENVIRONMENT COMMIT` in a chat, the rest created through the API. Every minute the
/// controller's and the bot's resident memory, open descriptors, threads and watch events are
/// sampled; at the end every release must have Succeeded and none may be left running.
///
/// The bot runs as a child process against a Bot API server on loopback (the one the tests
/// use); the cluster and the controller are started by the caller (scripts/bench-soak.sh).
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Continuous releases through the controller and the bot; memory, descriptors and threads sampled.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Seeded applications to release to (indexes 0..<applications).")
    var applications: Int = 1000

    @Option(help: "Releases running at once.")
    var inFlight: Int = 200

    @Option(help: "One release in this many goes through the bot (0: none).")
    var botEvery: Int = 10

    @Option(help: "Seconds to keep releasing.")
    var seconds: Int = 3600

    @Option(help: "Seconds at the start not counted in the growth figures (caches fill, histories reach their limit).")
    var warmUpSeconds: Int = 900

    @Option(help: "Seconds between samples.")
    var sampleSeconds: Int = 60

    @Option(help: "A release still running after this many seconds counts as stuck.")
    var stuckSeconds: Int = 300

    @Option(help: "The slipway binary, for the bot.")
    var slipway: String = ".build/release/slipway"

    @Option(help: "A directory for the bot's configuration, state and audit log.")
    var workDirectory: String

    @Option(help: "Process id of the controller.")
    var controllerPid: Int32

    @Option(help: "Process id of the cluster.")
    var clusterPid: Int32?

    @Option(help: "The controller's /metrics URL.")
    var controllerMetrics: String

    @Option(help: "Write the samples here, one JSON object per line.")
    var samplesOut: String?

    func validate() throws {
        guard applications > 0, inFlight > 0, inFlight <= applications else {
            throw ValidationError("--applications must be positive and --in-flight between 1 and --applications")
        }
        guard seconds > 0, sampleSeconds > 0, stuckSeconds > 0, warmUpSeconds >= 0, warmUpSeconds < seconds, botEvery >= 0 else {
            throw ValidationError("--seconds, --sample-seconds and --stuck-seconds must be positive, --warm-up-seconds below --seconds")
        }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let namespace = cluster.namespace
        let telegram = try await FakeTelegram.start()
        let bot = try SoakBot.start(slipway: slipway, directory: workDirectory, namespace: namespace, kubeconfig: cluster.kubeconfig,
                                    telegram: telegram)
        let outcome: Result<Void, any Error>
        do {
            try await soak(client: client, namespace: namespace, telegram: telegram, bot: bot)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await bot.stop()
        await telegram.stop()
        try outcome.get()
    }

    private func soak(client: KubeClient, namespace: String, telegram: FakeTelegram, bot: SoakBot) async throws {
        try await bot.waitUntilServing()

        let releases = SoakReleases(applications: applications)
        let feed = Task { try await SoakWatch.follow(client: client, namespace: namespace) { releases.saw($0) } }
        defer { feed.cancel() }

        let admin = SoakBot.admin
        let every = botEvery
        let issue: @Sendable (SoakReleases.Release) async throws -> Void = { release in
            if every > 0, release.sequence % every == 0 {
                telegram.sendMessage(from: admin, text: "/deploy \(ReleaseObjects.environment(release.application)) \(release.commit)")
            } else {
                var request = ReleaseObjects.request("soak-\(release.commit)", target: release.application, namespace: namespace)
                request[path: "spec", "image"] = .string(release.image)
                _ = try await client.create(ReleaseObjects.requests, DynamicObject(request), namespace: namespace)
            }
        }

        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        var samples: [SoakSample] = []
        var nextSample = start
        let sampler = SoakSampler(controllerPid: controllerPid, botPid: bot.pid, clusterPid: clusterPid,
                                  controllerMetrics: controllerMetrics, botMetrics: bot.metricsURL)
        let sampleFile = samplesOut.flatMap { path in
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }
        defer { try? sampleFile?.close() }
        func takeSample() async {
            let sample = await sampler.sample(at: Timing.since(start), releases: releases)
            samples.append(sample)
            let line = Data(sample.json.jsonBytes() + [UInt8(ascii: "\n")])
            FileHandle.standardError.write(line)
            sampleFile?.write(line)
        }
        // A release whose request never appeared (the bot refused, a create was lost) must not
        // hold its application for ever; the bot's last word about it says why.
        func expireUnseen() {
            releases.expireUnseen(after: .seconds(60)) { release in
                telegram.messages(chat: admin.id).last(where: { $0.text.contains(ReleaseObjects.environment(release.application)) })?.text
                    ?? "no request appeared"
            }
        }

        while ContinuousClock.now < end {
            expireUnseen()
            for release in releases.startReleases(upTo: inFlight) { try await issue(release) }
            if ContinuousClock.now >= nextSample {
                await takeSample()
                nextSample += .seconds(sampleSeconds)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Let the last releases finish (none is started any more).
        FileHandle.standardError.write(Data("soak: releasing stopped; waiting for the \(releases.runningCount) still running\n".utf8))
        let drainDeadline = ContinuousClock.now + .seconds(stuckSeconds)
        while releases.runningCount > 0, ContinuousClock.now < drainDeadline {
            expireUnseen()
            try await Task.sleep(for: .milliseconds(200))
        }
        await takeSample()
        for release in releases.stillRunning() {
            FileHandle.standardError.write(Data("soak: still running: application \(release.application), image \(release.image)\n".utf8))
        }

        let outcome = releases.outcome()
        let summary = SoakSummary(samples: samples, warmUpSeconds: Double(warmUpSeconds), outcome: outcome,
                                  botMessages: telegram.allMessages.count, botViolations: telegram.violations)
        Timing.emit(summary.json(applications: applications, inFlight: inFlight, botEvery: botEvery, seconds: seconds))
        fflush(nil)
    }
}

/// Follows the benchmark's DeploymentRequests: a list, then a watch from its version, listing
/// again whenever a watch ends or fails, so that no ending is missed.
enum SoakWatch {
    static func follow(client: KubeClient, namespace: String, _ saw: @Sendable (JSONValue) -> Void) async throws {
        while !Task.isCancelled {
            do {
                let list = try await client.listAll(ReleaseObjects.requests, namespace: namespace)
                for item in list.items { saw(item.value) }
                let events = client.watch(ReleaseObjects.requests, as: DynamicObject.self, namespace: namespace,
                                          options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 300))
                for try await event in events {
                    switch event {
                    case .added(let object), .modified(let object): saw(object.value)
                    default: continue
                    }
                }
            } catch {
                if Task.isCancelled { return }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
