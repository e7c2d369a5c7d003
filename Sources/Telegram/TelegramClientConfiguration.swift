/// Where the Bot API is and how patiently to call it.
public struct TelegramClientConfiguration: Sendable {
    /// `https://api.telegram.org`, or a local Bot API server / a test server.
    public var apiURL: String
    /// Limit for one ordinary call; long polls add their own timeout to it.
    public var requestTimeout: Duration
    /// Attempts per call when Telegram rate-limits or cannot be reached (1 = no retry).
    public var maxAttempts: Int
    /// The longest `retry_after` obeyed inside one call; a longer one is returned to the caller.
    public var longestRetryAfter: Duration
    /// Pauses between attempts after network failures and 5xx answers.
    public var backoff: Backoff

    public init(apiURL: String = "https://api.telegram.org", requestTimeout: Duration = .seconds(30), maxAttempts: Int = 8,
                longestRetryAfter: Duration = .seconds(120), backoff: Backoff = Backoff()) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.longestRetryAfter = longestRetryAfter
        self.backoff = backoff
    }
}
