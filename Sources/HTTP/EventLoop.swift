import CCurl
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libcurl's multi handle. Only the loop thread uses it, except for `curl_multi_wakeup`, which
/// libcurl documents as callable from any thread (https://curl.se/libcurl/c/curl_multi_wakeup.html).
struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// A thread handle that can cross threads; only `join` and `detach` use it.
struct ThreadHandle: @unchecked Sendable {
    let raw: pthread_t
}

/// The one thread that drives every transfer of a client, and the locked inbox through which
/// other threads hand it work.
///
/// Other threads never touch libcurl handles: they append a command and call
/// `curl_multi_wakeup`, which interrupts the loop's `curl_multi_poll`.
final class EventLoop: Sendable {
    enum Command {
        case add(Transfer)
        case cancel(Transfer)
        /// The consumer of a paused stream has read enough: unpause it.
        case resume(Transfer)
    }

    enum State {
        case running
        /// `shutdown()` was called; the loop fails every transfer with `.shutDown` and exits.
        case stopping
        /// The loop has exited and freed the multi handle: no more wake-ups.
        case stopped
    }

    struct Inbox: ~Copyable {
        var commands: [Command] = []
        var state = State.running
        /// Taken by whoever joins the thread (the first `shutdown()`).
        var thread: ThreadHandle?
    }

    private let inbox = Mutex(Inbox())
    let multi: MultiHandle

    init(configuration: HTTPClientConfiguration, logger: Logger) throws(HTTPError) {
        try CurlGlobal.ensureInitialised()
        guard let raw = curl_multi_init() else { throw .transport(code: 0, message: "libcurl could not create a multi handle (out of memory)") }
        multi = MultiHandle(raw: raw)
        // Requests beyond the limit wait inside libcurl until a connection to that host frees up.
        _ = slipway_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        // Keep enough idle connections that finished requests' connections are reused, not closed.
        _ = slipway_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, max(16, configuration.maxConnectionsPerHost * 4))

        let driver = LoopDriver(loop: self, multi: raw, logger: logger)
        let context = Unmanaged.passRetained(driver).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let driver = Unmanaged<LoopDriver>.fromOpaque(context).takeRetainedValue()
            driver.run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<LoopDriver>.fromOpaque(context).release()
            curl_multi_cleanup(raw)
            throw .transport(code: 0, message: "could not start the HTTP event-loop thread (error \(created))")
        }
        inbox.withLock { $0.thread = ThreadHandle(raw: thread) }
    }

    /// Hands a configured transfer to the loop, or fails it at once after shutdown.
    func submit(_ transfer: Transfer) {
        let accepted = inbox.withLock { inbox in
            guard case .running = inbox.state else { return false }
            inbox.commands.append(.add(transfer))
            curl_multi_wakeup(multi.raw)
            return true
        }
        if !accepted {
            transfer.finish(.failure(.shutDown))
            transfer.release()
        }
    }

    /// Asks the loop to end a transfer with `.cancelled`. The flag covers a cancel that
    /// overtakes the transfer's own `add` command.
    func cancel(_ transfer: Transfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        inbox.withLock { inbox in
            guard case .running = inbox.state else { return }
            inbox.commands.append(.cancel(transfer))
            curl_multi_wakeup(multi.raw)
        }
    }

    /// Asks the loop to unpause a stream whose consumer caught up.
    func resume(_ transfer: Transfer) {
        inbox.withLock { inbox in
            guard case .running = inbox.state else { return }
            inbox.commands.append(.resume(transfer))
            curl_multi_wakeup(multi.raw)
        }
    }

    /// Ends every transfer with `.shutDown` and waits for the loop thread to exit.
    func shutdown() {
        let thread: ThreadHandle? = inbox.withLock { inbox in
            if case .running = inbox.state {
                inbox.state = .stopping
                curl_multi_wakeup(multi.raw)
            }
            defer { inbox.thread = nil }
            return inbox.thread
        }
        guard let thread else { return }
        if pthread_equal(pthread_self(), thread.raw) != 0 {
            pthread_detach(thread.raw)  // the loop thread itself dropped the last reference
        } else {
            pthread_join(thread.raw, nil)
        }
    }

    // MARK: used by the loop thread

    /// Takes the pending commands; `stopping` tells the loop to wind down.
    func takeCommands() -> (commands: [Command], stopping: Bool) {
        inbox.withLock { inbox in
            defer { inbox.commands.removeAll() }
            if case .running = inbox.state { return (inbox.commands, false) }
            return (inbox.commands, true)
        }
    }

    /// After this no thread calls `curl_multi_wakeup`, so the multi handle can be freed.
    func markStopped() {
        inbox.withLock { $0.state = .stopped }
    }
}
