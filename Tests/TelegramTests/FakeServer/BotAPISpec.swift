import Foundation
import JSON

/// The Bot API's methods and types as published (`telegram-bot-api.json`), used to check that
/// every call names a real method with real parameters of the right types, and carries the
/// required ones.
public struct BotAPISpec: Sendable {
    private let methods: [String: [Field]]
    private let types: [String: TypeEntry]

    struct Field: Sendable {
        var name: String
        var types: [String]
        var required: Bool
    }

    struct TypeEntry: Sendable {
        var fields: [Field]
        var subtypes: [String]
    }

    /// `../shared/reference/telegram-bot-api.json` from the repository root (or from a directory
    /// further up); `TELEGRAM_BOT_API_SPEC` overrides it.
    public static func defaultPath(file: String = #filePath) -> String? {
        if let path = ProcessInfo.processInfo.environment["TELEGRAM_BOT_API_SPEC"] { return path }
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Package.swift")
            if FileManager.default.fileExists(atPath: candidate.path) { break }
            directory = directory.deletingLastPathComponent()
        }
        // The reference sits next to the repository (`../shared/...`); a checkout nested one
        // level deeper (a worktree) finds it further up.
        while directory.path != "/" {
            directory = directory.deletingLastPathComponent()
            let reference = directory.appendingPathComponent("shared/reference/telegram-bot-api.json")
            if FileManager.default.fileExists(atPath: reference.path) { return reference.path }
        }
        return nil
    }

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FakeTelegramError("cannot read the Bot API reference at \(path)")
        }
        let root = try JSONValue(parsing: [UInt8](data))
        func fields(_ value: JSONValue?) -> [Field] {
            (value?.arrayValue ?? []).compactMap { field in
                guard let name = field["name"]?.stringValue else { return nil }
                return Field(name: name, types: (field["types"]?.arrayValue ?? []).compactMap(\.stringValue),
                             required: field["required"]?.boolValue ?? false)
            }
        }
        var methods: [String: [Field]] = [:]
        for (name, method) in root["methods"]?.objectValue ?? [:] { methods[name] = fields(method["fields"]) }
        var types: [String: TypeEntry] = [:]
        for (name, type) in root["types"]?.objectValue ?? [:] {
            types[name] = TypeEntry(fields: fields(type["fields"]), subtypes: (type["subtypes"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        guard !methods.isEmpty else { throw FakeTelegramError("the Bot API reference at \(path) lists no methods") }
        self.methods = methods
        self.types = types
    }

    /// Every way `parameters` does not match `method`; empty when the call is as documented.
    public func violations(method: String, parameters: JSONValue) -> [String] {
        guard let fields = methods[method] else { return ["\(method): no such Bot API method"] }
        guard let object = parameters.objectValue else { return ["\(method): the parameters are not a JSON object"] }
        return check(object, fields: fields, context: method)
    }

    private func check(_ object: OrderedDictionary<String, JSONValue>, fields: [Field], context: String) -> [String] {
        var problems: [String] = []
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for field in fields where field.required && object[field.name] == nil {
            problems.append("\(context): required parameter \(field.name) is missing")
        }
        for (name, value) in object {
            guard let field = byName[name] else {
                problems.append("\(context): unknown parameter \(name)")
                continue
            }
            let attempts = field.types.map { check(value, type: $0, context: "\(context).\(name)") }
            if !attempts.contains(where: \.isEmpty) {
                problems.append(contentsOf: attempts.first ?? ["\(context).\(name): no type"])
            }
        }
        return problems
    }

    private func check(_ value: JSONValue, type: String, context: String) -> [String] {
        if type.hasPrefix("Array of ") {
            guard let elements = value.arrayValue else { return ["\(context): expected \(type), got \(value.typeName)"] }
            let elementType = String(type.dropFirst("Array of ".count))
            return elements.enumerated().flatMap { check($1, type: elementType, context: "\(context)[\($0)]") }
        }
        switch type {
        case "Integer":
            return value.intValue != nil && !value.isDouble ? [] : ["\(context): expected Integer, got \(value.typeName)"]
        case "Float":
            return value.doubleValue != nil ? [] : ["\(context): expected Float, got \(value.typeName)"]
        case "String":
            return value.stringValue != nil ? [] : ["\(context): expected String, got \(value.typeName)"]
        case "Boolean", "True":
            return value.boolValue != nil ? [] : ["\(context): expected Boolean, got \(value.typeName)"]
        case "InputFile":
            return []
        default:
            guard let entry = types[type] else { return ["\(context): unknown type \(type)"] }
            guard let object = value.objectValue else { return ["\(context): expected \(type), got \(value.typeName)"] }
            if !entry.subtypes.isEmpty {
                let attempts = entry.subtypes.map { check(value, type: $0, context: context) }
                return attempts.contains(where: \.isEmpty) ? [] : ["\(context): matches none of \(entry.subtypes.joined(separator: ", "))"]
            }
            var problems = check(object, fields: entry.fields, context: "\(context)<\(type)>")
            // Subtypes of a union are told apart by a fixed `type` (BotCommandScopeChat: "chat").
            if let expected = Self.discriminators[type], object["type"]?.stringValue != expected {
                problems.append("\(context)<\(type)>: type must be \"\(expected)\"")
            }
            return problems
        }
    }

    static let discriminators: [String: String] = [
        "BotCommandScopeDefault": "default", "BotCommandScopeAllPrivateChats": "all_private_chats",
        "BotCommandScopeAllGroupChats": "all_group_chats", "BotCommandScopeAllChatAdministrators": "all_chat_administrators",
        "BotCommandScopeChat": "chat", "BotCommandScopeChatAdministrators": "chat_administrators",
        "BotCommandScopeChatMember": "chat_member",
    ]
}

public struct FakeTelegramError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    var isDouble: Bool {
        if case .double = self { return true }
        return false
    }
}
