import JSON

/// Decoding objects read from the API or a file, with a failure reported as a field path
/// (`spec.strategy.canary.steps[2].setWeight: expected a number`) rather than a Swift
/// `DecodingError`: an object written while the schema was not enforced must end Rejected with a
/// message its author can act on.
public enum SlipwayDecoding {
    /// Decodes `value` as `type` (a `DeploymentTarget` or `DeploymentRequest`).
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(ValidationError) -> T {
        do {
            return try value.decode(as: type)
        } catch let error as DecodingError {
            throw ValidationError(issues: [issue(for: error)])
        } catch {
            throw ValidationError(issues: [ValidationIssue(field: "", message: "could not be read: \(error)")])
        }
    }

    /// Decodes and validates a target in one go.
    public static func target(from value: JSONValue) throws(ValidationError) -> DeploymentTarget {
        let target = try decode(DeploymentTarget.self, from: value)
        try target.validate()
        return target
    }

    /// Decodes and validates a request in one go.
    public static func request(from value: JSONValue) throws(ValidationError) -> DeploymentRequest {
        let request = try decode(DeploymentRequest.self, from: value)
        try request.validate()
        return request
    }

    static func issue(for error: DecodingError) -> ValidationIssue {
        switch error {
        case .keyNotFound(let key, let context):
            return ValidationIssue(field: path(context.codingPath + [key]), message: "Required value; add it")
        case .valueNotFound(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "must not be null; expected \(describe(type))")
        case .typeMismatch(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "has the wrong type; expected \(describe(type))")
        case .dataCorrupted(let context):
            // SchemaEnum words its failures as the API server does; other corruption says what it can.
            let message = context.debugDescription.hasPrefix("Unsupported value") ? context.debugDescription
                : "could not be read: \(context.debugDescription)"
            return ValidationIssue(field: path(context.codingPath), message: message)
        @unknown default:
            return ValidationIssue(field: "", message: "could not be read: \(error)")
        }
    }

    /// `spec.steps[2].setWeight` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
