import Foundation

/// Reads the API's timestamps (`metav1.Time`, `metav1.MicroTime`: RFC 3339 in UTC, whole or
/// fractional seconds) as written into status by the controller.
enum KubeTime {
    static func parse(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            fraction = Double("0" + text[dot..<zone]) ?? 0
            whole = String(text[..<dot]) + String(text[zone...])
        }
        guard let date = try? Date(whole, strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
