import JSON

/// A coding key for any member name.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The members of a JSON object that its Swift type does not model, kept so that decoding and
/// encoding again gives back what the server sent (a container's `resources`, `volumeMounts`,
/// `securityContext` ... survive a read-modify-write).
///
/// Equality ignores member order, as JSON does.
public struct UnknownFields: Sendable, Equatable {
    public var fields: OrderedDictionary<String, JSONValue>

    public static func == (lhs: UnknownFields, rhs: UnknownFields) -> Bool {
        JSONValue.object(lhs.fields).sortingKeys() == JSONValue.object(rhs.fields).sortingKeys()
    }

    public init(_ fields: OrderedDictionary<String, JSONValue> = [:]) {
        self.fields = fields
    }

    public subscript(key: String) -> JSONValue? {
        get { fields[key] }
        set { fields[key] = newValue }
    }

    /// Reads every member of the decoder's object whose name is not in `known`.
    init(from decoder: any Decoder, known: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var fields = OrderedDictionary<String, JSONValue>()
        for key in container.allKeys where !known.contains(key.stringValue) {
            fields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.fields = fields
    }

    /// Writes the kept members next to the modelled ones (a modelled member wins on a clash).
    func encode(to encoder: any Encoder, known: Set<String>) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for (key, value) in fields where !known.contains(key) {
            try container.encode(value, forKey: AnyCodingKey(key))
        }
    }
}

extension JSONValue {
    /// The same value with every object's members in key order, for order-blind comparison.
    func sortingKeys() -> JSONValue {
        switch self {
        case .object(let members):
            var sorted = OrderedDictionary<String, JSONValue>()
            for key in members.keys.sorted() { sorted[key] = members[key]?.sortingKeys() }
            return .object(sorted)
        case .array(let elements):
            return .array(elements.map { $0.sortingKeys() })
        default:
            return self
        }
    }
}
