import ClusterCore
import Foundation
import JSON
import Kube
import SlipwayAPI
import YAML

/// The repository's manifests, read from the source tree.
enum Fixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func documents(_ relativePath: String) throws -> [JSONValue] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
        return try YAML.parseAll(text).filter { !$0.isNull }
    }

    static let targetCRDPath = "manifests/crds/deploymenttargets.slipway.dev.yaml"
    static let requestCRDPath = "manifests/crds/deploymentrequests.slipway.dev.yaml"

    static func crd(_ relativePath: String) throws -> JSONValue {
        let documents = try documents(relativePath)
        guard documents.count == 1, let crd = documents.first else { throw FixtureError("\(relativePath) should hold one document") }
        return crd
    }

    static func openAPISchema(_ crd: JSONValue) throws -> JSONValue {
        guard let schema = crd[path: "spec", "versions"]?[0]?[path: "schema", "openAPIV3Schema"] else {
            throw FixtureError("no spec.versions[0].schema.openAPIV3Schema")
        }
        return schema
    }

    static func targetSchema() throws -> StructuralSchema {
        try StructuralSchema(openAPIV3Schema: openAPISchema(crd(targetCRDPath)))
    }

    static func requestSchema() throws -> StructuralSchema {
        try StructuralSchema(openAPIV3Schema: openAPISchema(crd(requestCRDPath)))
    }

    static var exampleFiles: [String] {
        let directory = repositoryRoot.appendingPathComponent("manifests/examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "manifests/examples/\($0)" }
    }

    /// Every document of every example file, with the file it came from.
    static func exampleDocuments() throws -> [(file: String, document: JSONValue)] {
        try exampleFiles.flatMap { file in try documents(file).map { (file, $0) } }
    }

    static func examples(kind: String) throws -> [JSONValue] {
        try exampleDocuments().map(\.document).filter { $0["kind"]?.stringValue == kind }
    }

    static func example(kind: String, named name: String) throws -> JSONValue {
        guard let document = try examples(kind: kind).first(where: { $0[path: "metadata", "name"]?.stringValue == name }) else {
            throw FixtureError("no example \(kind) \(name)")
        }
        return document
    }

    /// What the API server does on create: defaults, pruning, then validation.
    static func schemaCauses(_ object: JSONValue, schema: StructuralSchema) -> [ClusterCore.StatusCause] {
        var defaulted = object
        schema.applyDefaultsAndPrune(&defaulted)
        return schema.validate(defaulted)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The value with `newValue` at `path`, a field path as validation writes it
    /// (`spec.strategy.canary.steps[2].setWeight`); nil removes the member.
    func setting(_ path: String, to newValue: JSONValue?) -> JSONValue {
        var copy = self
        copy.set(Self.components(path)[...], to: newValue)
        return copy
    }

    enum PathComponent { case key(String), index(Int) }

    static func components(_ path: String) -> [PathComponent] {
        var components: [PathComponent] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                components.append(.key(String(rest[..<bracket])))
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                    components.append(.index(index))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                components.append(.key(String(rest)))
            }
        }
        return components
    }

    private mutating func set(_ path: ArraySlice<PathComponent>, to newValue: JSONValue?) {
        guard let first = path.first else {
            self = newValue ?? .null
            return
        }
        switch first {
        case .key(let key):
            if path.count == 1 {
                self[key] = newValue
            } else {
                var child = self[key] ?? .emptyObject
                child.set(path.dropFirst(), to: newValue)
                self[key] = child
            }
        case .index(let index):
            guard case .array(var elements) = self, elements.indices.contains(index) else { return }
            if path.count == 1, newValue == nil {
                elements.remove(at: index)
            } else {
                elements[index].set(path.dropFirst(), to: newValue)
            }
            self = .array(elements)
        }
    }

    /// The paths of every leaf (scalar, empty object, empty array) under this value.
    func leafPaths(prefix: String = "") -> [String] {
        switch self {
        case .object(let members) where !members.isEmpty:
            return members.flatMap { key, value in value.leafPaths(prefix: prefix.isEmpty ? key : "\(prefix).\(key)") }
        case .array(let elements) where !elements.isEmpty:
            return elements.enumerated().flatMap { index, value in value.leafPaths(prefix: "\(prefix)[\(index)]") }
        default:
            return [prefix]
        }
    }

    /// The value at a field path, if present.
    func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for component in Self.components(path) {
            switch component {
            case .key(let key): current = current?[key]
            case .index(let index): current = current?[index]
            }
        }
        return current
    }

    /// Equality of JSON values: member order ignored, 1 and 1.0 equal.
    func sameJSON(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.sameJSON(as: $0) } ?? false }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameJSON(as: $1) }
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        default:
            return self == other
        }
    }
}

/// A cluster made of a list of objects, for the live checks.
struct FakeCluster: ClusterLookup {
    var objects: [JSONValue]

    func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool {
        find(resource, name: name, namespace: namespace) != nil
    }

    func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]? {
        guard let object = find(.deployments, name: name, namespace: namespace) else { return nil }
        let deployment = try object.decode(as: Deployment.self)
        return deployment.spec?.template.spec?.containers.map(\.name) ?? []
    }

    private func find(_ resource: ResourceDescriptor, name: String, namespace: String) -> JSONValue? {
        objects.first { object in
            object["apiVersion"]?.stringValue == resource.apiVersion && object["kind"]?.stringValue == resource.kind
                && object[path: "metadata", "name"]?.stringValue == name
                && object[path: "metadata", "namespace"]?.stringValue == namespace
        }
    }
}

/// A lookup whose API is down.
struct UnreachableCluster: ClusterLookup {
    struct Down: Error {}
    func exists(_ resource: ResourceDescriptor, name: String, namespace: String) async throws -> Bool { throw Down() }
    func containerNames(ofDeployment name: String, namespace: String) async throws -> [String]? { throw Down() }
}
