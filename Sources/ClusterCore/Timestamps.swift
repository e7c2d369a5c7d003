#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps as Kubernetes writes them (`2024-05-01T12:00:00Z`, optionally with
/// fractional seconds or a numeric offset), and the human durations kubectl shows for them.
public enum Timestamps {
    /// Seconds since the Unix epoch, or nil when `text` is not an RFC 3339 date-time.
    public static func secondsSinceEpoch(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for i in range {
                let c = chars[i]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 20,
              let year = number(0..<4), chars[4] == 45, let month = number(5..<7), chars[7] == 45,
              let day = number(8..<10), chars[10] == 84 || chars[10] == 116,
              let hour = number(11..<13), chars[13] == 58, let minute = number(14..<16), chars[16] == 58,
              let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if chars[index] == 46 {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < chars.count else { return nil }
        var offset = 0
        switch chars[index] {
        case 90, 122:
            guard index + 1 == chars.count else { return nil }
        case 43, 45:
            guard index + 6 == chars.count, let oh = number(index + 1..<index + 3), chars[index + 3] == 58,
                  let om = number(index + 4..<index + 6) else { return nil }
            offset = (oh * 3600 + om * 60) * (chars[index] == 43 ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    /// `2024-05-01T12:00:00Z`: RFC 3339 in UTC at second precision, as metadata carries it.
    ///
    /// Written by hand because the embedded cluster stamps every write and Foundation's
    /// `ISO8601DateFormatter` built a new ICU formatter per call (a tenth of the cluster's CPU
    /// under a burst of releases).
    public static func rfc3339(secondsSinceEpoch: Double) -> String {
        let whole = Int(secondsSinceEpoch.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let (year, month, day) = civilFromDays(days)
        var bytes = [UInt8]()
        bytes.reserveCapacity(20)
        func append(_ number: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = number
            while divisor > 0 {
                bytes.append(UInt8(48 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(45)
        append(month, digits: 2)
        bytes.append(45)
        append(day, digits: 2)
        bytes.append(84)
        append(secondOfDay / 3600, digits: 2)
        bytes.append(58)
        append(secondOfDay / 60 % 60, digits: 2)
        bytes.append(58)
        append(secondOfDay % 60, digits: 2)
        bytes.append(90)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The current time as `rfc3339(secondsSinceEpoch:)` writes it.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return rfc3339(secondsSinceEpoch: Double(spec.tv_sec))
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A duration the way kubectl prints ages (`5s`, `3m12s`, `2d3h`, `45d`, `3y20d`),
    /// following k8s.io/apimachinery/pkg/util/duration.HumanDuration.
    public static func humanDuration(seconds: Double) -> String {
        guard seconds.isFinite else { return "<invalid>" }
        let total = Int(max(-1e15, min(1e15, seconds)).rounded(.towardZero))
        if total < -1 { return "<invalid>" }
        if total < 0 { return "0s" }
        if total < 120 { return "\(total)s" }
        let minutes = total / 60
        if minutes < 10 {
            let s = total % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = total / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of `timestamp` at `now` (both RFC 3339), or `<unknown>` when either is missing
    /// or malformed, as kubectl's AGE column shows it.
    public static func age(of timestamp: String?, now: String) -> String {
        guard let timestamp, let then = secondsSinceEpoch(timestamp), let current = secondsSinceEpoch(now) else {
            return "<unknown>"
        }
        return humanDuration(seconds: current - then)
    }
}
