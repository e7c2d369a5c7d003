import Foundation
import JSON
import Synchronization

extension ObjectStore {
    /// Events after `options.resourceVersion` (or the current state as ADDED first when it is
    /// nil or "0"), then every later change that matches, until the consumer stops iterating.
    /// A resourceVersion older than the history window throws 410 Gone.
    ///
    /// Like the API server's watch cache: an object that stops matching the selectors arrives
    /// as DELETED and one that starts matching as ADDED; with `allowWatchBookmarks` a BOOKMARK
    /// (an object of the kind carrying only metadata.resourceVersion) comes every
    /// `bookmarkInterval`. A watch that leaves more than `watchBufferLimit` events unread is
    /// ended; its client resumes from the last resourceVersion it saw. The stream also ends
    /// when the resource is unregistered. https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
    public func watch(_ type: ResourceType, namespace: String?, options: WatchOptions = .init()) throws(APIError) -> AsyncStream<WatchEvent> {
        let bufferLimit = configuration.watchBufferLimit
        return try withState { state throws(APIError) in
            _ = try state.strategy(for: type)
            let selection = try Selection(type: type, namespace: namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
            let watcherID = state.nextWatcherID
            state.nextWatcherID += 1
            var watcher = Watcher(
                storageKey: type.storageKey, type: type, namespace: selection.namespace, labelSelector: selection.labelSelector,
                fieldSelector: selection.fieldSelector, continuation: AsyncStream<WatchEvent>.makeStream().continuation)

            var backlog: [WatchEvent] = []
            let start = options.resourceVersion ?? ""
            if start.isEmpty || start == "0" {
                for ref in state.matchingRefs(selection) {
                    if let object = state.object(ref) { backlog.append(WatchEvent(type: .added, object: object.presented(as: type))) }
                }
            } else {
                guard let version = Int(start), version >= 0 else {
                    throw APIError.badRequest("invalid resource version \"\(start)\": resourceVersion must be a decimal number handed out by this server")
                }
                guard version >= state.history.floor else {
                    throw APIError.gone("too old resource version: \(version) (\(state.history.floor))")
                }
                for entry in state.history.entries(after: version) where entry.storageKey == type.storageKey {
                    if let event = watcher.event(for: entry) { backlog.append(event) }
                }
            }

            let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit + backlog.count))
            watcher.continuation = continuation
            continuation.onTermination = { [weak self] _ in
                self?.endWatch(watcherID, storageKey: type.storageKey)
            }
            for event in backlog { continuation.yield(event) }
            if options.allowWatchBookmarks {
                let interval = configuration.bookmarkInterval
                watcher.bookmarkTask = Task { [weak self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        guard !Task.isCancelled, let self, self.sendBookmark(watcherID, storageKey: type.storageKey) else { return }
                    }
                }
            }
            state.watchers[type.storageKey, default: [:]][watcherID] = watcher
            return stream
        }
    }

    /// Sends a BOOKMARK at the current resourceVersion; false once the watch is gone. Sent
    /// under the lock, so no event with an older resourceVersion can follow it.
    private func sendBookmark(_ id: UInt64, storageKey: String) -> Bool {
        (try? withState { state throws(APIError) in
            guard let watcher = state.watchers[storageKey]?[id] else { return false }
            let bookmark: JSONValue = [
                "apiVersion": .string(watcher.type.apiVersion), "kind": .string(watcher.type.kind),
                "metadata": ["resourceVersion": .string(String(state.resourceVersion))],
            ]
            state.deliver(WatchEvent(type: .bookmark, object: bookmark), to: id, of: watcher)
            return true
        }) ?? false
    }

    /// The stream's consumer is gone: the next operation takes the watch out. Never waits for
    /// the state lock (see `departedWatchers`); until then a delivery to it is simply dropped.
    private func endWatch(_ id: UInt64, storageKey: String) {
        departedWatchers.withLock { $0.append(DepartedWatcher(id: id, storageKey: storageKey)) }
    }

    /// How many watches are open, for metrics and tests.
    public var activeWatchCount: Int {
        // Through withState, which takes departed watches out first.
        (try? withState { state throws(APIError) in state.watchers.values.reduce(0) { $0 + $1.count } }) ?? 0
    }
}
