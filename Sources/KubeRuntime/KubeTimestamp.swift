import Foundation

/// The two time formats of the Kubernetes API.
/// See https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/ (Time, MicroTime).
enum KubeTimestamp {
    /// `metav1.Time`: RFC 3339 in UTC, whole seconds (`2026-11-25T10:04:05Z`).
    static func time(_ date: Date) -> String {
        let (parts, _) = utcComponents(date)
        return parts
    }

    /// `metav1.MicroTime`: RFC 3339 in UTC with exactly six fractional digits, which the API
    /// server's parser requires (`2026-11-25T10:04:05.123456Z`).
    static func microTime(_ date: Date) -> String {
        let (parts, micros) = utcComponents(date)
        let fraction = String(micros)
        return String(parts.dropLast()) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    private static func utcComponents(_ date: Date) -> (String, Int) {
        var seconds = date.timeIntervalSince1970.rounded(.down)
        var micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            micros -= 1_000_000
            seconds += 1
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let text = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
        return (text, micros)
    }
}
