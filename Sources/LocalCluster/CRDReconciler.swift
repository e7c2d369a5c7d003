import ClusterCore
import Foundation
import JSON
import Logging

/// Keeps the served custom resources in step with the stored CustomResourceDefinitions, as
/// kube-apiserver's apiextensions controllers do: a CRD that can be served is registered and
/// its status says NamesAccepted and Established; a deleted CRD stops being served.
/// See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
struct CRDReconciler: Sendable {
    let store: ObjectStore
    let strategies: StrategyBook
    let logger: Logger

    static let crdGroup = "apiextensions.k8s.io"
    static let crdPlural = "customresourcedefinitions"

    var crdType: ResourceType? { store.resourceType(group: Self.crdGroup, version: "v1", plural: Self.crdPlural) }

    static func isCRD(_ type: ResourceType) -> Bool { type.group == crdGroup && type.plural == crdPlural }

    /// Serves every stored CRD (after a restart with a state directory).
    func reconcileAll() {
        guard let crdType else { return }
        guard let list = try? store.list(crdType, namespace: nil) else { return }
        for crd in list.items {
            if let name = crd[path: "metadata", "name"]?.stringValue { reconcile(name: name) }
        }
    }

    /// Brings CRD `name` to the state its stored object asks for.
    func reconcile(name: String) {
        guard let crdType else { return }
        let crd: JSONValue
        do {
            crd = try store.get(crdType, namespace: nil, name: name)
        } catch {
            if error.code == 404, let served = strategies.forgetCRD(name: name) {
                store.unregister(group: served.group, plural: served.plural)
                logger.debug("stopped serving custom resource", metadata: ["crd": "\(name)"])
            }
            return
        }
        if crd[path: "metadata", "deletionTimestamp"] != nil, crd[path: "metadata", "deletionTimestamp"] != .null { return }

        let served: [ResourceStrategy]
        do {
            served = try CustomResourceDefinitions.strategies(for: crd)
        } catch {
            logger.debug("custom resource definition cannot be served", metadata: ["crd": "\(name)", "error": "\(error)"])
            return
        }
        for strategy in served {
            strategies.register(strategy, in: store)
        }
        if let first = served.first {
            strategies.recordCRD(name: name, group: first.type.group, plural: first.type.plural)
            // A version taken out of the CRD stops being served; its objects stay for the others.
            let servedVersions = Set(served.map(\.type.version))
            for type in store.registeredTypes
            where type.group == first.type.group && type.plural == first.type.plural && !servedVersions.contains(type.version) {
                store.unregisterVersion(group: type.group, version: type.version, plural: type.plural)
                strategies.forget(type)
            }
        }
        writeServingStatus(crdType: crdType, name: name)
    }

    /// Sets status.acceptedNames and the conditions, keeping a condition's
    /// lastTransitionTime while its status does not change, and writing nothing when nothing
    /// changed (so that repeated reconciles do not bump the resourceVersion).
    private func writeServingStatus(crdType: ResourceType, name: String) {
        let now = Timestamps.now()
        do {
            _ = try store.update(crdType, namespace: nil, name: name, subresource: .status) { (current: JSONValue?) throws(APIError) -> JSONValue in
                guard var object = current else { throw APIError.notFound(crdType, name: name) }
                let wanted = Self.mergeConditions(
                    wanted: CustomResourceDefinitions.servingStatus(for: object, now: now),
                    current: object["status"] ?? .emptyObject)
                if let existing = object["status"], existing == wanted { throw Unchanged.error }
                object["status"] = wanted
                return object
            }
        } catch {
            if error != Unchanged.error {
                logger.debug("could not write CRD status", metadata: ["crd": "\(name)", "error": "\(error)"])
            }
        }
    }

    private enum Unchanged {
        static let error = APIError(code: 304, reason: "Unchanged", message: "status already current")
    }

    static func mergeConditions(wanted: JSONValue, current: JSONValue) -> JSONValue {
        var result = wanted
        guard case .array(let wantedConditions)? = wanted["conditions"] else { return result }
        let currentConditions = current["conditions"]?.arrayValue ?? []
        result["conditions"] = .array(wantedConditions.map { condition in
            var merged = condition
            if let old = currentConditions.first(where: { $0["type"] == condition["type"] }), old["status"] == condition["status"] {
                if let time = old["lastTransitionTime"] { merged["lastTransitionTime"] = time }
                if let reason = old["reason"], condition["reason"] == nil { merged["reason"] = reason }
            }
            return merged
        })
        // Keep fields the store or others keep in status (storedVersions) when they are not recomputed.
        if case .object(let old) = current {
            for (key, value) in old where result[key] == nil {
                result[key] = value
            }
        }
        return result
    }
}
