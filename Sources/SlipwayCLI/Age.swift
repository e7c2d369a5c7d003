import Foundation

/// Ages and timestamps as kubectl shows them in its AGE column.
/// After k8s.io/apimachinery/pkg/util/duration `HumanDuration`.
public enum Age {
    /// `45s`, `3m20s`, `12m`, `5h30m`, `20h`, `3d4h`, `45d`, `2y30d`.
    public static func human(seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s" }
        let minutes = s / 60
        if minutes < 10 { return s % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(s % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = s / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`; `<unknown>` when it does not parse, as kubectl.
    public static func of(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = parse(timestamp) else { return "<unknown>" }
        return human(seconds: now.timeIntervalSince(date))
    }

    /// Parses `2026-11-25T12:00:00Z`, with or without fractional seconds.
    public static func parse(_ timestamp: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: timestamp) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: timestamp)
    }
}
