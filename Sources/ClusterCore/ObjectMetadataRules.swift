import Foundation
import JSON

/// The name and metadata formats the API server enforces on every object, with the messages
/// it answers, so a client sees the same 422 here as from a real cluster.
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
enum NameValidation {
    static let dns1123SubdomainMaxLength = 253
    static let dns1123LabelMaxLength = 63
    static let qualifiedNameMaxLength = 63
    static let labelValueMaxLength = 63
    static let totalAnnotationSizeLimit = 256 * 1024

    /// The API server's regex-error wording: `msg (e.g. 'a',  or 'b', regex used for validation is 'r')`.
    static func regexError(_ message: String, _ regex: String, _ examples: [String]) -> String {
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'\(example)', "
        }
        return text + "regex used for validation is '\(regex)')"
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func matchesDNS1123Label(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func matchesQualifiedNamePart(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static func dns1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > dns1123SubdomainMaxLength { errors.append("must be no more than \(dns1123SubdomainMaxLength) characters") }
        let labels = bytes.split(separator: 46, omittingEmptySubsequences: false)
        if bytes.isEmpty || !labels.allSatisfy(matchesDNS1123Label) {
            errors.append(regexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", ["example.com"]))
        }
        return errors
    }

    static func dns1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > dns1123LabelMaxLength { errors.append("must be no more than \(dns1123LabelMaxLength) characters") }
        if !matchesDNS1123Label(bytes[...]) {
            errors.append(regexError(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                "[a-z0-9]([-a-z0-9]*[a-z0-9])?", ["my-name", "123-abc"]))
        }
        return errors
    }

    static func dns1035Label(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > dns1123LabelMaxLength { errors.append("must be no more than \(dns1123LabelMaxLength) characters") }
        let startsWithLetter = bytes.first.map { $0 >= 97 && $0 <= 122 } ?? false
        if !startsWithLetter || !matchesDNS1123Label(bytes[...]) {
            errors.append(regexError(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                "[a-z]([-a-z0-9]*[a-z0-9])?", ["my-name", "abc-123"]))
        }
        return errors
    }

    /// Names that only have to be usable as one URL path segment (the RBAC kinds).
    static func pathSegmentName(_ value: String) -> [String] {
        if value == "." || value == ".." { return ["may not be '\(value)'"] }
        var errors: [String] = []
        if value.contains("/") { errors.append("may not contain '/'") }
        if value.contains("%") { errors.append("may not contain '%'") }
        return errors
    }

    /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name part.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let namePart: Substring
        var errors: [String] = []
        let nameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        let nameRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
        switch parts.count {
        case 1:
            namePart = parts[0]
        case 2:
            namePart = parts[1]
            if parts[0].isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += dns1123Subdomain(String(parts[0])).map { "prefix part " + $0 }
            }
        default:
            return [regexError("a qualified name " + nameMessage, nameRegex, ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        let nameBytes = Array(namePart.utf8)
        if nameBytes.isEmpty {
            errors.append("name part must be non-empty")
        } else if nameBytes.count > qualifiedNameMaxLength {
            errors.append("name part must be no more than \(qualifiedNameMaxLength) characters")
        }
        if !nameBytes.isEmpty && !matchesQualifiedNamePart(nameBytes[...]) {
            errors.append("name part " + regexError(nameMessage, nameRegex, ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    static func labelValue(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > labelValueMaxLength { errors.append("must be no more than \(labelValueMaxLength) characters") }
        if !bytes.isEmpty && !matchesQualifiedNamePart(bytes[...]) {
            errors.append(regexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    /// The name rule of a resource, as the API server picks it per kind.
    static func nameErrors(_ name: String, for type: ResourceType) -> [String] {
        if type.group.isEmpty && type.plural == "namespaces" { return dns1123Label(name) }
        if type.group.isEmpty && type.plural == "services" { return dns1035Label(name) }
        if type.group == "rbac.authorization.k8s.io" { return pathSegmentName(name) }
        return dns1123Subdomain(name)
    }
}

extension StatusCause {
    /// `field.Invalid`: `Invalid value: "x": detail`.
    static func invalidValue(_ field: String, _ value: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(JSONValue.string(value).jsonString()): \(detail)", field: field)
    }

    /// `field.Required`: `Required value[: detail]`.
    static func requiredValue(_ field: String, _ detail: String = "") -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: detail.isEmpty ? "Required value" : "Required value: \(detail)", field: field)
    }

    /// `field.Forbidden`: `Forbidden: detail`.
    static func forbiddenValue(_ field: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
    }
}

/// The store's own rules for `metadata`, applied before a kind's strategy on every write.
/// https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/
enum ObjectMetadataRules {
    /// The alphabet the API server draws `generateName` suffixes from (no vowels, so that no
    /// words appear by chance).
    static let generateNameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    static let generateNameSuffixLength = 5

    static func nameWithRandomSuffix(prefix: String) -> String {
        let maxPrefix = NameValidation.dns1123SubdomainMaxLength - generateNameSuffixLength
        let trimmed = prefix.count > maxPrefix ? String(prefix.prefix(maxPrefix)) : prefix
        var suffix = ""
        for _ in 0..<generateNameSuffixLength { suffix.append(generateNameAlphabet.randomElement() ?? "x") }
        return trimmed + suffix
    }

    /// RFC 3339 at second precision in UTC, as `creationTimestamp` is written.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt))
    }

    static func newUID() -> String { UUID().uuidString.lowercased() }

    /// Format errors of name, labels and annotations, as `ValidateObjectMeta` reports them.
    static func validate(_ object: JSONValue, type: ResourceType) -> [StatusCause] {
        var causes: [StatusCause] = []
        let metadata = object["metadata"] ?? .emptyObject
        let name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty {
            causes.append(.requiredValue("metadata.name", "name or generateName is required"))
        } else {
            for error in NameValidation.nameErrors(name, for: type) {
                causes.append(.invalidValue("metadata.name", name, error))
            }
        }
        if type.namespaced && (metadata["namespace"]?.stringValue ?? "").isEmpty {
            causes.append(.requiredValue("metadata.namespace"))
        }
        if let labels = metadata["labels"], !labels.isNull {
            if let entries = labels.objectValue {
                for (key, value) in entries {
                    for error in NameValidation.qualifiedName(key) {
                        causes.append(.invalidValue("metadata.labels", key, error))
                    }
                    guard let text = value.stringValue else {
                        causes.append(.invalidValue("metadata.labels", value.jsonString(), "label values must be strings"))
                        continue
                    }
                    for error in NameValidation.labelValue(text) {
                        causes.append(.invalidValue("metadata.labels", text, error))
                    }
                }
            } else {
                causes.append(.invalidValue("metadata.labels", labels.jsonString(), "must be a map of string keys to string values"))
            }
        }
        if let annotations = metadata["annotations"], !annotations.isNull {
            if let entries = annotations.objectValue {
                var totalSize = 0
                for (key, value) in entries {
                    for error in NameValidation.qualifiedName(key.lowercased()) {
                        causes.append(.invalidValue("metadata.annotations", key, error))
                    }
                    if value.stringValue == nil {
                        causes.append(.invalidValue("metadata.annotations", value.jsonString(), "annotation values must be strings"))
                    }
                    totalSize += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
                }
                if totalSize > NameValidation.totalAnnotationSizeLimit {
                    causes.append(StatusCause(
                        reason: "FieldValueTooLong",
                        message: "Too long: must have at most \(NameValidation.totalAnnotationSizeLimit) bytes", field: "metadata.annotations"))
                }
            } else {
                causes.append(.invalidValue("metadata.annotations", annotations.jsonString(), "must be a map of string keys to string values"))
            }
        }
        if let finalizers = metadata["finalizers"], !finalizers.isNull {
            if let list = finalizers.arrayValue {
                for (index, entry) in list.enumerated() {
                    guard let text = entry.stringValue else {
                        causes.append(.invalidValue("metadata.finalizers[\(index)]", entry.jsonString(), "must be a string"))
                        continue
                    }
                    for error in NameValidation.qualifiedName(text) {
                        causes.append(.invalidValue("metadata.finalizers[\(index)]", text, error))
                    }
                }
            } else {
                causes.append(.invalidValue("metadata.finalizers", finalizers.jsonString(), "must be a list of strings"))
            }
        }
        if let owners = metadata["ownerReferences"], !owners.isNull {
            if let list = owners.arrayValue {
                for (index, owner) in list.enumerated() {
                    for key in ["apiVersion", "kind", "name", "uid"] where (owner[key]?.stringValue ?? "").isEmpty {
                        causes.append(.requiredValue("metadata.ownerReferences[\(index)].\(key)"))
                    }
                }
            } else {
                causes.append(.invalidValue("metadata.ownerReferences", owners.jsonString(), "must be a list of owner references"))
            }
        }
        return causes
    }
}

/// Reading the metadata fields the store works with.
extension JSONValue {
    var metadataName: String { self[path: "metadata", "name"]?.stringValue ?? "" }
    var metadataNamespace: String { self[path: "metadata", "namespace"]?.stringValue ?? "" }
    var metadataUID: String { self[path: "metadata", "uid"]?.stringValue ?? "" }
    var metadataResourceVersion: String { self[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    var metadataLabels: [String: String] {
        guard let labels = self[path: "metadata", "labels"]?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in labels { if let text = value.stringValue { result[key] = text } }
        return result
    }
    var metadataFinalizers: [String] {
        self[path: "metadata", "finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
    var isBeingDeleted: Bool {
        if let stamp = self[path: "metadata", "deletionTimestamp"], !stamp.isNull { return true }
        return false
    }
    /// The uids of the owners named in `metadata.ownerReferences`.
    var ownerUIDs: [String] {
        self[path: "metadata", "ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
    }
}
