import Logging

/// Long polling: fetch updates, hand each to the handler (in order within a chat), and
/// confirm them by asking with a higher offset. An update is confirmed only after the
/// handler returned for it, so a crash in between redelivers it (the handler is idempotent).
///
/// Rate limits wait `retry_after`; network failures back off with jitter; a 409 (another
/// poller, or a webhook) is logged as an error that says what to do and retried with backoff,
/// since the other instance may be on its way out. A 401 ends polling: the token is wrong.
/// An answer that cannot be read is retried with the same offset (nothing in it is confirmed);
/// an update that is well-formed JSON but not decodable is reported to `onSkipped` and then
/// confirmed, once.
/// See https://core.telegram.org/bots/api#getupdates
public struct UpdatePoller: Sendable {
    public let client: TelegramClient
    public var pollTimeout: Duration
    public var limit: Int
    public var logger: Logger

    public init(client: TelegramClient, pollTimeout: Duration = .seconds(25), limit: Int = 100, logger: Logger) {
        self.client = client
        self.pollTimeout = pollTimeout
        self.limit = limit
        self.logger = logger
    }

    /// Polls until the task is cancelled (returns) or the token is refused (throws). Updates
    /// of one chat are handled in order, chats side by side (`UpdateLanes`), so a chat whose
    /// replies wait on a 429 holds up no other chat.
    public func run(onSkipped: @escaping @Sendable ([Int64]) async -> Void = { _ in },
                    _ handle: @escaping @Sendable (Update) async -> Void) async throws(TelegramError) {
        let lanes = UpdateLanes(handle: handle)
        do {
            try await poll(lanes: lanes, onSkipped: onSkipped)
        } catch {
            await lanes.stop()
            throw error
        }
        await lanes.stop()
    }

    private func poll(lanes: UpdateLanes, onSkipped: @Sendable ([Int64]) async -> Void) async throws(TelegramError) {
        var offset: Int64?
        var failures = 0
        while !Task.isCancelled {
            let batch: UpdateBatch
            do {
                batch = try await client.getUpdates(offset: offset, timeout: pollTimeout, limit: limit)
            } catch {
                let pause: Duration
                switch error {
                case .cancelled: return
                case .unauthorized: throw error
                case .rateLimited(_, let retryAfter):
                    pause = .seconds(retryAfter)
                    logger.notice("Telegram rate-limited polling", metadata: ["retryAfter": "\(retryAfter)"])
                case .conflict:
                    pause = client.configuration.backoff.delay(attempt: failures)
                    logger.error("\(error)")
                default:
                    pause = client.configuration.backoff.delay(attempt: failures)
                    logger.warning("polling Telegram failed; retrying", metadata: ["error": "\(error)", "pause": "\(pause)"])
                }
                failures += 1
                do { try await Task.sleep(for: pause) } catch { return }
                continue
            }
            failures = 0
            var newSkipped: [Int64] = []
            for id in batch.skippedIDs where await lanes.isNew(id) {
                newSkipped.append(id)
                await lanes.takeSkipped(id)
            }
            if !newSkipped.isEmpty {
                logger.warning("skipping updates that are not updates Slipway can read", metadata: ["updates": "\(newSkipped)"])
                await onSkipped(newSkipped)
            }
            var taken = !newSkipped.isEmpty
            for update in batch.updates where await lanes.isNew(update.updateID) {
                await lanes.take(update)
                taken = true
            }
            offset = await lanes.confirmableOffset(highest: batch.highestID) ?? offset
            // Telegram answers at once while updates before the offset are unconfirmed: when the
            // answer held nothing new, wait for a lane to finish one (or a second) before asking
            // again, so that a busy chat neither spins this loop nor delays other chats long.
            if !taken, await lanes.isBusy {
                await lanes.waitForProgress(timeout: .seconds(1))
            }
        }
    }
}
