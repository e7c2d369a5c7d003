import Foundation
import SlipwayAPI

/// Deployment windows in words for a chat reply: "production opens Monday 09:00
/// Europe/Berlin". Times are shown in the target's own time zone, the one its windows are
/// written in, so the sentence matches the DeploymentTarget a reader would look up.
public enum WindowWording {
    /// A sentence (plain text) for a closed window; nil when `decision` is open.
    public static func sentence(environment: String, decision: WindowDecision, timezone: String, now: Date) -> String? {
        let opening = decision.opensAt.map { "\(environment) opens \(moment($0, timezone: timezone, now: now))" }
            ?? "no deployment window of \(environment) opens in the coming year"
        switch decision {
        case .open:
            return nil
        case .frozen(let reason, _):
            return "Deployments to \(environment) are frozen" + (reason.map { " (\($0))" } ?? "") + "; " + opening + "."
        case .outsideWindows:
            return "\(environment) is outside its deployment windows; " + opening + "."
        }
    }

    /// `Monday 09:00 Europe/Berlin`, with the date when more than six days away.
    public static func moment(_ date: Date, timezone: String, now: Date) -> String {
        let known = TimeZone(identifier: timezone)
        let zone = known ?? TimeZone(identifier: "UTC") ?? .current
        // As the target writes it (Foundation calls UTC "GMT").
        let zoneName = known == nil ? "UTC" : timezone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.weekday, .hour, .minute, .day, .month, .year], from: date)
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let weekday = parts.weekday.map { weekdays[($0 - 1) % 7] } ?? ""
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        var text = weekday
        if date.timeIntervalSince(now) > 6 * 86_400, let day = parts.day, let month = parts.month {
            text += " \(day) \(months[(month - 1) % 12])"
            if let year = parts.year, year != calendar.component(.year, from: now) { text += " \(year)" }
        }
        return "\(text) \(time) \(zoneName)"
    }
}
