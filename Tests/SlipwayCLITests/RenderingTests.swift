import Foundation
import JSON
import Kube
import SlipwayAPI
import SlipwayCLI
import Testing
import YAML

@Suite("Progress, tables and output formats")
struct RenderingTests {
    let plain = ProgressRenderer(style: .plain, width: 120)
    let coloured = ProgressRenderer(style: TerminalStyle(colours: true), width: 120)

    @Test("a blue/green release's bar grows with the steps the controller recorded")
    func blueGreenProgress() {
        let early = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started", "ImageSet"]))
        let gating = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started", "ImageSet", "ScaledUp", "PreviewPointed", "Available"]))
        let switched = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started", "Available", "PrePromotionGatesPassed", "SwitchingTraffic", "SwitchedTraffic"]))
        #expect(early.fraction < gating.fraction && gating.fraction < switched.fraction && switched.fraction < 1)
        #expect(gating.step == "gates on the preview")
        #expect(switched.step == "gates on live traffic")
        let done = ReleaseProgress(request: Sample.request(phase: .succeeded, timeline: ["Started", "Completed", "Finished"]))
        #expect(done.fraction == 1)
    }

    @Test("a canary shows its step of the target's steps and its weight")
    func canaryProgress() {
        let steps: [CanaryStep] = [.setWeight(25), .pause(seconds: 30), .analysis(["api-healthy"]), .setWeight(50)]
        let progress = ReleaseProgress(request: Sample.request(target: "api-staging", phase: .progressing, currentStep: 1, weight: 25),
                                       canarySteps: steps)
        #expect(progress.fraction > 0.2 && progress.fraction < 0.25)
        #expect(progress.step == "step 2/4 (pause 30s)")
        let line = plain.plainLine(progress)
        #expect(line.contains("Progressing 23% step 2/4 (pause 30s); weight 25%"))
        let starting = ReleaseProgress(request: Sample.request(target: "api-staging", phase: .progressing, timeline: ["Started"]),
                                       canarySteps: steps)
        #expect(starting.step == "starting the canary")
        let promoting = ReleaseProgress(request: Sample.request(target: "api-staging", phase: .progressing, currentStep: 4, weight: 50),
                                        canarySteps: steps)
        #expect(promoting.step == "promoting the canary" && promoting.fraction < 1)
        let released = ReleaseProgress(request: Sample.request(target: "api-staging", phase: .succeeded, currentStep: 4, weight: 0),
                                       canarySteps: steps)
        #expect(!plain.plainLine(released).contains("weight"))
        let block = plain.block(progress).joined(separator: "\n")
        #expect(block.contains("weight 25%"))
    }

    @Test("a rollback in progress says so, and the ending says what happened")
    func rollingBack() {
        let undoing = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started", "SwitchedTraffic", "RollbackStarted", "SwitchedTrafficBack"]))
        #expect(undoing.step == "rolling back (switched traffic back)")
        let ended = ReleaseProgress(request: Sample.request(phase: .rolledBack, message: "gate live-requests failed"))
        #expect(ended.step == "rolled back to the previous release")
        let block = plain.block(ended)
        #expect(block.last?.contains("gate live-requests failed") == true)
    }

    @Test("the bar shows phase, percentage and gate results; colours only when enabled")
    func bar() {
        let gates = [GateStatus(name: "preview-healthy", phase: .passed, successes: 3), GateStatus(name: "live-requests", phase: .running, successes: 1)]
        let progress = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started", "SwitchedTraffic"], gates: gates))
        let lines = plain.block(progress)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("web-production-k4x9z  web-production  registry.example.com/shop/web:1.5.0"))
        #expect(lines[1].contains("[██████████████████░░░░░░]  75%  Progressing  gates on live traffic"))
        #expect(lines[2] == "  gates: ✓ preview-healthy Passed (3 ok)  … live-requests Running (1 ok)")
        #expect(!lines.joined().contains("\u{1B}"))
        #expect(coloured.block(progress).joined().contains("\u{1B}[36mProgressing\u{1B}[0m"))
    }

    @Test("lines are cut to the terminal's width without cutting an escape")
    func width() {
        let narrow = ProgressRenderer(style: TerminalStyle(colours: true), width: 40)
        let progress = ReleaseProgress(request: Sample.request(phase: .progressing, timeline: ["Started"]))
        for line in narrow.block(progress) {
            let visible = Self.withoutEscapes(line)
            #expect(visible.count <= 40, "\(visible)")
        }
    }

    /// The visible text of a line: SGR escapes (ESC [ ... m) removed.
    static func withoutEscapes(_ line: String) -> String {
        var text = ""
        var inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape {
                if character == "m" { inEscape = false }
                continue
            }
            text.append(character)
        }
        return text
    }

    @Test("colours only on a terminal, never with --no-color, NO_COLOR or TERM=dumb")
    func colourDecision() {
        #expect(TerminalStyle.coloursEnabled(isTerminal: true, noColorFlag: false, environment: [:]))
        #expect(!TerminalStyle.coloursEnabled(isTerminal: false, noColorFlag: false, environment: [:]))
        #expect(!TerminalStyle.coloursEnabled(isTerminal: true, noColorFlag: true, environment: [:]))
        #expect(!TerminalStyle.coloursEnabled(isTerminal: true, noColorFlag: false, environment: ["NO_COLOR": "1"]))
        #expect(TerminalStyle.coloursEnabled(isTerminal: true, noColorFlag: false, environment: ["NO_COLOR": ""]))
        #expect(!TerminalStyle.coloursEnabled(isTerminal: true, noColorFlag: false, environment: ["TERM": "dumb"]))
    }

    @Test("plain progress lines are printed once per change")
    func changeLog() {
        var log = ChangeLog()
        #expect(log.next("a Progressing", for: "a") == "a Progressing")
        #expect(log.next("a Progressing", for: "a") == nil)
        #expect(log.next("b Queued", for: "b") == "b Queued")
        #expect(log.next("a Succeeded", for: "a") == "a Succeeded")
    }

    @Test("a redraw moves up over the last frame and clears what a shorter frame leaves behind")
    func liveRegion() {
        var region = LiveRegion()
        let first = region.frame(["one", "two", "three"])
        #expect(!first.contains("\u{1B}[3A"))
        let second = region.frame(["uno"])
        #expect(second.hasPrefix("\u{1B}[3A"))
        #expect(second.hasSuffix("\u{1B}[2A"))
        region.commit()
        #expect(!region.frame(["x"]).contains("A\r"))
    }

    @Test("tables align columns as kubectl does, with more under -o wide")
    func tables() {
        let now = Age.parse("2026-11-25T12:05:00Z") ?? Date()
        let requests = [
            Sample.request(phase: .succeeded, timeline: ["Finished"]),
            Sample.request(name: "api-staging-abcde", target: "api-staging", image: "registry.example.com/shop/api:2.8.0",
                           phase: .progressing, currentStep: 2, weight: 25, created: "2026-11-25T12:04:30Z"),
        ]
        let text = RequestTable.table(requests, wide: false, now: now).render()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "NAME                   TARGET           ACTION   IMAGE                                 PHASE         STEP       WEIGHT   AGE")
        #expect(lines[1] == "web-production-k4x9z   web-production   deploy   registry.example.com/shop/web:1.5.0   Succeeded     Finished   -        5m")
        #expect(lines[2].hasSuffix("Progressing   step 3     25%      30s"))
        let wide = RequestTable.table(requests, wide: true, now: now).render()
        #expect(wide.hasPrefix("NAME") && wide.contains("REQUESTED-BY") && wide.contains("3f9c2ab"))
        let namespaced = RequestTable.table(requests, wide: false, now: now, showNamespace: true).render()
        #expect(namespaced.hasPrefix("NAMESPACE   NAME"))
    }

    @Test("a release whose image was resolved in its registry shows the tag with the short digest it runs as; a rollback the repository with it")
    func imageWithDigest() {
        let digest = "sha256:" + String(repeating: "0123456789abcdef", count: 4)
        var pinned = Sample.request(phase: .succeeded, timeline: ["Finished"])
        pinned.status?.releaseImage = "registry.example.com/shop/web@\(digest)"
        pinned.status?.releaseDigest = digest
        pinned.status?.requestedImage = "registry.example.com/shop/web:1.5.0"
        var rollback = Sample.request(name: "web-production-undo1", action: .rollback, image: nil, phase: .succeeded, timeline: ["Finished"])
        rollback.status?.releaseImage = "registry.example.com/shop/web@\(digest)"
        rollback.status?.releaseDigest = digest
        let text = RequestTable.table([pinned, rollback], wide: false, now: Date()).render()
        #expect(text.contains("registry.example.com/shop/web:1.5.0@sha256:0123456789ab "), "\(text)")
        #expect(text.contains("registry.example.com/shop/web@sha256:0123456789ab "), "\(text)")
        #expect(!text.contains(digest))
    }

    @Test("a finished canary shows what the controller did last, not a step past its last one")
    func finishedCanaryStep() {
        let finished = Sample.request(name: "api-staging-abcde", target: "api-staging", phase: .succeeded,
                                      timeline: ["CanaryScaledDown"], currentStep: 5, weight: 0)
        let running = Sample.request(name: "api-staging-fghij", target: "api-staging", phase: .paused, currentStep: 1, weight: 25)
        let lines = RequestTable.table([finished, running], wide: false, now: Date()).render().split(separator: "\n").map(String.init)
        let finishedLine = lines.first { $0.hasPrefix("api-staging-abcde") } ?? ""
        let runningLine = lines.first { $0.hasPrefix("api-staging-fghij") } ?? ""
        #expect(finishedLine.contains("CanaryScaledDown") && !finishedLine.contains("step 6"))
        #expect(runningLine.contains("step 2"))
    }

    @Test("of two requests created in the same second, the one that started first is listed first")
    func ordering() {
        var ranFirst = Sample.request(name: "web-production-zzzzz", phase: .succeeded)
        ranFirst.status?.startedAt = "2026-11-25T12:00:00Z"
        var ranSecond = Sample.request(name: "web-production-aaaaa", phase: .rolledBack)
        ranSecond.status?.startedAt = "2026-11-25T12:00:04Z"
        let waiting = Sample.request(name: "web-production-bbbbb", phase: .queued)
        let older = Sample.request(name: "web-production-yyyyy", phase: .succeeded, created: "2026-11-25T11:00:00Z")
        let names = RequestTable.oldestFirst([waiting, ranSecond, ranFirst, older]).map { $0.metadata.name ?? "" }
        #expect(names == ["web-production-yyyyy", "web-production-zzzzz", "web-production-aaaaa", "web-production-bbbbb"])
    }

    static let ageCases: [(Double, String)] = [
        (45, "45s"), (150, "2m30s"), (720, "12m"), (12_600, "3h30m"), (72_000, "20h"), (273_600, "3d4h"), (3_456_000, "40d"),
    ]

    @Test("ages read as kubectl's AGE column", arguments: ageCases)
    func ages(seconds: Double, text: String) {
        #expect(Age.human(seconds: seconds) == text)
    }

    @Test("-o json and -o yaml print the objects, a list as kind List")
    func objectOutput() throws {
        let object: JSONValue = ["apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest", "metadata": ["name": "a"]]
        let json = try JSONValue(parsing: OutputFormat.json.render(objects: [object], asList: false))
        #expect(json == object)
        let list = try YAML.parse(OutputFormat.yaml.render(objects: [object, object], asList: true))
        #expect(list["kind"]?.stringValue == "List")
        #expect(list["items"]?.arrayValue?.count == 2)
        #expect(try OutputFormat(parsing: nil) == .table)
        #expect(try OutputFormat(parsing: "WIDE") == .wide)
        #expect(throws: OutputFormat.ParseError.self) { try OutputFormat(parsing: "xml") }
    }
}
