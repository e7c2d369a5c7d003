import Kube
import KubeRuntime
import SlipwayAPI

/// Edits of a running request's spec.
///
/// A request is one ask: once it starts, its release and target are fixed in status
/// (`releaseImage`, `releaseCommit`, `releaseTarget`) and later edits of the spec change nothing.
/// So that such an edit does not silently do nothing, the requester is told once per edit, with
/// a Warning Event and the `SpecIgnored` condition. For CustomResources with a status
/// subresource, `metadata.generation` moves only when the spec changes, so a generation newer
/// than the one the request was accepted at means the spec was edited.
/// See https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#status-subresource
extension ReleaseRun {
    func noteIgnoredSpecEdit(_ release: Release) {
        guard status.releaseImage != nil, let generation = request.metadata.generation,
              let accepted = status.conditions?.first(where: { $0.type == RequestCondition.accepted })?.observedGeneration,
              generation > accepted else { return }
        let noted = status.conditions?.first { $0.type == RequestCondition.specIgnored }
        guard noted?.observedGeneration != generation else { return }
        let message = "the spec was edited after the release started (generation \(accepted) to \(generation)); a request is one ask, so "
            + "\(release.description) continues on target \(request.effectiveTarget) unchanged. To release something else, create a new request"
        setCondition(RequestCondition.specIgnored, true, reason: "EditedAfterStart", message: message)
        announce(.warning, reason: "SpecEditIgnored", message: message)
    }
}
