import JSON

/// A message the bot sent, as the fake server keeps it.
public struct FakeMessage: Sendable, Equatable {
    public var chatID: Int64
    public var messageID: Int64
    /// The text as sent, with markup.
    public var html: String
    /// The text a user sees.
    public var text: String
    public var buttons: [[FakeButton]]
    /// How many times the text or keyboard was changed after sending.
    public var editCount: Int
}

public struct FakeButton: Sendable, Equatable {
    public var text: String
    public var callbackData: String
}

/// An answerCallbackQuery the bot made.
public struct FakeCallbackAnswer: Sendable, Equatable {
    public var callbackID: String
    public var text: String?
    public var showAlert: Bool

    public init(callbackID: String, text: String?, showAlert: Bool) {
        self.callbackID = callbackID
        self.text = text
        self.showAlert = showAlert
    }
}

/// A user of the fake Telegram.
public struct FakeUser: Sendable, Equatable {
    public var id: Int64
    public var username: String?
    public var firstName: String

    public init(id: Int64, username: String? = nil, firstName: String = "Tester") {
        self.id = id
        self.username = username
        self.firstName = firstName
    }

    var json: JSONValue {
        var value: JSONValue = ["id": .int(Int(id)), "is_bot": false, "first_name": .string(firstName)]
        if let username { value["username"] = .string(username) }
        return value
    }
}

/// Misbehaviour the fake server can be asked for.
public enum FakeFault: Sendable, Equatable {
    /// 429 "Too Many Requests: retry after N" with parameters.retry_after.
    case tooManyRequests(retryAfter: Int)
    /// 502 with an HTML page, as a proxy in front of an unreachable server answers.
    case badGateway
    /// 500 "Internal Server Error".
    case internalError
}

/// One answer of the fake server: the HTTP status and the body.
struct FakeAnswer: Sendable {
    var status: Int
    var body: [UInt8]
    var contentType = "application/json"

    static func ok(_ result: JSONValue) -> FakeAnswer {
        FakeAnswer(status: 200, body: (["ok": true, "result": result] as JSONValue).jsonBytes())
    }

    /// The Bot API error envelope; Telegram uses the error code as the HTTP status.
    static func error(_ code: Int, _ description: String, retryAfter: Int? = nil) -> FakeAnswer {
        var envelope: JSONValue = ["ok": false, "error_code": .int(code), "description": .string(description)]
        if let retryAfter { envelope["parameters"] = ["retry_after": .int(retryAfter)] }
        return FakeAnswer(status: code, body: envelope.jsonBytes())
    }

    static func badRequest(_ description: String) -> FakeAnswer { error(400, "Bad Request: " + description) }

    static let notModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
    static let terminatedByOtherPoll = error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
    static let webhookActive = error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    static let unauthorized = error(401, "Unauthorized")
    static let notFound = error(404, "Not Found")
    static let badGatewayPage = FakeAnswer(
        status: 502, body: Array("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n".utf8),
        contentType: "text/html")
}
