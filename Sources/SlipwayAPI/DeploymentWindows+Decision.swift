import Foundation

/// Whether a release may start at a given moment, and if not, when it may.
public enum WindowDecision: Sendable, Equatable {
    case open
    /// Inside a freeze. `opensAt`: the first moment after it that the windows allow (nil when
    /// none within a year of the freeze's end).
    case frozen(reason: String?, opensAt: Date?)
    /// Outside every allowed window. `opensAt`: when the next one opens (nil when none does).
    case outsideWindows(opensAt: Date?)

    public var isOpen: Bool { self == .open }

    public var opensAt: Date? {
        switch self {
        case .open: nil
        case .frozen(_, let opensAt), .outsideWindows(let opensAt): opensAt
        }
    }

    /// A sentence for the request's message: why it waits and until when.
    public var message: String {
        let until = opensAt.map { "; the next window opens at \(RFC3339.string(from: $0))" } ?? "; no window opens in the coming year"
        switch self {
        case .open: return "inside the deployment windows"
        case .frozen(let reason, _): return "deployments are frozen" + (reason.map { " (\($0))" } ?? "") + until
        case .outsideWindows: return "outside the deployment windows" + until
        }
    }
}

extension DeploymentWindows {
    /// The decision at `date`. Windows are read in `timezone` with its daylight-saving rules; a
    /// window whose end is before its start runs past midnight into the next day. An invalid
    /// time zone (validation reports it) keeps everything closed rather than guess.
    public func decision(at date: Date) -> WindowDecision {
        guard let calendar = calendar else { return .outsideWindows(opensAt: nil) }
        if let freeze = activeFreeze(at: date) {
            let end = RFC3339.date(from: freeze.end) ?? date
            return .frozen(reason: freeze.reason, opensAt: nextOpening(after: end, calendar: calendar, including: true))
        }
        if isAllowed(date, calendar: calendar) { return .open }
        return .outsideWindows(opensAt: nextOpening(after: date, calendar: calendar, including: false))
    }

    private var calendar: Calendar? {
        guard let zone = TimeZone(identifier: effectiveTimezone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    private func activeFreeze(at date: Date) -> Freeze? {
        (freezes ?? []).first { freeze in
            guard let start = RFC3339.date(from: freeze.start), let end = RFC3339.date(from: freeze.end) else { return false }
            return start <= date && date < end
        }
    }

    /// Whether the allowed windows (ignoring freezes) include `date`.
    private func isAllowed(_ date: Date, calendar: Calendar) -> Bool {
        guard let allowed, !allowed.isEmpty else { return true }
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday.flatMap(Weekday.init(calendarWeekday:)), let hour = parts.hour, let minute = parts.minute else {
            return false
        }
        let now = hour * 60 + minute
        return allowed.contains { window in
            guard let start = Self.minutes(window.start), let end = Self.minutes(window.end), start != end else { return false }
            if start < end { return window.days.contains(weekday) && start <= now && now < end }
            // Past midnight: the evening part on a listed day, the morning part on the day after.
            return (window.days.contains(weekday) && now >= start) || (window.days.contains(weekday.previous) && now < end)
        }
    }

    /// The first moment at or after `date` (strictly after unless `including`) that no freeze
    /// covers and the windows allow. Candidates are `date` itself, every window start, and every
    /// freeze end, over the year that follows.
    private func nextOpening(after date: Date, calendar: Calendar, including: Bool) -> Date? {
        var candidates: [Date] = including ? [date] : []
        for freeze in freezes ?? [] {
            if let end = RFC3339.date(from: freeze.end), end > date { candidates.append(end) }
        }
        let starts = (allowed ?? []).compactMap { Self.minutes($0.start) }
        if !starts.isEmpty {
            let firstDay = calendar.startOfDay(for: date)
            for offset in 0...366 {
                guard let day = calendar.date(byAdding: .day, value: offset, to: firstDay) else { continue }
                for start in Set(starts) {
                    if let moment = calendar.date(bySettingHour: start / 60, minute: start % 60, second: 0, of: day), moment > date {
                        candidates.append(moment)
                    }
                }
            }
        }
        return candidates.sorted().first { activeFreeze(at: $0) == nil && isAllowed($0, calendar: calendar) }
    }

    /// Minutes since midnight of `HH:MM` (`24:00` is 1440).
    static func minutes(_ time: String) -> Int? {
        let parts = time.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...24).contains(hours), (0...59).contains(minutes), hours * 60 + minutes <= 1440 else { return nil }
        return hours * 60 + minutes
    }
}

extension Weekday {
    /// From `Calendar`'s weekday numbering (1 is Sunday).
    init?(calendarWeekday: Int) {
        let order: [Weekday] = [.sunday, .monday, .tuesday, .wednesday, .thursday, .friday, .saturday]
        guard (1...7).contains(calendarWeekday) else { return nil }
        self = order[calendarWeekday - 1]
    }

    var previous: Weekday {
        let all = Weekday.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + all.count - 1) % all.count]
    }
}
