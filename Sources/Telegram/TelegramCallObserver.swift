/// What became of one attempt at a Bot API call, as far as reaching Telegram goes.
public enum TelegramCallOutcome: String, Sendable {
    /// Telegram answered and accepted the bot: `ok: true`, or a refusal of this one request
    /// (400 "message is not modified", 403 "bot was blocked by the user", …).
    case ok
    /// No usable answer: the network, a timeout, a 5xx, something not a Bot API envelope, a
    /// refused token (401), rate limiting (429) or a conflicting poller (409). The bot cannot
    /// do its work while these last.
    case error

    /// The outcome of an attempt that failed with `error`; nil for a cancelled call, which says
    /// nothing about Telegram.
    public init?(failure error: TelegramError) {
        switch error {
        case .cancelled, .invalidArgument:
            return nil
        case .api(_, let code, _):
            self = (400..<500).contains(code) && code != 404 ? .ok : .error
        case .rateLimited, .conflict, .unauthorized, .transport, .invalidResponse:
            self = .error
        }
    }
}

/// Told of every attempt at a Bot API call (each retry is an attempt): the method and its
/// outcome. Lets the executable keep metrics without this module depending on them.
public typealias TelegramCallObserver = @Sendable (_ method: String, _ outcome: TelegramCallOutcome) -> Void
