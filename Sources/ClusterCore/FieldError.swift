import JSON

/// Field errors worded as k8s.io/apimachinery/pkg/util/validation/field words them, so that
/// `kubectl` shows the messages users know (`Required value`, `Invalid value: "x": ...`,
/// `Unsupported value: "x": supported values: "a", "b"`).
enum FieldError {
    static func required(detail: String = "", field: String) -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: withDetail("Required value", detail), field: field)
    }

    static func invalid(_ value: JSONValue, detail: String, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: withDetail("Invalid value: \(render(value))", detail), field: field)
    }

    /// A value of the wrong type: the value shown is the name of the type found.
    static func typeInvalid(_ value: JSONValue, detail: String, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueTypeInvalid", message: withDetail("Invalid value: \(render(value))", detail), field: field)
    }

    static func notSupported(_ value: JSONValue, supported: [String], field: String) -> StatusCause {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map { JSONValue.string($0).jsonString() }.joined(separator: ", ")
        return StatusCause(reason: "FieldValueNotSupported", message: withDetail("Unsupported value: \(render(value))", detail), field: field)
    }

    static func forbidden(_ detail: String, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueForbidden", message: withDetail("Forbidden", detail), field: field)
    }

    static func tooLong(maxLength: Int, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueTooLong", message: "Too long: may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")", field: field)
    }

    static func tooMany(actual: Int, max: Int, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueTooMany", message: "Too many: \(actual): must have at most \(max) \(max == 1 ? "item" : "items")", field: field)
    }

    static func withDetail(_ body: String, _ detail: String) -> String {
        detail.isEmpty ? body : "\(body): \(detail)"
    }

    /// A value as Go's `%v`/`%q` prints it in these messages: strings quoted, numbers bare,
    /// lists and maps as JSON.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string: return value.jsonString()
        case .double(let d): return number(d)
        default: return value.jsonString()
        }
    }

    /// A number as Go prints a float64 (`10`, not `10.0`).
    static func number(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}
