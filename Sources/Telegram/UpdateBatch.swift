import HTTP
import JSON

/// The updates of one getUpdates answer, read so that one unreadable update never blocks the
/// queue: an update that cannot be decoded is skipped, yet its `update_id` still moves the
/// offset on, or Telegram would deliver it again forever.
public struct UpdateBatch: Sendable, Equatable {
    public var updates: [Update]
    /// The highest `update_id` seen, decodable or not; the next offset is one more.
    public var highestID: Int64?
    /// How many updates could not be read.
    public var skipped: Int

    public init(updates: [Update], highestID: Int64?, skipped: Int) {
        self.updates = updates
        self.highestID = highestID
        self.skipped = skipped
    }

    /// Reads a getUpdates answer. Invalid UTF-8 is replaced by U+FFFD first (the text then holds
    /// a character no command accepts); when even that does not parse, the update ids are
    /// found by a plain scan and every update is skipped.
    static func read(_ body: [UInt8], status: Int) throws(TelegramError) -> UpdateBatch {
        let envelope: JSONValue
        if let parsed = try? JSONValue(parsing: body) {
            envelope = parsed
        } else if let repaired = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)) {
            envelope = repaired
        } else if status == 200, let highest = scanUpdateIDs(body).max() {
            return UpdateBatch(updates: [], highestID: highest, skipped: scanUpdateIDs(body).count)
        } else {
            throw TelegramClient.nonEnvelopeFailure(method: "getUpdates", status: status)
        }
        let result = try TelegramClient.unwrap(envelope, method: "getUpdates", status: status)
        guard let elements = result.arrayValue else {
            throw .invalidResponse(method: "getUpdates", detail: "the result is not an array")
        }
        var batch = UpdateBatch(updates: [], highestID: nil, skipped: 0)
        for element in elements {
            if let id = element["update_id"]?.intValue {
                batch.highestID = max(batch.highestID ?? Int64(id), Int64(id))
            }
            if let update = try? element.decode(as: Update.self) {
                batch.updates.append(update)
            } else {
                batch.skipped += 1
            }
        }
        batch.updates.sort { $0.updateID < $1.updateID }
        return batch
    }

    /// Every `"update_id":N` in raw bytes.
    static func scanUpdateIDs(_ body: [UInt8]) -> [Int64] {
        let key = Array("\"update_id\"".utf8)
        var ids: [Int64] = []
        var index = 0
        while index + key.count <= body.count {
            guard body[index..<(index + key.count)].elementsEqual(key) else { index += 1; continue }
            index += key.count
            while index < body.count, body[index] == UInt8(ascii: " ") || body[index] == UInt8(ascii: ":") { index += 1 }
            var value: Int64 = 0, digits = 0
            while index < body.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[index]), digits < 18 {
                value = value * 10 + Int64(body[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            if digits > 0 { ids.append(value) }
        }
        return ids
    }
}

extension TelegramClient {
    /// https://core.telegram.org/bots/api#getupdates — one long poll. Passing `offset` confirms
    /// every update below it. Only message and callback_query updates are asked for.
    public func getUpdates(offset: Int64?, timeout: Duration, limit: Int = 100) async throws(TelegramError) -> UpdateBatch {
        var parameters: JSONValue = [
            "timeout": .int(Int(timeout.components.seconds)), "limit": .int(limit),
            "allowed_updates": .array(Update.handledKinds.map { .string($0) }),
        ]
        if let offset { parameters["offset"] = .int(Int(offset)) }
        let response = try await post("getUpdates", parameters, timeout: timeout + configuration.requestTimeout)
        return try UpdateBatch.read(response.body, status: response.status)
    }
}
