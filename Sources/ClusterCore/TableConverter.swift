import JSON

/// The `meta.k8s.io/v1` Table kubectl asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: column definitions, one row of
/// cells per object, and the object itself as PartialObjectMetadata, whole, or not at all.
/// https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
public enum TableConverter {
    /// How much of each object a row carries (the `includeObject` query parameter).
    public enum IncludeObject: String, Sendable {
        case none = "None", metadata = "Metadata", object = "Object"

        /// Parses the query value; anything unknown means the default, Metadata.
        public init(parameter: String) {
            switch parameter.lowercased() {
            case "none": self = .none
            case "object": self = .object
            default: self = .metadata
            }
        }
    }

    static let nameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"

    static let ageDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC."

    /// The Age column a resource without printer columns gets (as a CRD without
    /// additionalPrinterColumns does).
    static let ageColumn = PrinterColumn(name: "Age", type: "date", description: ageDescription, jsonPath: ".metadata.creationTimestamp")

    /// `includeObject` is None, Metadata or Object (the `includeObject` query parameter).
    /// `now` (RFC 3339) is the instant ages are measured from.
    public static func table(for type: ResourceType, items: [JSONValue], listMetadata: JSONValue, includeObject: String, now: String) -> JSONValue {
        let include = IncludeObject(parameter: includeObject)
        let columns = type.printerColumns.isEmpty ? [ageColumn] : type.printerColumns
        let cellProviders = BuiltinCells.providers(group: type.group, kind: type.kind)
        let withName = !BuiltinCells.omitsNameColumn(group: type.group, kind: type.kind)
        let compiled: [(PrinterColumn, JSONPath?)] = columns.map { ($0, try? JSONPath($0.jsonPath)) }

        var definitions: [JSONValue] = []
        if withName {
            definitions.append(["name": "Name", "type": "string", "format": "name", "description": .string(nameDescription), "priority": 0])
        }
        for column in columns {
            definitions.append([
                "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                "description": .string(column.description), "priority": .int(column.priority),
            ])
        }

        let rows: [JSONValue] = items.map { item in
            var cells: [JSONValue] = []
            if withName { cells.append(item[path: "metadata", "name"] ?? "") }
            for (column, path) in compiled {
                if let provider = cellProviders[column.name] {
                    cells.append(provider(item, now))
                } else if let path {
                    cells.append(cell(for: column, results: path.evaluate(item), now: now))
                } else {
                    cells.append(.null)
                }
            }
            var row: JSONValue = ["cells": .array(cells)]
            switch include {
            case .none: break
            case .object: row["object"] = item
            case .metadata: row["object"] = partialObjectMetadata(item)
            }
            return row
        }

        var metadata = JSONValue.emptyObject
        for key in ["resourceVersion", "continue", "remainingItemCount"] {
            if let value = listMetadata[key], !value.isNull, value != "" { metadata[key] = value }
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(definitions), "rows": .array(rows),
        ]
    }

    /// The object reduced to its metadata, as `includeObject=Metadata` returns it.
    static func partialObjectMetadata(_ item: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"] ?? .emptyObject]
    }

    /// A cell from the values a column's JSONPath selected, typed as the column says, the way
    /// the API server's CRD table converter does; nothing selected gives a null cell
    /// (kubectl prints an empty cell).
    static func cell(for column: PrinterColumn, results: [JSONValue], now: String) -> JSONValue {
        guard let first = results.first, !first.isNull else {
            // An object without a creation time is as old as kubectl can tell.
            return column.jsonPath == ageColumn.jsonPath && column.type == "date" ? "<unknown>" : .null
        }
        switch column.type {
        case "integer":
            if case .double(let d) = first, d.isFinite, abs(d) < 9.2e18 { return .int(Int(d)) }
            if case .int = first { return first }
            return .null
        case "number":
            if case .int = first { return first }
            if case .double = first { return first }
            return .null
        case "boolean":
            if case .bool = first { return first }
            return .null
        case "date":
            guard case .string(let text) = first else { return .null }
            guard Timestamps.secondsSinceEpoch(text) != nil else { return "<invalid>" }
            return .string(Timestamps.age(of: text, now: now))
        default:
            return .string(results.map(JSONPath.text(of:)).joined(separator: ","))
        }
    }
}
