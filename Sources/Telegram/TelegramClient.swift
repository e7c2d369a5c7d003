import HTTP
import JSON
import Logging

/// A Bot API client over the project's libcurl transport.
///
/// Every call is a POST of a JSON object to `<apiURL>/bot<token>/<method>`; the answer is the
/// Bot API envelope `{ok, result}` or `{ok: false, error_code, description, parameters}`, and
/// the envelope, not the HTTP status, decides what happened. `call` obeys `retry_after` on 429
/// and backs off with jitter after network failures and 5xx answers; `callOnce` does neither.
/// See https://core.telegram.org/bots/api#making-requests
public final class TelegramClient: Sendable {
    public let token: BotToken
    public let configuration: TelegramClientConfiguration
    private let http: HTTPClient
    private let logger: Logger
    private let observer: TelegramCallObserver?

    /// - Parameter observer: told of every attempt at a call and how it ended (for metrics).
    public init(token: BotToken, configuration: TelegramClientConfiguration = .init(), http: HTTPClient, logger: Logger,
                observer: TelegramCallObserver? = nil) {
        self.token = token
        self.configuration = configuration
        self.http = http
        self.logger = logger
        self.observer = observer
    }

    /// Calls `method`, retrying what is worth retrying: 429 after `retry_after` (when not longer
    /// than `longestRetryAfter`), network failures and 5xx after a backoff, up to `maxAttempts`.
    public func call(_ method: String, _ parameters: JSONValue = .emptyObject, timeout: Duration? = nil) async throws(TelegramError) -> JSONValue {
        var attempt = 0
        while true {
            let failure: TelegramError
            do {
                return try await callOnce(method, parameters, timeout: timeout)
            } catch {
                failure = error
            }
            attempt += 1
            guard failure.isRetryable, attempt < configuration.maxAttempts else { throw failure }
            let pause: Duration
            if case .rateLimited(_, let retryAfter) = failure {
                pause = .seconds(retryAfter)
                guard pause <= configuration.longestRetryAfter else { throw failure }
            } else {
                pause = configuration.backoff.delay(attempt: attempt - 1)
            }
            logger.debug("Telegram call will be retried", metadata: [
                "method": "\(method)", "attempt": "\(attempt)", "pause": "\(pause)", "reason": "\(failure)",
            ])
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw .cancelled
            }
        }
    }

    /// One attempt at `method`, reported to the observer.
    public func callOnce(_ method: String, _ parameters: JSONValue = .emptyObject, timeout: Duration? = nil) async throws(TelegramError) -> JSONValue {
        let result: JSONValue
        do {
            result = try await attempt(method, parameters, timeout: timeout)
        } catch {
            if let observer, let outcome = TelegramCallOutcome(failure: error) { observer(method, outcome) }
            throw error
        }
        observer?(method, .ok)
        return result
    }

    private func attempt(_ method: String, _ parameters: JSONValue, timeout: Duration?) async throws(TelegramError) -> JSONValue {
        let response = try await post(method, parameters, timeout: timeout)
        let envelope: JSONValue
        do {
            envelope = try JSONValue(parsing: response.body)
        } catch {
            throw Self.nonEnvelopeFailure(method: method, status: response.status)
        }
        return try Self.unwrap(envelope, method: method, status: response.status)
    }

    /// Sends the call and returns the raw answer, whatever its status.
    func post(_ method: String, _ parameters: JSONValue, timeout: Duration?) async throws(TelegramError) -> HTTPResponse {
        let request = HTTPRequest(
            method: "POST", url: "\(configuration.apiURL)/bot\(token.secret)/\(method)",
            headers: [(name: "Content-Type", value: "application/json")],
            body: parameters.jsonBytes(), timeout: timeout ?? configuration.requestTimeout)
        do {
            return try await http.execute(request)
        } catch {
            switch error {
            case .cancelled, .shutDown: throw .cancelled
            case .timedOut: throw .transport(method: method, message: "the request timed out")
            default: throw .transport(method: method, message: token.redact(error.description))
            }
        }
    }

    /// A body that is not an envelope: a proxy's error page, or an outage.
    static func nonEnvelopeFailure(method: String, status: Int) -> TelegramError {
        if status >= 500 || status == 0 {
            return .transport(method: method, message: "HTTP status \(status) without a Bot API answer")
        }
        return .invalidResponse(method: method, detail: "HTTP status \(status) with a body that is not a Bot API envelope")
    }

    /// The envelope's result, or the error it describes.
    static func unwrap(_ envelope: JSONValue, method: String, status: Int) throws(TelegramError) -> JSONValue {
        guard let ok = envelope["ok"]?.boolValue else { throw nonEnvelopeFailure(method: method, status: status) }
        if ok {
            guard let result = envelope["result"] else {
                throw .invalidResponse(method: method, detail: "ok without a result")
            }
            return result
        }
        let code = envelope["error_code"]?.intValue ?? status
        let description = envelope["description"]?.stringValue ?? "no description"
        switch code {
        case 429:
            throw .rateLimited(method: method, retryAfter: max(1, envelope[path: "parameters", "retry_after"]?.intValue ?? 1))
        case 409:
            throw .conflict(method: method, description: description)
        case 401:
            throw .unauthorized(method: method)
        default:
            throw .api(method: method, code: code, description: description)
        }
    }

    /// Decodes a result into a typed value.
    func decode<T: Decodable>(_ value: JSONValue, as type: T.Type, method: String) throws(TelegramError) -> T {
        do {
            return try value.decode(as: T.self)
        } catch {
            throw .invalidResponse(method: method, detail: "the result is not a \(T.self)")
        }
    }
}
