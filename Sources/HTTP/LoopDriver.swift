import CCurl
import Logging
import Synchronization
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of the event-loop thread: drives the multi handle with
/// `curl_multi_perform` / `curl_multi_info_read` / `curl_multi_poll`
/// (https://curl.se/libcurl/c/libcurl-multi.html) and applies the commands other threads sent.
/// Everything here is confined to that one thread.
final class LoopDriver {
    private let loop: EventLoop
    private let multi: UnsafeMutableRawPointer
    private let logger: Logger
    /// Transfers inside the multi handle, by easy handle.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    init(loop: EventLoop, multi: UnsafeMutableRawPointer, logger: Logger) {
        self.loop = loop
        self.multi = multi
        self.logger = logger
    }

    func run() {
        ignoreBrokenPipes()
        logger.trace("HTTP event loop started")
        while true {
            let (commands, stopping) = loop.takeCommands()
            for command in commands {
                switch command {
                case .add(let transfer):
                    if stopping { end(transfer, .failure(.shutDown)) } else { add(transfer) }
                case .cancel(let transfer):
                    remove(transfer, .failure(.cancelled))
                case .resume(let transfer):
                    if active[transfer.easy] != nil {
                        // May call the write callback at once with the data held back.
                        _ = curl_easy_pause(transfer.easy, slipway_curlpause_cont)
                    }
                }
            }
            if stopping {
                for transfer in Array(active.values) { remove(transfer, .failure(.shutDown)) }
                loop.markStopped()
                curl_multi_cleanup(multi)
                logger.trace("HTTP event loop stopped")
                return
            }
            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.debug("curl_multi_perform failed", metadata: ["code": "\(performed.rawValue)"])
            }
            collectFinished()
            var ready: Int32 = 0
            // libcurl shortens the wait to its own next timeout; curl_multi_wakeup interrupts it.
            _ = curl_multi_poll(multi, nil, 0, 60_000, &ready)
        }
    }

    private func add(_ transfer: Transfer) {
        if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
            end(transfer, .failure(.cancelled))
            return
        }
        let code = curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            let message = String(cString: curl_multi_strerror(code))
            end(transfer, .failure(.transport(code: Int(code.rawValue), message: "could not start the transfer: \(message)")))
            return
        }
        active[transfer.easy] = transfer
        logger.trace("transfer started", metadata: ["request": "\(transfer.logDescription)"])
    }

    /// Takes a transfer out of the multi handle before libcurl finished it (cancel, shutdown).
    /// libcurl closes its connection rather than reuse a half-read one.
    private func remove(_ transfer: Transfer, _ outcome: Result<Void, HTTPError>) {
        guard active.removeValue(forKey: transfer.easy) != nil else { return }  // already finished
        curl_multi_remove_handle(multi, transfer.easy)
        end(transfer, outcome)
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // The message dies with curl_multi_remove_handle: read it first.
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(multi, easy)
            logger.debug("transfer finished", metadata: [
                "request": "\(transfer.logDescription)", "status": "\(transfer.status)", "curlCode": "\(code.rawValue)",
            ])
            transfer.finish(code: code)
            transfer.release()
        }
    }

    private func end(_ transfer: Transfer, _ outcome: Result<Void, HTTPError>) {
        logger.debug("transfer ended early", metadata: ["request": "\(transfer.logDescription)", "reason": "\(outcome)"])
        transfer.finish(outcome)
        transfer.release()
    }

    /// OpenSSL may write to a socket the peer closed; that must fail the write, not kill the
    /// process. SIGPIPE is delivered to the writing thread, so blocking it here is enough.
    private func ignoreBrokenPipes() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}
