/// Updates handled one chat at a time, chats side by side.
///
/// Handling an update may wait long on Telegram: a reply into a chat that Telegram rate-limits
/// waits its `retry_after`, up to two minutes. Handled strictly one after another, one busy
/// chat (a stranger's flood, a 429) would hold up every other chat. So each chat has a lane
/// of its own, in which its updates keep their order, and lanes run concurrently.
///
/// Confirmation stays exact: the poller confirms only below the lowest update still waiting
/// or running (`confirmableOffset`), so a crash never loses one. Updates of other chats above
/// that point that are already done are delivered again by Telegram and recognised here
/// (`isNew`), so none is handled twice.
actor UpdateLanes {
    private let handle: @Sendable (Update) async -> Void
    /// Updates taken and not yet finished.
    private var unfinished: Set<Int64> = []
    /// Every update taken (finished or not) at or above the last confirmed offset.
    private var taken: Set<Int64> = []
    private var queues: [Int64: [Update]] = [:]
    private var lanes: [Int64: Task<Void, Never>] = [:]
    private var progressWaiters: [CheckedContinuation<Void, Never>] = []

    init(handle: @escaping @Sendable (Update) async -> Void) {
        self.handle = handle
    }

    /// Whether the update was not taken before (a redelivery of one taken is not new).
    func isNew(_ id: Int64) -> Bool { !taken.contains(id) }

    /// Whether some update is still waiting or being handled.
    var isBusy: Bool { !unfinished.isEmpty }

    /// Marks an update as done without handling it (one that could not be decoded).
    func takeSkipped(_ id: Int64) {
        taken.insert(id)
    }

    /// Queues an update in its chat's lane.
    func take(_ update: Update) {
        guard taken.insert(update.updateID).inserted else { return }
        unfinished.insert(update.updateID)
        let lane = Self.lane(of: update)
        queues[lane, default: []].append(update)
        if lanes[lane] == nil {
            lanes[lane] = Task { await self.drain(lane) }
        }
    }

    /// The offset that confirms exactly the updates handled: the lowest unfinished one, or
    /// past `highest` when all are done. Forgets what that confirms.
    func confirmableOffset(highest: Int64?) -> Int64? {
        let offset: Int64?
        if let lowest = unfinished.min() {
            offset = lowest
        } else {
            offset = highest.map { max($0, taken.max() ?? $0) + 1 } ?? taken.max().map { $0 + 1 }
        }
        if let offset { taken = taken.filter { $0 >= offset } }
        return offset
    }

    /// Returns when an update finishes, or after `timeout`.
    func waitForProgress(timeout: Duration) async {
        guard isBusy else { return }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.wakeWaiters()
        }
        await withCheckedContinuation { progressWaiters.append($0) }
        timer.cancel()
    }

    /// Stops every lane (polling ended) and waits for them.
    func stop() async {
        let running = Array(lanes.values)
        for task in running { task.cancel() }
        for task in running { await task.value }
        wakeWaiters()
    }

    private func drain(_ lane: Int64) async {
        while let update = queues[lane]?.first {
            if Task.isCancelled { break }
            await handle(update)
            queues[lane]?.removeFirst()
            unfinished.remove(update.updateID)
            wakeWaiters()
        }
        if queues[lane]?.isEmpty ?? true { queues[lane] = nil }
        lanes[lane] = nil
    }

    private func wakeWaiters() {
        let waiters = progressWaiters
        progressWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// The chat an update belongs to (a press: the chat of its message, else the presser's).
    static func lane(of update: Update) -> Int64 {
        update.message?.chat.id ?? update.callbackQuery?.message?.chat.id ?? update.callbackQuery?.from.id ?? 0
    }
}
