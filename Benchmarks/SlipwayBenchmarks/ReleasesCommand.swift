import ArgumentParser
import Foundation
import JSON
import Kube

/// Seeds the applications of a release benchmark: `count` targets with their Deployments and
/// Services, and waits until every live Deployment is available, so that the releases start
/// from a settled cluster.
struct SeedReleasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-releases", abstract: "Creates N applications (Deployments, Services, a DeploymentTarget each).")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Applications to create.")
    var count: Int = 100

    @Option(help: "The first application's index (to seed applications of another strategy beside earlier ones).")
    var first: Int = 0

    @Option(help: "bluegreen or canary.")
    var strategy: String = "bluegreen"

    @Option(help: "Finished (Succeeded) requests to create per application, for a steady-state cache.")
    var finishedPerTarget: Int = 0

    @Option(help: "Creates in flight at once.")
    var concurrency: Int = 64

    @Option(name: .customLong("timeout"), help: "Seconds to wait for the Deployments to become available.")
    var timeoutSeconds: Int = 900

    func validate() throws {
        guard count > 0, concurrency > 0, timeoutSeconds > 0, finishedPerTarget >= 0, first >= 0 else {
            throw ValidationError("--count, --concurrency and --timeout must be positive, --finished-per-target and --first at least 0")
        }
        guard ReleaseObjects.Strategy(rawValue: strategy) != nil else { throw ValidationError("--strategy must be bluegreen or canary") }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let namespace = cluster.namespace
        let strategy = ReleaseObjects.Strategy(rawValue: self.strategy) ?? .blueGreen
        let start = ContinuousClock.now
        try await Self.createNamespace(namespace, client: client)
        try await forEachConcurrently(first..<(first + count), width: concurrency) { index in
            for (resource, object) in ReleaseObjects.application(index, strategy: strategy, namespace: namespace) {
                _ = try await client.create(resource, DynamicObject(object), namespace: namespace)
            }
        }
        let finished = finishedPerTarget
        if finished > 0 {
            let first = self.first
            try await forEachConcurrently(0..<(count * finished), width: concurrency) { number in
                let index = first + number % count
                let name = "done-\(index)-\(number / count)"
                let created = try await client.create(ReleaseObjects.requests, DynamicObject(ReleaseObjects.request(name, target: index, namespace: namespace)),
                                                      namespace: namespace)
                var object = created.value
                object["status"] = [
                    "phase": "Succeeded", "message": "released", "releaseTarget": .string(ReleaseObjects.target(index)),
                    "releaseImage": .string(ReleaseObjects.releaseImage),
                    "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:01:00Z",
                ]
                _ = try await client.updateStatus(ReleaseObjects.requests, DynamicObject(object), namespace: namespace)
            }
        }
        let created = Timing.since(start)
        try await withDeadline(seconds: timeoutSeconds, what: "every live Deployment to become available") {
            while true {
                let deployments = try await client.listAll(.deployments, namespace: namespace).items
                let waiting = deployments.filter { deployment in
                    let value = deployment.value
                    let replicas = value[path: "spec", "replicas"]?.intValue ?? 1
                    return replicas > 0 && (value[path: "status", "availableReplicas"]?.intValue ?? 0) < replicas
                }
                if waiting.isEmpty { return }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        Timing.emit([
            "step": "seed-releases", "applications": .int(count), "strategy": .string(strategy.rawValue),
            "finishedRequests": .int(count * finished), "createSeconds": .double(created), "seconds": .double(Timing.since(start)),
        ])
    }
}

extension SeedReleasesCommand {
    static func createNamespace(_ namespace: String, client: KubeClient) async throws {
        do {
            _ = try await client.create(.namespaces, DynamicObject(ReleaseObjects.namespace(namespace)))
        } catch {
            if !error.isAlreadyExists { throw error }
        }
    }
}

/// Creates `count` DeploymentRequests in one burst (one per seeded application) and follows
/// them with one watch until every one has finished.
///
/// - reaction: the watch seeing a request's first status after seeing it created;
/// - total: from the first create to the last request finished;
/// - the controller's and the cluster's CPU (from /proc) over the run and their peak RSS;
/// - the controller's API writes (its `slipway_kube_api_requests_total`, every verb but
///   get/list/watch) per release, when `--controller-metrics` is given.
struct RunReleasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases", abstract: "N concurrent releases, one per seeded application, until all finished.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Requests to create at once (applications 0..<count).")
    var count: Int = 100

    @Option(help: "The first application to release (for several runs over one seed).")
    var first: Int = 0

    @Option(help: "A label for the results (bluegreen, canary...).")
    var label: String = "bluegreen"

    @Option(help: "Creates in flight at once.")
    var concurrency: Int = 64

    @Option(help: "Process id of the controller, for its CPU time and peak RSS.")
    var controllerPid: Int32?

    @Option(help: "Process id of the cluster, for its CPU time and peak RSS.")
    var clusterPid: Int32?

    @Option(help: "The controller's /metrics URL, for its API writes.")
    var controllerMetrics: String?

    @Option(help: "Requests created one at a time after the burst, for the reaction of a single request.")
    var singles: Int = 0

    @Option(name: .customLong("timeout"), help: "Seconds to wait for every request to finish.")
    var timeoutSeconds: Int = 900

    func validate() throws {
        guard count > 0, concurrency > 0, timeoutSeconds > 0, first >= 0, singles >= 0 else {
            throw ValidationError("--count, --concurrency and --timeout must be positive; --first and --singles at least 0")
        }
    }

    func run() async throws {
        let client = try cluster.client()
        defer { client.shutdown() }
        let namespace = cluster.namespace
        let tracker = RequestTracker()
        let head = try await client.list(ReleaseObjects.requests, namespace: namespace, options: ListOptions(limit: 1))
        let events = client.watch(ReleaseObjects.requests, as: DynamicObject.self, namespace: namespace,
                                  options: WatchOptions(resourceVersion: head.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 3600))
        let watcher = Task {
            for try await event in events {
                switch event {
                case .added(let object), .modified(let object): tracker.saw(object.value)
                default: continue
                }
            }
        }
        defer { watcher.cancel() }

        let writesBefore = try await controllerWrites()
        let cpuBefore = (ProcessStats.cpuSeconds(controllerPid), ProcessStats.cpuSeconds(clusterPid))
        let prefix = "rel-\(label)-\(first)"
        let start = ContinuousClock.now
        let (first, count) = (self.first, self.count)
        try await forEachConcurrently(0..<count, width: concurrency) { number in
            let index = first + number
            let name = "\(prefix)-\(index)"
            tracker.expect(name)
            _ = try await client.create(ReleaseObjects.requests, DynamicObject(ReleaseObjects.request(name, target: index, namespace: namespace)),
                                        namespace: namespace)
        }
        let created = Timing.since(start)
        // A run that does not finish in time is a result too: how many had finished.
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while tracker.finishedCount < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let finished = tracker.finishedCount
        let total = Timing.since(start)
        let cpuAfter = (ProcessStats.cpuSeconds(controllerPid), ProcessStats.cpuSeconds(clusterPid))
        let writesAfter = try await controllerWrites()
        let burst = tracker.summary()

        // Single requests on a quiet controller: reaction of one request alone.
        var singleReactions: [Double] = []
        for single in 0..<(finished < count ? 0 : singles) {
            let index = first + single
            let name = "\(prefix)-single-\(index)"
            tracker.expect(name)
            _ = try await client.create(ReleaseObjects.requests, DynamicObject(ReleaseObjects.request(name, target: index, namespace: namespace)),
                                        namespace: namespace)
            try await withDeadline(seconds: timeoutSeconds, what: "request \(name) to finish") {
                while !tracker.isFinished(name) { try await Task.sleep(for: .milliseconds(20)) }
            }
            if let reaction = tracker.reaction(of: name) { singleReactions.append(reaction) }
        }
        singleReactions.sort()

        var result: OrderedDictionary<String, JSONValue> = [
            "step": "releases", "label": .string(label), "releases": .int(count), "createSeconds": .double(created),
            "seconds": .double(total), "finished": .int(finished), "timedOut": .bool(finished < count), "phases": .object(OrderedDictionary(uniqueKeysWithValues: burst.phases.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "reactionP50": .double(Timing.percentile(burst.reactions, 0.5)), "reactionP99": .double(Timing.percentile(burst.reactions, 0.99)),
        ]
        if let before = cpuBefore.0, let after = cpuAfter.0 {
            result["controllerCPUSeconds"] = .double(after - before)
            result["controllerCPUPerRelease"] = .double((after - before) / Double(count))
        }
        if let before = cpuBefore.1, let after = cpuAfter.1 { result["clusterCPUSeconds"] = .double(after - before) }
        if let rss = ProcessStats.peakRSSMiB(controllerPid) { result["controllerPeakRSSMiB"] = .double(rss) }
        if let rss = ProcessStats.peakRSSMiB(clusterPid) { result["clusterPeakRSSMiB"] = .double(rss) }
        if let before = writesBefore, let after = writesAfter { result["writesPerRelease"] = .double(Double(after - before) / Double(count)) }
        if !singleReactions.isEmpty {
            result["singleReactionP50"] = .double(Timing.percentile(singleReactions, 0.5))
            result["singleReactionP99"] = .double(Timing.percentile(singleReactions, 0.99))
        }
        Timing.emit(.object(result))
    }

    /// The controller's API writes so far (every verb but get, list and watch), nil without metrics.
    private func controllerWrites() async throws -> Int? {
        guard let controllerMetrics else { return nil }
        return try await MetricsScrape.sum(url: controllerMetrics, metric: "slipway_kube_api_requests_total") { labels in
            guard let verb = labels["verb"] else { return false }
            return !["get", "list", "watch"].contains(verb.lowercased())
        }
    }
}

/// What the benchmark's watch saw of each request.
final class RequestTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var expected: Set<String> = []
    private var added: [String: ContinuousClock.Instant] = [:]
    private var firstStatus: [String: ContinuousClock.Instant] = [:]
    private var phases: [String: String] = [:]
    private static let terminal: Set<String> = ["Succeeded", "Failed", "RolledBack", "Aborted", "Rejected"]

    func expect(_ name: String) {
        lock.withLock { _ = expected.insert(name) }
    }

    func saw(_ object: JSONValue) {
        guard let name = object[path: "metadata", "name"]?.stringValue else { return }
        let now = ContinuousClock.now
        let phase = object[path: "status", "phase"]?.stringValue
        lock.withLock {
            if added[name] == nil { added[name] = now }
            if let phase {
                if firstStatus[name] == nil { firstStatus[name] = now }
                phases[name] = phase
            }
        }
    }

    var finishedCount: Int {
        lock.withLock { expected.filter { phases[$0].map(Self.terminal.contains) ?? false }.count }
    }

    func isFinished(_ name: String) -> Bool {
        lock.withLock { phases[name].map(Self.terminal.contains) ?? false }
    }

    func reaction(of name: String) -> Double? {
        lock.withLock {
            guard let added = added[name], let status = firstStatus[name] else { return nil }
            return Timing.seconds(status - added)
        }
    }

    func summary() -> (phases: [String: Int], reactions: [Double]) {
        lock.withLock {
            var counts: [String: Int] = [:]
            var reactions: [Double] = []
            for name in expected {
                counts[phases[name] ?? "none", default: 0] += 1
                if let added = added[name], let status = firstStatus[name] { reactions.append(Timing.seconds(status - added)) }
            }
            return (counts, reactions.sorted())
        }
    }
}

/// CPU time and peak memory of a process on this machine, from /proc.
enum ProcessStats {
    /// User plus system CPU seconds (clock ticks of 1/100 s, as Linux reports them).
    static func cpuSeconds(_ pid: Int32?) -> Double? {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / 100
    }

    /// VmHWM: the largest resident set the process had, in MiB.
    static func peakRSSMiB(_ pid: Int32?) -> Double? { statusField(pid, "VmHWM:").map { $0 / 1024 } }

    /// VmRSS: the resident set now, in MiB.
    static func rssMiB(_ pid: Int32?) -> Double? { statusField(pid, "VmRSS:").map { $0 / 1024 } }

    static func threads(_ pid: Int32?) -> Int? { statusField(pid, "Threads:").map { Int($0) } }

    static func descriptors(_ pid: Int32?) -> Int? {
        guard let pid else { return nil }
        return (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The number after `field` in /proc/PID/status (kB for the memory fields), which separates
    /// them with spaces or tabs.
    private static func statusField(_ pid: Int32?, _ field: String) -> Double? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let value = Double(parts[1]) { return value }
        }
        return nil
    }
}
