import ChatOps
import Telegram

extension ChatInput {
    /// The ChatOps input an update carries: a text message from a person, or a button press on
    /// one of the bot's messages. Anything else (messages from bots, stickers, presses on
    /// messages too old to be reachable) carries none.
    /// See https://core.telegram.org/bots/api#update
    public init?(telegram update: Update) {
        if let message = update.message {
            guard let from = message.from, !from.isBot, let text = message.text else { return nil }
            self = .command(updateID: update.updateID, chatID: message.chat.id, messageID: message.messageID,
                            from: ChatUser(id: from.id, username: from.username), text: text)
            return
        }
        if let query = update.callbackQuery {
            guard let message = query.message, let data = query.data, !query.from.isBot else { return nil }
            self = .callback(updateID: update.updateID, callbackID: query.id,
                             message: ChatMessageRef(chatID: message.chat.id, messageID: message.messageID),
                             from: ChatUser(id: query.from.id, username: query.from.username), data: data)
            return
        }
        return nil
    }
}
