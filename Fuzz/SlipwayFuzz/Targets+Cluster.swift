@testable import ClusterCore
import JSON

extension FuzzTargets {
    /// What the embedded API server reads from a request: selectors in query strings and the
    /// three patch formats in PATCH bodies.
    static let cluster: [FuzzTarget] = [
        FuzzTarget(name: "label-selector", input: "a labelSelector query value") { bytes in
            guard let selector = try? LabelSelector(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
            // The canonical form the server prints parses back to the same selector.
            require((try? LabelSelector(parsing: selector.description)) == selector, "\(selector) does not read back")
            _ = selector.matches(["app": "web", "tier": "frontend", "": ""])
        },
        FuzzTarget(name: "field-selector", input: "a fieldSelector query value (Pod fields)") { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let selector = try? FieldSelector(parsing: text, for: BuiltinResources.pod.type) else { return }
            _ = selector.matches(object: ["metadata": ["name": "web", "namespace": "default"], "status": ["phase": "Running"]])
        },
        FuzzTarget(name: "json-patch", input: "a JSON document, NUL, a JSON patch") { bytes in
            let (document, patch) = splitAtNUL(bytes)
            guard let document = try? JSONValue(parsing: document), let patch = try? JSONValue(parsing: patch) else { return }
            guard let result = try? JSONPatch.apply(patch, to: document) else { return }
            // The server stores and answers with the result: it must be readable JSON again.
            require(sameValue(try? JSONValue(parsing: result.jsonBytes()), result), "the patched document does not read back")
        },
        FuzzTarget(name: "merge-patch", input: "a JSON document, NUL, a JSON merge patch") { bytes in
            let (document, patch) = splitAtNUL(bytes)
            guard let document = try? JSONValue(parsing: document), let patch = try? JSONValue(parsing: patch) else { return }
            let once = MergePatch.apply(patch, to: document)
            // RFC 7386: applying the same merge patch again changes nothing.
            require(sameValue(MergePatch.apply(patch, to: once), once), "the merge patch is not idempotent")
            require(sameValue(try? JSONValue(parsing: once.jsonBytes()), once), "the patched document does not read back")
        },
        FuzzTarget(name: "strategic-merge-patch", input: "a JSON object (its kind picks the patch metadata), NUL, a strategic merge patch") { bytes in
            let (document, patch) = splitAtNUL(bytes)
            guard let document = try? JSONValue(parsing: document), let patch = try? JSONValue(parsing: patch) else { return }
            let kind = document["kind"]?.stringValue ?? "Deployment"
            let group = document["apiVersion"]?.stringValue.flatMap { $0.contains("/") ? String($0.split(separator: "/")[0]) : "" } ?? "apps"
            let (chosenGroup, chosenKind) = StrategicMergePatch.supports(group: group, kind: kind) ? (group, kind) : ("apps", "Deployment")
            guard let result = try? StrategicMergePatch.apply(patch, to: document, group: chosenGroup, kind: chosenKind) else { return }
            require(sameValue(try? JSONValue(parsing: result.jsonBytes()), result), "the patched document does not read back")
        },
    ]
}
