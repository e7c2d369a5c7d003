import Foundation
import JSON
import Kube
import SlipwayAPI
import Testing

@Suite("SlipwayAPI gate and status semantics")
struct SlipwayAPISemanticsTests {
    static let gate = PrometheusGate(address: "http://prometheus:9090", query: "x", condition: MetricCondition(lessThan: 0.05))

    @Test("a condition over a vector: All needs every sample, Any one")
    func sampleRules() {
        var condition = MetricCondition(lessThan: 0.05)
        #expect(condition.isSatisfied(by: [0.01, 0.02]))
        #expect(!condition.isSatisfied(by: [0.01, 0.2]))
        condition.samples = .any
        #expect(condition.isSatisfied(by: [0.01, 0.2]))
        #expect(!condition.isSatisfied(by: [0.1, 0.2]))
        #expect(MetricCondition(inRange: ValueRange(min: 0, max: 0.5)).isSatisfied(by: [0, 0.5]))
        #expect(!MetricCondition(inRange: ValueRange(min: 0, max: 0.5)).isSatisfied(by: [0.51]))
        #expect(MetricCondition(outsideRange: ValueRange(min: 0, max: 0.5)).isSatisfied(by: [0.51, -1]))
        #expect(MetricCondition(greaterThanOrEqual: 0.99).isSatisfied(by: [0.99]))
        #expect(!MetricCondition(lessThan: 1, greaterThan: 0).isSatisfied(by: [0.5]), "an ambiguous condition never passes")
    }

    @Test("no data follows the gate's policy, NaN counts as no data", arguments: [
        (NoDataPolicy.fail, MeasurementOutcome.failure), (.pass, .success), (.inconclusive, .inconclusive),
    ])
    func noData(policy: NoDataPolicy, outcome: MeasurementOutcome) {
        var gate = Self.gate
        gate.noDataPolicy = policy
        #expect(gate.outcome(samples: []) == outcome)
        #expect(gate.outcome(samples: [.nan]) == outcome)
        #expect(gate.outcome(samples: [.nan, 0.01]) == .success)
        #expect(gate.outcome(samples: [0.5]) == .failure)
    }

    @Test("the default no-data policy is inconclusive, not failure")
    func defaultNoData() {
        #expect(Self.gate.outcome(samples: []) == .inconclusive)
    }

    @Test("query placeholders are replaced, unknown ones kept and reported")
    func queryTemplate() {
        let query = #"rate(x{namespace="{{namespace}}",deployment=~"{{ canary }}|{{stable}}",t="{{target}}"}[1m]) {{job}}"#
        #expect(QueryTemplate.placeholders(in: query) == ["namespace", "canary", "stable", "target", "job"])
        #expect(QueryTemplate.render(query, target: "web-production", namespace: "shop", canary: "web-green", stable: "web-blue")
                == #"rate(x{namespace="shop",deployment=~"web-green|web-blue",t="web-production"}[1m]) {{job}}"#)
        #expect(QueryTemplate.render("sum(x) {{unterminated", target: "a", namespace: "b", canary: "c", stable: "d") == "sum(x) {{unterminated")
    }

    @Test("the timeline and measurements stay within the schema's bounds, keeping the newest")
    func bounded() throws {
        var status = DeploymentRequestStatus()
        for index in 0..<250 { status.record(TimelineEntry(time: "2026-11-25T10:00:00Z", action: "Step", detail: "\(index)")) }
        #expect(status.timeline?.count == DeploymentRequestStatus.timelineLimit)
        #expect(status.timeline?.first?.detail == "150")
        #expect(status.timeline?.last?.detail == "249")

        var gate = GateStatus(name: "errors")
        for index in 0..<50 { gate.record(Measurement(time: "2026-11-25T10:00:00Z", outcome: .success, value: "\(index)")) }
        #expect(gate.measurements?.count == GateStatus.measurementLimit)
        #expect(gate.measurements?.last?.value == "49")

        // The bounds are the schema's.
        let crd = try Fixtures.crd(Fixtures.requestCRDPath)
        let status_ = try Fixtures.openAPISchema(crd)[path: "properties", "status", "properties"]
        #expect(status_?[path: "timeline", "maxItems"]?.intValue == DeploymentRequestStatus.timelineLimit)
        #expect(status_?[path: "gates", "items", "properties", "measurements", "maxItems"]?.intValue == GateStatus.measurementLimit)
    }

    @Test("conditions keep their transition time while the status stays the same")
    func conditions() {
        var status = DeploymentRequestStatus()
        status.setCondition(Condition(type: "Ready", status: "False", reason: "Progressing", lastTransitionTime: "2026-11-25T10:00:00Z"))
        status.setCondition(Condition(type: "Ready", status: "False", reason: "GatesRunning", lastTransitionTime: "2026-11-25T10:05:00Z"))
        #expect(status.condition("Ready")?.lastTransitionTime == "2026-11-25T10:00:00Z")
        #expect(status.condition("Ready")?.reason == "GatesRunning")
        status.setCondition(Condition(type: "Ready", status: "True", reason: "Succeeded", lastTransitionTime: "2026-11-25T10:09:00Z"))
        #expect(status.condition("Ready")?.lastTransitionTime == "2026-11-25T10:09:00Z")
        #expect(status.conditions?.count == 1)
    }

    @Test("annotations steer a request: requester, distinct approvers, promote, abort")
    func annotations() throws {
        var request = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-1-4-2").decode(as: DeploymentRequest.self)
        #expect(request.requestedBy == "telegram:987654321")
        #expect(request.phase == .pending)
        #expect(!request.isPromoteRequested && !request.isAbortRequested)
        request.metadata.annotations?[SlipwayAnnotation.approvedBy] = " telegram:1, telegram:2,,telegram:1 "
        request.metadata.annotations?[SlipwayAnnotation.promote] = "true"
        request.metadata.annotations?[SlipwayAnnotation.abort] = "wrong image"
        #expect(request.approvers == ["telegram:1", "telegram:2"])
        #expect(request.isPromoteRequested && request.isAbortRequested)
        #expect([SlipwayAnnotation.requestedBy, SlipwayAnnotation.approvedBy, SlipwayAnnotation.promote, SlipwayAnnotation.abort]
                == ["slipway.dev/requested-by", "slipway.dev/approved-by", "slipway.dev/promote", "slipway.dev/abort"])
    }

    @Test("the requester's own approval counts only when the target allows it")
    func approvals() throws {
        var request = try Fixtures.example(kind: "DeploymentRequest", named: "web-production-1-4-2").decode(as: DeploymentRequest.self)
        let fourEyes = ApprovalPolicy(required: true, minApprovers: 1)
        #expect(!request.isApproved(under: fourEyes))
        request.metadata.annotations?[SlipwayAnnotation.approvedBy] = "telegram:987654321"
        #expect(request.countedApprovers(under: fourEyes).isEmpty)
        #expect(!request.isApproved(under: fourEyes))
        #expect(request.isApproved(under: ApprovalPolicy(required: true, requesterMayApprove: true)))
        request.metadata.annotations?[SlipwayAnnotation.approvedBy] = "telegram:987654321,telegram:111"
        #expect(request.isApproved(under: fourEyes))
        #expect(!request.isApproved(under: ApprovalPolicy(required: true, minApprovers: 2)))
        #expect(request.isApproved(under: nil))
        #expect(request.isApproved(under: ApprovalPolicy(required: false, minApprovers: 5)))
    }

    @Test("access entries name Telegram users or roles")
    func accessSubjects() {
        #expect(AccessSubject("123456789").kind == .telegramUser(123_456_789))
        #expect(AccessSubject("admin").kind == .role("admin"))
        #expect(AccessSubject("0123").kind == nil)
        #expect(AccessSubject("Admin").kind == nil)
        #expect(AccessSubject.telegramUser(42).rawValue == "42")
    }

    @Test("the resources are addressed at slipway.dev/v1alpha1")
    func resources() {
        #expect(DeploymentTarget.resource.groupVersionPath == "/apis/slipway.dev/v1alpha1")
        #expect(DeploymentTarget.resource.description == "deploymenttargets.slipway.dev")
        #expect(DeploymentRequest.resource.description == "deploymentrequests.slipway.dev")
        let target = DeploymentTarget(metadata: ObjectMeta(name: "x"), spec: DeploymentTargetSpec(
            environment: "production", source: ReleaseSource(imageRepository: "shop/web"), container: "web",
            strategy: .blueGreen(BlueGreenStrategy(activeService: "a", previewService: "b", blueDeployment: "c", greenDeployment: "d"))))
        #expect(target.apiVersion == "slipway.dev/v1alpha1")
        #expect(target.kind == "DeploymentTarget")
        #expect(target.spec.strategy.name == .blueGreen)
        #expect(target.validationIssues().isEmpty)
    }
}
