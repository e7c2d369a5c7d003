import JSON

/// JSON Merge Patch, RFC 7386 (`application/merge-patch+json`): objects merge member by
/// member, `null` removes a member, anything else (arrays included) replaces the target.
/// https://www.rfc-editor.org/rfc/rfc7386
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var members: OrderedDictionary<String, JSONValue>
        if case .object(let existing) = document { members = existing } else { members = [:] }
        for (key, patchValue) in patchMembers {
            if patchValue.isNull {
                members.removeValue(forKey: key)
            } else {
                members[key] = apply(patchValue, to: members[key] ?? .null)
            }
        }
        return .object(members)
    }
}
