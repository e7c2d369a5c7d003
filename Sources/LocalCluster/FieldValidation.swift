import Foundation
import ClusterCore
import HTTPTypes
import JSON
import Synchronization

/// Server-side field validation (`fieldValidation=Strict|Warn|Ignore`): fields of a body that
/// the resource's schema does not declare fail the request, come back as `Warning` headers,
/// or are dropped silently. kubectl asks for Strict; the default is Warn.
/// See https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
struct FieldValidation {
    enum Level { case strict, warn, ignore }
    let level: Level

    init(query: QueryParameters) {
        switch query.nonEmpty("fieldValidation")?.lowercased() {
        case "strict": level = .strict
        case "ignore": level = .ignore
        default: level = .warn
        }
    }

    /// Throws 400 for Strict; returns the warnings for Warn.
    func check(_ unknown: [String]) throws(APIError) -> [String]? {
        guard !unknown.isEmpty else { return nil }
        switch level {
        case .strict:
            let list = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            throw APIError.badRequest("strict decoding error: \(list)")
        case .warn:
            return unknown.map { "unknown field \"\($0)\"" }
        case .ignore:
            return nil
        }
    }

    static let warningName = HTTPField.Name("Warning")!

    static func warningHeaders(_ warnings: [String]) -> HTTPFields {
        var fields = HTTPFields()
        for warning in warnings {
            let escaped = warning.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            fields.append(HTTPField(name: Self.warningName, value: "299 - \"\(escaped)\""))
        }
        return fields
    }

    /// The paths of fields that the strategy's defaulting drops (a CRD schema prunes what it
    /// does not declare). Metadata, apiVersion, kind and status are left to the store.
    static func unknownFields(_ object: JSONValue, strategy: ResourceStrategy, old: JSONValue?) -> [String] {
        var prepared = object
        strategy.prepare(&prepared, old)
        var missing: [String] = []
        guard case .object(let members) = object else { return [] }
        for (key, value) in members where !["metadata", "apiVersion", "kind", "status"].contains(key) {
            collect(value, prepared[key], path: key, into: &missing)
        }
        return missing
    }

    private static func collect(_ given: JSONValue, _ kept: JSONValue?, path: String, into missing: inout [String]) {
        guard let kept else {
            missing.append(path)
            return
        }
        switch (given, kept) {
        case (.object(let members), .object):
            for (key, value) in members {
                collect(value, kept[key], path: "\(path).\(key)", into: &missing)
            }
        case (.array(let items), .array(let keptItems)) where items.count == keptItems.count:
            for (index, item) in items.enumerated() {
                collect(item, keptItems[index], path: "\(path)[\(index)]", into: &missing)
            }
        default:
            break
        }
    }
}

/// Warnings gathered inside a store transform, sent as response headers afterwards.
final class WarningCollector: Sendable {
    private let warnings = Mutex<[String]>([])

    func record(_ list: [String]?) {
        guard let list else { return }
        warnings.withLock { $0.append(contentsOf: list) }
    }

    var headers: HTTPFields { FieldValidation.warningHeaders(warnings.withLock { $0 }) }
}
