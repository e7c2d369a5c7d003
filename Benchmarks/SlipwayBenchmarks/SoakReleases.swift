import Foundation
import JSON

/// The soak's releases: which application each one went to, whether it is still running, and how
/// it ended. A release is known by its image, unique per release (the bot names its requests
/// itself, so the name cannot be the key).
final class SoakReleases: @unchecked Sendable {
    struct Release: Sendable {
        var sequence: Int
        var application: Int
        var started: ContinuousClock.Instant
        /// The watch has seen its request.
        var seen = false

        /// Seven or more hex digits: a commit the bot accepts, whose tag becomes the image's.
        var commit: String {
            let hex = String(sequence, radix: 16)
            return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        }
        var image: String { "\(ReleaseObjects.imageRepository):\(commit)" }
    }

    struct Outcome: Sendable {
        var phases: [String: Int]
        /// Ended in a phase other than Succeeded: request name and its message.
        var wrong: [String]
        /// Asked for, but no request for them appeared within a minute (the bot refused, or a create was lost).
        var neverCreated: [String]
        /// Still running when the soak ended and its last releases had had `--stuck-seconds`.
        var stuck: Int
    }

    private let lock = NSLock()
    private let applications: Int
    private var nextSequence = 1
    private var nextApplication = 0
    private var running: [String: Release] = [:]  // by image
    private var busy: Set<Int> = []
    private var phases: [String: Int] = [:]
    private var wrong: [String] = []
    private var neverCreated: [String] = []
    private var finished = 0
    private static let terminal: Set<String> = ["Succeeded", "Failed", "RolledBack", "Aborted", "Rejected"]

    init(applications: Int) {
        self.applications = applications
    }

    var finishedCount: Int { lock.withLock { finished } }
    var runningCount: Int { lock.withLock { running.count } }

    /// Starts releases on idle applications, in turn, until `limit` are running.
    func startReleases(upTo limit: Int) -> [Release] {
        lock.withLock {
            var started: [Release] = []
            var tried = 0
            while running.count < limit, tried < applications {
                let application = nextApplication
                nextApplication = (nextApplication + 1) % applications
                tried += 1
                guard !busy.contains(application) else { continue }
                let release = Release(sequence: nextSequence, application: application, started: .now)
                nextSequence += 1
                busy.insert(application)
                running[release.image] = release
                started.append(release)
                tried = 0
            }
            return started
        }
    }

    /// A request as the watch saw it: when it has ended, its release is done.
    func saw(_ request: JSONValue) {
        guard let image = request[path: "spec", "image"]?.stringValue else { return }
        guard let phase = request[path: "status", "phase"]?.stringValue, Self.terminal.contains(phase) else {
            lock.withLock { running[image]?.seen = true }
            return
        }
        lock.withLock {
            guard let release = running.removeValue(forKey: image) else { return }
            busy.remove(release.application)
            finished += 1
            phases[phase, default: 0] += 1
            if phase != "Succeeded" {
                let name = request[path: "metadata", "name"]?.stringValue ?? "?"
                wrong.append("\(name): \(phase): \(request[path: "status", "message"]?.stringValue ?? "")")
            }
        }
    }

    /// Gives up on releases whose request never appeared, so that they do not hold their
    /// application (and a place in flight) for ever; `explain` says why, for the report.
    func expireUnseen(after limit: Duration, explain: (Release) -> String) {
        lock.withLock {
            let now = ContinuousClock.now
            for (image, release) in running where !release.seen && now - release.started > limit {
                running[image] = nil
                busy.remove(release.application)
                neverCreated.append("application \(release.application), \(release.image): \(explain(release))")
            }
        }
    }

    func stillRunning() -> [Release] { lock.withLock { Array(running.values) } }

    /// Called after the last releases were given time to finish: whatever still runs is stuck.
    func outcome() -> Outcome {
        lock.withLock { Outcome(phases: phases, wrong: wrong, neverCreated: neverCreated, stuck: running.count) }
    }
}

/// One sample of the processes under the soak.
struct SoakSample: Sendable {
    struct Process: Sendable {
        var rssMiB: Double?
        var descriptors: Int?
        var threads: Int?
        var cpuSeconds: Double?
        var watchEvents: Int?
    }

    var seconds: Double
    var controller: Process
    var bot: Process
    var clusterRSSMiB: Double?
    var finished = 0
    var running = 0

    var json: JSONValue {
        func process(_ p: Process) -> JSONValue {
            var object: OrderedDictionary<String, JSONValue> = [:]
            if let value = p.rssMiB { object["rssMiB"] = .double(value) }
            if let value = p.descriptors { object["descriptors"] = .int(value) }
            if let value = p.threads { object["threads"] = .int(value) }
            if let value = p.cpuSeconds { object["cpuSeconds"] = .double(value) }
            if let value = p.watchEvents { object["watchEvents"] = .int(value) }
            return .object(object)
        }
        var object: OrderedDictionary<String, JSONValue> = [
            "step": "soak-sample", "seconds": .double(seconds), "finished": .int(finished), "running": .int(running),
            "controller": process(controller), "bot": process(bot),
        ]
        if let clusterRSSMiB { object["clusterRSSMiB"] = .double(clusterRSSMiB) }
        return .object(object)
    }
}

/// Reads a process's memory, descriptors and threads from /proc, and its watch events from its
/// /metrics (`slipway_watch_events_total`, every resource).
struct SoakSampler: Sendable {
    var controllerPid: Int32
    var botPid: Int32
    var clusterPid: Int32?
    var controllerMetrics: String
    var botMetrics: String

    func sample(at seconds: Double, releases: SoakReleases) async -> SoakSample {
        SoakSample(seconds: seconds, controller: await process(controllerPid, metrics: controllerMetrics),
                   bot: await process(botPid, metrics: botMetrics), clusterRSSMiB: ProcessStats.rssMiB(clusterPid),
                   finished: releases.finishedCount, running: releases.runningCount)
    }

    private func process(_ pid: Int32, metrics: String) async -> SoakSample.Process {
        let events = try? await MetricsScrape.sum(url: metrics, metric: "slipway_watch_events_total") { _ in true }
        return SoakSample.Process(rssMiB: ProcessStats.rssMiB(pid), descriptors: ProcessStats.descriptors(pid), threads: ProcessStats.threads(pid),
                                  cpuSeconds: ProcessStats.cpuSeconds(pid), watchEvents: events)
    }
}

/// The soak's result: growth after warm-up of memory, descriptors and threads, and how every
/// release ended.
struct SoakSummary {
    var samples: [SoakSample]
    var warmUpSeconds: Double
    var outcome: SoakReleases.Outcome
    var botMessages: Int
    var botViolations: [String]

    /// From the median of the first three samples after warm-up to the median of the last three.
    static func growth(_ values: [Double]) -> (start: Double, end: Double, percent: Double)? {
        guard values.count >= 2 else { return nil }
        func median(_ slice: ArraySlice<Double>) -> Double {
            let sorted = slice.sorted()
            return sorted[sorted.count / 2]
        }
        let width = min(3, values.count / 2)
        let start = median(values.prefix(width)), end = median(values.suffix(width))
        return (start, end, start > 0 ? (end - start) / start * 100 : 0)
    }

    func json(applications: Int, inFlight: Int, botEvery: Int, seconds: Int) -> JSONValue {
        let settled = samples.filter { $0.seconds >= warmUpSeconds }
        var result: OrderedDictionary<String, JSONValue> = [
            "step": "soak", "seconds": .int(seconds), "applications": .int(applications), "inFlight": .int(inFlight),
            "botEvery": .int(botEvery), "warmUpSeconds": .double(warmUpSeconds),
            "releases": .int(outcome.phases.values.reduce(0, +)),
            "phases": .object(OrderedDictionary(uniqueKeysWithValues: outcome.phases.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "wrong": .array(outcome.wrong.prefix(20).map { .string($0) }), "wrongCount": .int(outcome.wrong.count), "stuck": .int(outcome.stuck),
            "neverCreated": .array(outcome.neverCreated.prefix(20).map { .string($0) }), "neverCreatedCount": .int(outcome.neverCreated.count),
            "botMessages": .int(botMessages), "botAPIViolations": .int(botViolations.count),
        ]
        for (name, pick) in [("controller", \SoakSample.controller), ("bot", \SoakSample.bot)] as [(String, KeyPath<SoakSample, SoakSample.Process>)] {
            var figures: OrderedDictionary<String, JSONValue> = [:]
            func add(_ key: String, _ values: [Double]) {
                guard let growth = Self.growth(values) else { return }
                figures[key] = ["afterWarmUp": .double(growth.start), "end": .double(growth.end), "growthPercent": .double(growth.percent),
                                "max": .double(values.max() ?? 0)]
            }
            add("rssMiB", settled.compactMap { $0[keyPath: pick].rssMiB })
            add("descriptors", settled.compactMap { $0[keyPath: pick].descriptors.map(Double.init) })
            add("threads", settled.compactMap { $0[keyPath: pick].threads.map(Double.init) })
            if let last = samples.last?[keyPath: pick] {
                if let events = last.watchEvents { figures["watchEvents"] = .int(events) }
                if let cpu = last.cpuSeconds { figures["cpuSeconds"] = .double(cpu) }
            }
            result[name] = .object(figures)
        }
        if let cluster = samples.last?.clusterRSSMiB { result["clusterRSSMiBAtEnd"] = .double(cluster) }
        return .object(result)
    }
}
