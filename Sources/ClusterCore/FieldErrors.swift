import JSON

/// Field-level causes worded as the API server words them (k8s.io/apimachinery
/// pkg/util/validation/field), so kubectl shows users the messages they know:
/// `spec.selector: Required value`, `spec.ports[0].port: Invalid value: 0: must be between 1
/// and 65535, inclusive`.
enum FieldErrors {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        default: return value.jsonString()
        }
    }

    static func required(_ field: String, _ detail: String = "") -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: detail.isEmpty ? "Required value" : "Required value: \(detail)", field: field)
    }

    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(render(value)): \(detail)", field: field)
    }

    static func notSupported(_ field: String, _ value: JSONValue, _ supported: [String]) -> StatusCause {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: \(render(value)): supported values: \(list)", field: field)
    }

    static func duplicate(_ field: String, _ value: JSONValue) -> StatusCause {
        StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \(render(value))", field: field)
    }

    static func forbidden(_ field: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
    }

    static func typeInvalid(_ field: String, _ value: JSONValue, expected: String) -> StatusCause {
        StatusCause(reason: "FieldValueTypeInvalid", message: "Invalid value: \(render(value)): must be of type \(expected)", field: field)
    }

    static func immutable(_ field: String, _ value: JSONValue) -> StatusCause {
        invalid(field, value, "field is immutable")
    }

    /// RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63.
    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 63 else { return false }
        let bytes = Array(text.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 45 }
    }

    /// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// A ConfigMap or Secret key: alphanumerics, '-', '_' and '.', at most 253 characters.
    static func isConfigKey(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253, text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46
        }
    }
}
