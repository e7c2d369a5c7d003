/// The Bot API objects the bot reads and writes, with the fields it uses. Identifiers of users,
/// chats and messages may exceed 32 bits, so they are `Int64`.
/// See https://core.telegram.org/bots/api#available-types

/// https://core.telegram.org/bots/api#user
public struct User: Codable, Sendable, Equatable {
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var username: String?

    public init(id: Int64, isBot: Bool = false, firstName: String, username: String? = nil) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.username = username
    }

    enum CodingKeys: String, CodingKey {
        case id, username
        case isBot = "is_bot"
        case firstName = "first_name"
    }
}

/// https://core.telegram.org/bots/api#chat
public struct Chat: Codable, Sendable, Equatable {
    public var id: Int64
    /// private, group, supergroup or channel.
    public var type: String
    public var title: String?
    public var username: String?

    public init(id: Int64, type: String = "private", title: String? = nil, username: String? = nil) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
    }
}

/// https://core.telegram.org/bots/api#message — also stands for an inaccessible message in a
/// callback query (then `date` is 0 and the rest is absent).
public struct Message: Codable, Sendable, Equatable {
    public var messageID: Int64
    public var from: User?
    public var chat: Chat
    public var date: Int64
    public var text: String?

    public init(messageID: Int64, from: User? = nil, chat: Chat, date: Int64, text: String? = nil) {
        self.messageID = messageID
        self.from = from
        self.chat = chat
        self.date = date
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case from, chat, date, text
        case messageID = "message_id"
    }
}

/// https://core.telegram.org/bots/api#callbackquery
public struct CallbackQuery: Codable, Sendable, Equatable {
    public var id: String
    public var from: User
    public var message: Message?
    public var chatInstance: String
    public var data: String?

    public init(id: String, from: User, message: Message? = nil, chatInstance: String, data: String? = nil) {
        self.id = id
        self.from = from
        self.message = message
        self.chatInstance = chatInstance
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case id, from, message, data
        case chatInstance = "chat_instance"
    }
}

/// https://core.telegram.org/bots/api#update — only the kinds the bot asks for are typed.
public struct Update: Codable, Sendable, Equatable {
    public var updateID: Int64
    public var message: Message?
    public var callbackQuery: CallbackQuery?

    public init(updateID: Int64, message: Message? = nil, callbackQuery: CallbackQuery? = nil) {
        self.updateID = updateID
        self.message = message
        self.callbackQuery = callbackQuery
    }

    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
        case callbackQuery = "callback_query"
    }

    /// The update kinds the bot handles, as `allowed_updates` names them.
    public static let handledKinds = ["message", "callback_query"]
}

/// https://core.telegram.org/bots/api#inlinekeyboardbutton — callback buttons only.
public struct InlineKeyboardButton: Codable, Sendable, Equatable {
    public var text: String
    public var callbackData: String

    public init(text: String, callbackData: String) {
        self.text = text
        self.callbackData = callbackData
    }

    enum CodingKeys: String, CodingKey {
        case text
        case callbackData = "callback_data"
    }

    /// Telegram refuses callback data longer than this many bytes (BUTTON_DATA_INVALID).
    public static let maximumCallbackDataBytes = 64
}

/// https://core.telegram.org/bots/api#botcommand
public struct BotCommand: Codable, Sendable, Equatable {
    /// 1–32 characters: lowercase letters, digits and underscores.
    public var command: String
    /// 1–256 characters.
    public var description: String

    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}

/// https://core.telegram.org/bots/api#botcommandscope — the scopes the bot uses.
public enum BotCommandScope: Sendable, Equatable {
    case defaultScope
    case allPrivateChats
    /// One chat: with per-chat scopes each user sees the commands their role allows.
    case chat(Int64)
}
