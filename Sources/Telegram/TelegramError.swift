/// Why a Bot API call failed. Every message is free of the bot token: the token sits in the
/// URL path of each call, so transport messages are redacted before they get here.
///
/// The Bot API answers with an envelope `{ok, result | error_code, description, parameters}`;
/// see https://core.telegram.org/bots/api#making-requests and
/// https://core.telegram.org/bots/api#responseparameters
public enum TelegramError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server refused the call; `description` is Telegram's own wording.
    case api(method: String, code: Int, description: String)
    /// 429: too many requests; retry after the given number of seconds.
    case rateLimited(method: String, retryAfter: Int)
    /// 409: another process polls with this token, or a webhook is set while polling.
    case conflict(method: String, description: String)
    /// 401: the token is wrong or was revoked.
    case unauthorized(method: String)
    /// The request never got a Bot API answer (connection refused, timeout, a proxy's 5xx page).
    case transport(method: String, message: String)
    /// The answer was not a Bot API envelope, or its result did not have the expected shape.
    case invalidResponse(method: String, detail: String)
    /// Something the caller passed cannot be sent (empty text, oversized callback data, bad token file).
    case invalidArgument(String)
    case cancelled

    public var description: String {
        switch self {
        case .api(let method, let code, let description):
            return "Telegram refused \(method) (\(code)): \(description)"
        case .rateLimited(let method, let retryAfter):
            return "Telegram rate-limited \(method); retry after \(retryAfter) s"
        case .conflict(let method, let description):
            return "Telegram refused \(method) with a conflict (\(description)): another bot instance is polling with this token, "
                + "or a webhook is set; stop the other instance, or call deleteWebhook before polling"
        case .unauthorized(let method):
            return "Telegram refused \(method): the bot token is not valid (Unauthorized); check the token file or TELEGRAM_BOT_TOKEN"
        case .transport(let method, let message):
            return "could not reach the Telegram Bot API for \(method): \(message)"
        case .invalidResponse(let method, let detail):
            return "the Telegram Bot API answered \(method) with something unexpected: \(detail)"
        case .invalidArgument(let message):
            return message
        case .cancelled:
            return "the Telegram call was cancelled"
        }
    }

    /// Errors worth trying again after a pause: the server or the network, not the request.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .transport: return true
        case .api(_, let code, _): return code >= 500
        default: return false
        }
    }
}
