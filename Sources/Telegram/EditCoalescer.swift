/// Keeps message edits within Telegram's pace: at most one edit per chat per interval (about
/// one a second), and of the edits waiting for the same message only the latest is sent.
/// Progress updates arrive faster than that; users only need the newest state, and Telegram
/// answers bursts with 429.
/// An edit that could not be made (Telegram unreachable) is tried again at the same pace,
/// unless a newer one for the same message replaced it, so the final state of a message is
/// not lost to an outage.
/// See https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
public actor EditCoalescer {
    public struct Edit: Sendable, Equatable {
        public var chatID: Int64
        public var messageID: Int64
        public var html: String
        public var keyboard: [[InlineKeyboardButton]]

        public init(chatID: Int64, messageID: Int64, html: String, keyboard: [[InlineKeyboardButton]]) {
            self.chatID = chatID
            self.messageID = messageID
            self.html = html
            self.keyboard = keyboard
        }
    }

    private let interval: Duration
    private let perform: @Sendable (Edit) async -> Bool
    private let maximumRetries: Int
    private var retries: [Int64: Int] = [:]
    /// Per chat, the waiting edits in arrival order of their messages, latest text each.
    private var pending: [Int64: [Edit]] = [:]
    private var lastEdit: [Int64: ContinuousClock.Instant] = [:]
    private var draining: Set<Int64> = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameter perform: makes one edit; returns false when it should be tried again later.
    public init(interval: Duration = .seconds(1), maximumRetries: Int = 120, perform: @escaping @Sendable (Edit) async -> Bool) {
        self.interval = interval
        self.maximumRetries = maximumRetries
        self.perform = perform
    }

    /// Queues an edit; replaces one still waiting for the same message.
    public func submit(_ edit: Edit) {
        var queue = pending[edit.chatID] ?? []
        if let index = queue.firstIndex(where: { $0.messageID == edit.messageID }) {
            queue[index] = edit
        } else {
            queue.append(edit)
        }
        pending[edit.chatID] = queue
        if draining.insert(edit.chatID).inserted {
            Task { await self.drain(chat: edit.chatID) }
        }
    }

    /// Returns once no edit is waiting or being sent.
    public func waitUntilIdle() async {
        guard !draining.isEmpty else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func drain(chat: Int64) async {
        while pending[chat]?.isEmpty == false {
            if let last = lastEdit[chat] {
                try? await Task.sleep(until: last + interval, clock: .continuous)
            }
            guard var queue = pending[chat], !queue.isEmpty else { break }
            let edit = queue.removeFirst()
            pending[chat] = queue.isEmpty ? nil : queue
            lastEdit[chat] = .now
            let done = await perform(edit)
            if !done, (retries[edit.messageID] ?? 0) < maximumRetries {
                retries[edit.messageID, default: 0] += 1
                var queue = pending[chat] ?? []
                if !queue.contains(where: { $0.messageID == edit.messageID }) {
                    queue.insert(edit, at: 0)
                    pending[chat] = queue
                }
            } else {
                retries[edit.messageID] = nil
            }
        }
        pending[chat] = nil
        draining.remove(chat)
        if draining.isEmpty {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }
}
