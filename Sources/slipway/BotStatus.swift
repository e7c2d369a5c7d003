import Foundation
import Kube
import Logging
import Observability
import ServiceLifecycle
import SlipwayAPI
import Synchronization
import Telegram

/// What the bot's health and metrics endpoints report: readiness (configuration loaded and
/// the Kubernetes API reachable), whether this replica takes updates, and the Telegram
/// counters fed by the client's and the engine's observers.
final class BotStatus: Sendable {
    let telegram: TelegramMetrics
    private let process: BotMetrics
    private let readyFlag = Atomic<Bool>(false)
    /// Unix seconds of the last Bot API call Telegram answered; 0 before the first.
    private let lastTelegramSuccess = Atomic<Int64>(0)

    init(registry: MetricsRegistry, commands: Set<String>) {
        telegram = TelegramMetrics(registry: registry, commands: commands)
        process = BotMetrics(registry: registry)
    }

    var isReady: Bool { readyFlag.load(ordering: .relaxed) }

    func setReady(_ value: Bool) {
        readyFlag.store(value, ordering: .relaxed)
        process.setReady(value)
    }

    func setLeading(_ value: Bool) {
        process.setLeading(value)
    }

    /// For `TelegramClient`'s observer.
    func recordTelegramCall(_ outcome: TelegramCallOutcome, at time: Date = Date()) {
        telegram.recordAPICall(succeeded: outcome == .ok, at: time)
        if outcome == .ok { lastTelegramSuccess.store(Int64(time.timeIntervalSince1970), ordering: .relaxed) }
    }

    /// Seconds since Telegram last answered, nil before it ever did.
    func secondsSinceTelegramAnswered(now: Date = Date()) -> Int64? {
        let last = lastTelegramSuccess.load(ordering: .relaxed)
        return last == 0 ? nil : Int64(now.timeIntervalSince1970) - last
    }
}

/// Keeps readiness and Telegram reachability current on every replica.
///
/// Readiness: the Kubernetes API answers a read of the DeploymentTargets the bot serves (the
/// configuration was loaded before this runs). Reachability: the polling replica calls
/// Telegram every few seconds anyway; a standby, or a webhook replica without traffic, would
/// report nothing and trip the TelegramUnreachable alert, so when no call was answered for a
/// while this sends getMe (one attempt, no retries).
/// See https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
struct BotStatusMonitor: ServiceLifecycle.Service {
    let status: BotStatus
    let kube: KubeClient
    let client: TelegramClient
    let namespace: String
    let logger: Logger
    var checkInterval: Duration = .seconds(15)
    var telegramProbeAfter: Int64 = 60

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await checkOnce()
                try? await Task.sleep(for: checkInterval)
            }
        }
    }

    func checkOnce() async {
        do {
            _ = try await kube.list(DeploymentTarget.self, namespace: namespace, options: ListOptions(limit: 1))
            if !status.isReady { logger.info("ready: the Kubernetes API answers") }
            status.setReady(true)
        } catch {
            if status.isReady { logger.warning("not ready: the Kubernetes API does not answer", metadata: ["error": "\(error)"]) }
            status.setReady(false)
        }
        if (status.secondsSinceTelegramAnswered() ?? .max) >= telegramProbeAfter {
            do {
                _ = try await client.callOnce("getMe")
            } catch {
                logger.debug("Telegram did not answer getMe", metadata: ["error": "\(error)"])
            }
        }
    }
}
