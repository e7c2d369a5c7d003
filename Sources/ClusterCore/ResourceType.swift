import JSON

/// One served resource: what discovery lists and what a URL path resolves to.
///
/// Objects are stored once per group and plural (`storageKey`), whatever version a client
/// uses to read or write them, the way the API server stores a custom resource in its storage
/// version and serves every other version from it.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// API group; empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// Lower-case plural used in URL paths (`deployments`).
    public var plural: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]
    /// Subresources served, such as `status` or `scale`.
    public var subresources: [String]
    /// Columns for the Table format (`kubectl get`), besides NAME.
    public var printerColumns: [PrinterColumn]

    public init(
        group: String, version: String, plural: String, singular: String, kind: String,
        listKind: String? = nil, namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
        verbs: [String] = ResourceType.allVerbs, subresources: [String] = [], printerColumns: [PrinterColumn] = []
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.verbs = verbs
        self.subresources = subresources
        self.printerColumns = printerColumns
    }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The key under which objects of this resource are stored, shared by all its versions.
    public var storageKey: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public var hasStatusSubresource: Bool { subresources.contains("status") }

    public var description: String { group.isEmpty ? "\(plural)/\(version)" : "\(plural).\(group)/\(version)" }
}

/// A column of `kubectl get` output, as in a CRD's additionalPrinterColumns.
public struct PrinterColumn: Sendable, Hashable {
    public var name: String
    /// OpenAPI type: string, integer, number, boolean or date.
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int
    /// A simple JSONPath such as `.spec.replicas` or `.status.conditions[0].type`.
    public var jsonPath: String

    public init(name: String, type: String, format: String = "", description: String = "", priority: Int = 0, jsonPath: String) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
    }
}

/// The part of an object a write addresses.
public enum Subresource: String, Sendable, Hashable {
    case main = ""
    case status
}

/// How a kind is defaulted and validated on every write. Built-in kinds and each custom
/// resource (from its CRD schema) have one; the store calls it after its own metadata rules.
public struct ResourceStrategy: Sendable {
    public var type: ResourceType
    /// Fills in defaults; called on create and update before validation.
    public var prepare: @Sendable (_ object: inout JSONValue, _ old: JSONValue?) -> Void
    /// Field errors; a non-empty result refuses the write with 422 Invalid.
    public var validate: @Sendable (_ object: JSONValue, _ old: JSONValue?) -> [StatusCause]

    public init(
        type: ResourceType,
        prepare: @escaping @Sendable (_ object: inout JSONValue, _ old: JSONValue?) -> Void = { _, _ in },
        validate: @escaping @Sendable (_ object: JSONValue, _ old: JSONValue?) -> [StatusCause] = { _, _ in [] }
    ) {
        self.type = type
        self.prepare = prepare
        self.validate = validate
    }
}
