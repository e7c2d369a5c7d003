import JSON
import Kube
import SlipwayAPI
import SlipwayCLI
import Testing

@Suite("approve, promote and abort patches")
struct AnnotationEditTests {
    @Test("approve appends to slipway.dev/approved-by and carries the resourceVersion for optimistic concurrency")
    func approve() throws {
        let request = Sample.request(phase: .awaitingApproval, annotations: [SlipwayAnnotation.approvedBy: "bob"])
        let patch = try AnnotationEdits.approve(request, by: "carol")
        #expect(patch[path: "metadata", "annotations", SlipwayAnnotation.approvedBy]?.stringValue == "bob,carol")
        #expect(patch[path: "metadata", "resourceVersion"]?.stringValue == "41")
        #expect(throws: AnnotationEdits.Refusal.alreadyApproved(name: "web-production-k4x9z", by: "bob")) {
            try AnnotationEdits.approve(request, by: "bob")
        }
    }

    @Test("promote needs a paused release; abort any unfinished one; neither touches a finished one")
    func promoteAndAbort() throws {
        let paused = Sample.request(phase: .paused)
        #expect(try AnnotationEdits.promote(paused)[path: "metadata", "annotations", SlipwayAnnotation.promote]?.stringValue == "true")
        #expect(throws: AnnotationEdits.Refusal.notPaused(name: "web-production-k4x9z", phase: .progressing)) {
            try AnnotationEdits.promote(Sample.request(phase: .progressing))
        }
        let abort = try AnnotationEdits.abort(Sample.request(phase: .progressing), reason: "wrong build")
        #expect(abort[path: "metadata", "annotations", SlipwayAnnotation.abort]?.stringValue == "wrong build")
        #expect(throws: AnnotationEdits.Refusal.finished(name: "web-production-k4x9z", phase: .succeeded)) {
            try AnnotationEdits.abort(Sample.request(phase: .succeeded), reason: "")
        }
        #expect(AnnotationEdits.Refusal.notPaused(name: "x", phase: .progressing).description.contains("slipway request watch x"))
    }
}
