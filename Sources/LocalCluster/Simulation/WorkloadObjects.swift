import ClusterCore
import Foundation
import JSON

/// The fields of stored objects the simulation reads, with the defaults the API gives them.
extension JSONValue {
    var objectName: String { self[path: "metadata", "name"]?.stringValue ?? "" }
    var objectNamespace: String { self[path: "metadata", "namespace"]?.stringValue ?? "" }
    var objectUID: String { self[path: "metadata", "uid"]?.stringValue ?? "" }
    var objectGeneration: Int { self[path: "metadata", "generation"]?.intValue ?? 0 }
    var isBeingDeleted: Bool { self[path: "metadata", "deletionTimestamp"].map { !$0.isNull } ?? false }
    var objectLabels: [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in self[path: "metadata", "labels"]?.objectValue ?? [:] { labels[key] = value.stringValue }
        return labels
    }

    /// The uid of the owner whose reference says `controller: true`, as the garbage collector
    /// and controllers decide who manages an object.
    /// https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/
    var controllerUID: String? {
        for reference in self[path: "metadata", "ownerReferences"]?.arrayValue ?? [] where reference["controller"]?.boolValue == true {
            return reference["uid"]?.stringValue
        }
        return nil
    }

    /// `spec.replicas`, which the API defaults to 1 for Deployments and ReplicaSets.
    var specReplicas: Int { self[path: "spec", "replicas"]?.intValue ?? 1 }

    func statusInt(_ field: String) -> Int { self[path: "status", field]?.intValue ?? 0 }

    /// An owner reference that makes this object the controller of a dependent, blocking the
    /// owner's foreground deletion until the dependent is gone.
    func controllerReference(kind: String, apiVersion: String) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(objectName),
         "uid": .string(objectUID), "controller": true, "blockOwnerDeletion": true]
    }
}

/// Timestamps as the API writes them: RFC 3339 in UTC at second precision.
enum SimulationTime {
    static func timestamp(_ date: Date) -> String {
        ClusterCore.Timestamps.rfc3339(secondsSinceEpoch: date.timeIntervalSince1970)
    }

    static func date(_ text: String?) -> Date? {
        text.flatMap(ClusterCore.Timestamps.secondsSinceEpoch).map { Date(timeIntervalSince1970: $0) }
    }
}

/// The pod-template-hash a Deployment puts on its ReplicaSets: a hash of the pod template,
/// so that each distinct template gets its own ReplicaSet (`web-5d8f7c9b6d`). Keys are sorted
/// and null fields left out before hashing, so neither reordered fields nor the
/// `creationTimestamp: null` that `kubectl rollout undo` writes start a rollout.
/// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label
enum PodTemplateHash {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func of(_ template: JSONValue) -> String {
        var bytes: [UInt8] = []
        canonical(template, into: &bytes)
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        // As the API server's SafeEncodeString: each character of the decimal hash mapped
        // into an alphabet without vowels.
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    private static func canonical(_ value: JSONValue, into bytes: inout [UInt8]) {
        switch value {
        case .object(let fields):
            bytes.append(UInt8(ascii: "{"))
            for key in fields.keys.sorted() where fields[key]?.isNull == false {
                bytes += JSONValue.string(key).jsonBytes()
                bytes.append(UInt8(ascii: ":"))
                if let field = fields[key] { canonical(field, into: &bytes) }
                bytes.append(UInt8(ascii: ","))
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for item in items {
                canonical(item, into: &bytes)
                bytes.append(UInt8(ascii: ","))
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            bytes += value.jsonBytes()
        }
    }
}

/// An int-or-percent field such as `maxSurge: 25%`, resolved against a replica count.
/// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge
enum IntOrPercent {
    static func resolve(_ value: JSONValue?, total: Int, roundUp: Bool, default fallback: Int) -> Int {
        guard let value else { return fallback }
        if let number = value.intValue { return max(0, number) }
        guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int(text.dropLast()), (0...100).contains(percent) else {
            return fallback
        }
        let scaled = percent * total
        return roundUp ? (scaled + 99) / 100 : scaled / 100
    }
}
