import JSON

extension FieldError {
    /// A value that appears twice where it must be unique (port names, container names).
    static func duplicate(_ value: JSONValue, field: String) -> StatusCause {
        StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \(render(value))", field: field)
    }

    /// A field an update may not change (a Deployment's selector, a Service's cluster IP).
    static func immutable(_ value: JSONValue, field: String) -> StatusCause {
        invalid(value, detail: "field is immutable", field: field)
    }
}
