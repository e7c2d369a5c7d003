/// When releases may start. Without `allowed` windows every hour is allowed, except during
/// `freezes`. Times of day are local to `timezone` (an IANA name, default UTC).
public struct DeploymentWindows: Codable, Sendable, Equatable {
    public var timezone: String?
    public var allowed: [AllowedWindow]?
    public var freezes: [Freeze]?
    /// What a request outside the windows does (default `wait`).
    public var outsideWindow: OutsideWindowPolicy?

    public init(timezone: String? = nil, allowed: [AllowedWindow]? = nil, freezes: [Freeze]? = nil,
                outsideWindow: OutsideWindowPolicy? = nil) {
        self.timezone = timezone
        self.allowed = allowed
        self.freezes = freezes
        self.outsideWindow = outsideWindow
    }

    public var effectiveTimezone: String { timezone ?? "UTC" }
    public var effectiveOutsideWindow: OutsideWindowPolicy { outsideWindow ?? .wait }
}

/// Days and hours in which a release may start. `start` and `end` are `HH:MM`; `end` may be
/// `24:00`; an end before the start spans midnight (22:00–02:00 starts on the listed days).
public struct AllowedWindow: Codable, Sendable, Equatable {
    public var days: [Weekday]
    public var start: String
    public var end: String

    public init(days: [Weekday], start: String, end: String) {
        self.days = days
        self.start = start
        self.end = end
    }
}

public enum Weekday: String, Codable, Sendable, CaseIterable {
    case monday = "Mon", tuesday = "Tue", wednesday = "Wed", thursday = "Thu", friday = "Fri", saturday = "Sat", sunday = "Sun"
}

/// A period (RFC 3339 times) in which no release may start, whatever the windows say.
public struct Freeze: Codable, Sendable, Equatable {
    public var start: String
    public var end: String
    public var reason: String?

    public init(start: String, end: String, reason: String? = nil) {
        self.start = start
        self.end = end
        self.reason = reason
    }
}

public enum OutsideWindowPolicy: String, Codable, Sendable, CaseIterable {
    /// Stay Queued, with a message saying when the window opens.
    case wait
    /// End Rejected.
    case reject
}
