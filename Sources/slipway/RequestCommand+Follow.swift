import Foundation
import Kube
import SlipwayAPI
import SlipwayCLI

/// Follows requests until each has ended, drawing their progress as it changes: bars redrawn
/// in place on a terminal, one line per change otherwise.
///
/// One watch on the namespace's DeploymentRequests serves every followed request. When the
/// watch ends (server timeout, connection lost, 410 Gone) the requests are read again and a new
/// watch starts from that list's resourceVersion, as client-go's reflector does; see
/// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
struct RequestFollower {
    let client: KubeClient
    let namespace: String
    let renderer: ProgressRenderer
    let live: Bool

    init(connection: Connection, style: TerminalStyle) {
        self.init(client: connection.client, namespace: connection.namespace, style: style, live: Terminal.isTerminal)
    }

    init(client: KubeClient, namespace: String, style: TerminalStyle, live: Bool) {
        self.client = client
        self.namespace = namespace
        self.renderer = ProgressRenderer(style: style, width: live ? Terminal.width : 200)
        self.live = live
    }

    enum FollowError: Error, CustomStringConvertible {
        case deleted(String)
        var description: String {
            switch self {
            case .deleted(let name): "request \(name) was deleted while being followed"
            }
        }
    }

    /// Follows `names` until all have ended or `timeout` passes; returns the last state seen of
    /// each, by name, and whether all ended.
    func follow(_ names: [String], timeout: Duration?) async throws -> (requests: [String: DeploymentRequest], allEnded: Bool) {
        let display = FollowDisplay(names: names, renderer: renderer, live: live)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let followed = Set(names)
        var steps: [String: [CanaryStep]?] = [:]
        var latest: [String: DeploymentRequest] = [:]
        // Kept up to date per event, so that following a thousand requests costs the same per
        // event as following one.
        var ended: Set<String> = []

        func note(_ request: DeploymentRequest) async {
            guard let name = request.metadata.name, followed.contains(name) else { return }
            latest[name] = request
            if request.phase.isTerminal { ended.insert(name) } else { ended.remove(name) }
            if steps[request.spec.target] == nil {
                let target = try? await client.get(DeploymentTarget.self, name: request.spec.target, namespace: namespace)
                steps[request.spec.target] = .some(target?.spec.strategy.canary?.steps)
            }
            display.show(ReleaseProgress(request: request, canarySteps: steps[request.spec.target] ?? nil))
        }
        func allEnded() -> Bool { ended.count == followed.count }
        func timeLeft() -> Duration? { deadline.map { $0 - ContinuousClock.now } }

        var failures = 0
        while !allEnded() {
            if let left = timeLeft(), left <= .zero { break }
            do {
                let list = try await client.list(DeploymentRequest.self, namespace: namespace)
                let listed = Set(list.items.compactMap(\.metadata.name))
                for name in names where !listed.contains(name) {
                    throw FollowError.deleted(name)
                }
                for request in list.items { await note(request) }
                if allEnded() { break }
                let seconds = timeLeft().map { max(1, min(60, Int($0.components.seconds) + 1)) } ?? 60
                let events = client.watch(DeploymentRequest.self, namespace: namespace,
                                          options: WatchOptions(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: seconds))
                // The server ends the watch at the deadline (timeoutSeconds), so no timer is needed here.
                watching: for try await event in events {
                    switch event {
                    case .added(let request), .modified(let request):
                        await note(request)
                    case .deleted(let request):
                        if let name = request.metadata.name, followed.contains(name) { throw FollowError.deleted(name) }
                    case .bookmark:
                        continue
                    case .error:
                        // The server ended the watch with a Status: read again and watch anew.
                        break watching
                    }
                    if allEnded() { break watching }
                    if let left = timeLeft(), left <= .zero { break watching }
                }
                failures = 0
            } catch let error as FollowError {
                display.finish()
                throw error
            } catch {
                // A broken connection or an expired watch: read again after a short pause.
                failures += 1
                if failures >= 10 {
                    display.finish()
                    throw CommandFailure("lost the watch on requests in namespace \(namespace) ten times in a row: \(error)")
                }
                try await Task.sleep(for: .milliseconds(min(200 * failures, 2000)))
            }
        }
        display.finish()
        return (latest, allEnded())
    }
}

/// The drawing side of following: one block per request, in a fixed order.
final class FollowDisplay {
    private let names: [String]
    private let renderer: ProgressRenderer
    private let live: Bool
    private var blocks: [String: [String]] = [:]
    private var region = LiveRegion()
    private var changes = ChangeLog()
    /// A live frame holds every followed request, so when many are followed it is drawn at most
    /// this often (a frame skipped is drawn with the next event, or at the end): a burst of
    /// events for a thousand requests redraws the screen ten times a second, not once per event.
    /// A few requests are drawn on every change, since their events are rare.
    static let frameInterval = Duration.milliseconds(100)
    static let throttledAbove = 20
    private var lastFrame: ContinuousClock.Instant?
    private var frameOwed = false

    init(names: [String], renderer: ProgressRenderer, live: Bool) {
        self.names = names
        self.renderer = renderer
        self.live = live
    }

    func show(_ progress: ReleaseProgress) {
        if live {
            blocks[progress.name] = renderer.block(progress)
            let now = ContinuousClock.now
            if names.count > Self.throttledAbove, let lastFrame, now - lastFrame < Self.frameInterval, !progress.phase.isTerminal {
                frameOwed = true
                return
            }
            drawFrame(at: now)
        } else if let line = changes.next(renderer.plainLine(progress), for: progress.name) {
            Terminal.line(Self.timestamp() + " " + line)
        }
    }

    private func drawFrame(at now: ContinuousClock.Instant) {
        let lines = names.flatMap { blocks[$0] ?? [] }
        Terminal.write(region.frame(lines))
        lastFrame = now
        frameOwed = false
    }

    func finish() {
        if live && frameOwed { drawFrame(at: .now) }
        region.commit()
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
