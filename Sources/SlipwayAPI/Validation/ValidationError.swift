import Foundation

/// One thing wrong with an object: the field, as `kubectl` shows field paths
/// (`spec.strategy.canary.steps[2].setWeight`), and what is wrong with it and what to do.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Everything wrong with an object, in the order found. Its description is the message a
/// Rejected request carries.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) { self.issues = issues }

    /// The fields named, in order (handy in tests and for status conditions).
    public var fields: [String] { issues.map(\.field) }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// A field path under construction.
struct FieldPath: CustomStringConvertible, Sendable {
    let description: String

    init(_ root: String) { description = root }

    func child(_ name: String) -> FieldPath { FieldPath(description.isEmpty ? name : "\(description).\(name)") }
    func index(_ index: Int) -> FieldPath { FieldPath("\(description)[\(index)]") }
    /// `.child(name)`, the readable spelling in the checks below.
    subscript(name: String) -> FieldPath { child(name) }
    subscript(index: Int) -> FieldPath { self.index(index) }
}

/// Collects issues while the checks walk an object.
struct IssueCollector {
    private(set) var issues: [ValidationIssue] = []

    mutating func add(_ path: FieldPath, _ message: String) {
        issues.append(ValidationIssue(field: path.description, message: message))
    }

    /// `value` must match `pattern`; `what` says what it must be, in words.
    mutating func pattern(_ value: String, _ pattern: Pattern, at path: FieldPath, _ what: String) {
        if !pattern.matches(value) { add(path, "\(quoted(value)) is not \(what)") }
    }

    mutating func dnsLabel(_ value: String, at path: FieldPath) {
        if value.isEmpty {
            add(path, "must not be empty")
        } else if value.utf8.count > 63 {
            add(path, "\(quoted(value)) is longer than 63 characters; shorten it")
        } else {
            pattern(value, Patterns.dnsLabel, at: path, "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
    }

    mutating func dnsSubdomain(_ value: String, at path: FieldPath) {
        if value.isEmpty {
            add(path, "must not be empty")
        } else if value.utf8.count > 253 {
            add(path, "\(quoted(value)) is longer than 253 characters; shorten it")
        } else {
            pattern(value, Patterns.dnsSubdomain, at: path, "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'")
        }
    }

    mutating func range(_ value: Int?, _ bounds: ClosedRange<Int>, at path: FieldPath) {
        guard let value, !bounds.contains(value) else { return }
        if bounds.upperBound == Int.max {
            add(path, "\(value) is less than \(bounds.lowerBound); use \(bounds.lowerBound) or more")
        } else {
            add(path, "\(value) is outside \(bounds.lowerBound)...\(bounds.upperBound); use a value in that range")
        }
    }

    mutating func length(_ value: String?, max: Int, at path: FieldPath) {
        guard let value, value.utf8.count > max else { return }
        add(path, "is longer than \(max) bytes; shorten it")
    }

    mutating func count<T>(_ list: [T]?, _ bounds: ClosedRange<Int>, at path: FieldPath, _ what: String) {
        guard let list, !bounds.contains(list.count) else { return }
        if list.count < bounds.lowerBound {
            add(path, "needs at least \(bounds.lowerBound) \(what)")
        } else {
            add(path, "has \(list.count) \(what); at most \(bounds.upperBound) are allowed")
        }
    }

    /// Exactly one of `members` (the names of those set) must be set.
    mutating func exactlyOne(_ set: [String], of all: [String], at path: FieldPath) {
        if set.isEmpty {
            add(path, "set exactly one of \(all.joined(separator: ", ")); none is set")
        } else if set.count > 1 {
            add(path, "set exactly one of \(all.joined(separator: ", ")); \(set.joined(separator: " and ")) are set, keep one")
        }
    }
}

/// A value in double quotes, as Kubernetes messages show strings.
func quoted(_ value: String) -> String {
    "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
