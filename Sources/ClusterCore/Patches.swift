import JSON

/// JSON Patch, RFC 6902 (`application/json-patch+json`): add, remove, replace, move, copy, test.
public enum JSONPatch {
    public static func apply(_ operations: JSONValue, to document: JSONValue) throws(APIError) -> JSONValue {
        fatalError("not implemented")
    }
}

/// JSON Merge Patch, RFC 7386 (`application/merge-patch+json`).
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        fatalError("not implemented")
    }
}

/// Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds:
/// lists with a patch merge key (containers by name, ports by containerPort ...) merge element
/// by element, `$patch: delete|replace`, `$retainKeys`, `$deleteFromPrimitiveList/...` directives.
/// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
public enum StrategicMergePatch {
    /// Applies `patch` to `document` of the given group/kind. Kinds without strategic merge
    /// metadata (custom resources) are refused with 415, as the API server does.
    public static func apply(_ patch: JSONValue, to document: JSONValue, group: String, kind: String) throws(APIError) -> JSONValue {
        fatalError("not implemented")
    }

    /// Whether group/kind has strategic merge metadata.
    public static func supports(group: String, kind: String) -> Bool {
        fatalError("not implemented")
    }
}

/// Server-side apply (`application/apply-patch+yaml`): merges the applied configuration into
/// the live object (lists merged by their keys for built-in kinds), and records the field
/// manager in metadata.managedFields. Conflicts between managers are not detected.
public enum ServerSideApply {
    public static func apply(_ applied: JSONValue, to live: JSONValue?, group: String, kind: String, fieldManager: String, now: String) throws(APIError) -> JSONValue {
        fatalError("not implemented")
    }
}

/// A CRD's openAPIV3Schema, compiled once: validation (type, required, enum, pattern,
/// minimum/maximum, minLength/maxLength, minItems/maxItems, nullable,
/// x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string), defaulting, and pruning
/// of unknown fields, with field paths in the errors.
public struct StructuralSchema: Sendable {
    public init(openAPIV3Schema: JSONValue) throws(APIError) {
        fatalError("not implemented")
    }

    /// Field errors of `object` (its metadata, apiVersion and kind are not checked here).
    public func validate(_ object: JSONValue) -> [StatusCause] {
        fatalError("not implemented")
    }

    /// Fills in `default` values and prunes fields the schema does not declare.
    public func applyDefaultsAndPrune(_ object: inout JSONValue) {
        fatalError("not implemented")
    }
}
