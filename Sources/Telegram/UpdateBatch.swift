import HTTP
import JSON

/// The updates of one getUpdates answer.
///
/// Nothing the bot has not handled may be confirmed, so an answer that cannot be read as a
/// whole (cut mid-JSON by a proxy or a dropped connection) is an error: the poller asks again
/// with the same offset and Telegram delivers the same updates again. Only an update that is
/// itself well-formed JSON with an `update_id` but not an update Slipway can decode is skipped
/// (its id is in `skippedIDs`, for the audit log), or Telegram would deliver it forever.
public struct UpdateBatch: Sendable, Equatable {
    public var updates: [Update]
    /// The highest `update_id` seen, decodable or not; the next offset is one more.
    public var highestID: Int64?
    /// The ids of updates that were well-formed JSON but could not be decoded.
    public var skippedIDs: [Int64]

    /// How many updates could not be decoded.
    public var skipped: Int { skippedIDs.count }

    public init(updates: [Update], highestID: Int64?, skippedIDs: [Int64] = []) {
        self.updates = updates
        self.highestID = highestID
        self.skippedIDs = skippedIDs
    }

    /// Reads a getUpdates answer. Invalid UTF-8 is replaced by U+FFFD first (the text then holds
    /// a character no command accepts); an answer that still does not parse is an error, so
    /// that none of its updates is confirmed unread.
    static func read(_ body: [UInt8], status: Int) throws(TelegramError) -> UpdateBatch {
        let envelope: JSONValue
        if let parsed = try? JSONValue(parsing: body) {
            envelope = parsed
        } else if let repaired = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)) {
            envelope = repaired
        } else if status == 200 {
            throw .invalidResponse(method: "getUpdates", detail: "the answer (\(body.count) bytes) is not complete JSON; asking again with the same offset")
        } else {
            throw TelegramClient.nonEnvelopeFailure(method: "getUpdates", status: status)
        }
        let result = try TelegramClient.unwrap(envelope, method: "getUpdates", status: status)
        guard let elements = result.arrayValue else {
            throw .invalidResponse(method: "getUpdates", detail: "the result is not an array")
        }
        var batch = UpdateBatch(updates: [], highestID: nil)
        for element in elements {
            guard let id = element["update_id"]?.intValue.map(Int64.init) else {
                // Without an id it cannot be confirmed or told apart: the answer is not Telegram's.
                throw .invalidResponse(method: "getUpdates", detail: "an update has no update_id")
            }
            batch.highestID = max(batch.highestID ?? id, id)
            if let update = try? element.decode(as: Update.self) {
                batch.updates.append(update)
            } else {
                batch.skippedIDs.append(id)
            }
        }
        batch.updates.sort { $0.updateID < $1.updateID }
        batch.skippedIDs.sort()
        return batch
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
