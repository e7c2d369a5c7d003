import Foundation

/// How often someone without a role is told so. A stranger's every message would otherwise
/// get a reply: 30 messages, 30 replies, each a Bot API call that Telegram may answer with a
/// 429 for the whole chat. In a group the first refusal is enough (later ones only add noise
/// for everyone in it), so a stranger hears it once per `groupQuietPeriod`; in a private chat
/// at most once per `privateInterval`. Every refusal is still audited.
struct RefusalLimiter: Sendable {
    var groupQuietPeriod: TimeInterval = 3_600
    var privateInterval: TimeInterval = 60
    /// The most (chat, user) pairs remembered; the oldest are forgotten past it, so a flood of
    /// strangers cannot grow the table without bound.
    var capacity = 10_000
    private var lastReply: [Key: Date] = [:]

    private struct Key: Hashable {
        var chatID: Int64
        var userID: Int64
    }

    /// Whether to reply to this refusal now; records the reply when it says yes.
    /// Group and supergroup ids are negative in Telegram; private chats have the user's id.
    mutating func shouldReply(chatID: Int64, userID: Int64, now: Date) -> Bool {
        let key = Key(chatID: chatID, userID: userID)
        let quiet = chatID < 0 ? groupQuietPeriod : privateInterval
        if let last = lastReply[key], now.timeIntervalSince(last) < quiet { return false }
        if lastReply.count >= capacity {
            lastReply = lastReply.filter { now.timeIntervalSince($0.value) < max(groupQuietPeriod, privateInterval) }
            if lastReply.count >= capacity, let oldest = lastReply.min(by: { $0.value < $1.value })?.key {
                lastReply[oldest] = nil
            }
        }
        lastReply[key] = now
        return true
    }
}
