import Foundation
import JSON

/// One odd or invalid object for the fuzz tests, and the fields its error must name.
struct FuzzCase: Sendable, CustomStringConvertible {
    var name: String
    /// What was changed from a valid object, for failure messages.
    var mutations: [String]
    var object: JSONValue
    /// The error (from the API server or in the request's status) must name one of these.
    var fields: [String]

    var description: String { "\(name) (\(mutations.joined(separator: ", ")))" }
}

/// Seeded generators of invalid DeploymentRequests and DeploymentTargets, each a valid object
/// with one or two things made wrong: wrong JSON types, missing fields, malformed image
/// references and commits, huge and non-ASCII strings, references to objects that do not exist,
/// and strategies that contradict themselves.
enum FuzzGenerator {
    /// A change to a valid object and the fields an error about it names.
    private struct Mutation {
        var label: String
        var fields: [String]
        var apply: (inout JSONValue) -> Void
    }

    // MARK: Values

    /// Strings no schema pattern for names, images or commits accepts.
    static let oddStrings: [String] = [
        "", " ", "UPPER", "with space", "trailing-", "-leading", "dots..dots", "ünïcödé", "приложение", "应用", "🚀🔥",
        "zero\u{200B}width", "right\u{202E}left", "tab\there", "new\nline", "quote\"d", "back\\slash", "semi;colon", "$(rm -rf /)",
        "../../etc/passwd", "null", "0x1F",
    ]

    static func huge(_ random: inout SeededRandom, count: Int) -> String {
        let alphabet = Array("aé😀中-_.") // multi-byte characters too: limits count characters, not bytes
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }

    static func label(_ random: inout SeededRandom, prefix: String) -> String {
        "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 36))"
    }

    /// Values of the wrong JSON type for a string field.
    static func wrongType(_ random: inout SeededRandom) -> JSONValue {
        random.pick([JSONValue.int(42), .bool(true), .double(3.5), .array(["a"]), .object(["k": "v"])])
    }

    // MARK: Requests

    /// A valid deploy request for `target`; mutations make it invalid.
    static func validRequest(name: String, namespace: String, target: String, image: String) -> JSONValue {
        [
            "apiVersion": "slipway.dev/v1alpha1", "kind": "DeploymentRequest",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "annotations": ["slipway.dev/requested-by": "fuzz"]],
            "spec": ["target": .string(target), "action": "deploy", "image": .string(image), "commit": "abcdef1", "reason": "fuzz"],
        ]
    }

    private static func requestMutations(_ random: inout SeededRandom, repository: String) -> [Mutation] {
        let odd = random.pick(oddStrings)
        let wrong = wrongType(&random)
        let missingTarget = label(&random, prefix: "missing")
        let hugeText = huge(&random, count: random.pick([1025, 4000, 70_000]))
        let longImage = "\(repository):" + String(repeating: "7", count: random.pick([129, 600]))
        let badCommit = random.pick(["ABCDEF1", "abc", String(repeating: "a", count: 41), "g123456", " abcdef1", odd, "1.4.2"])
        let badImage = random.pick(["\(repository)", "\(repository):", "Shop/App:1", "\(repository) :1", "\(repository):1 ", "📦/app:1",
                                    "\(repository)@sha256:1234", "http://\(repository):1", longImage, odd + ":1"])
        let badAction = random.pick(["Deploy", "undo", "", "🚀", "rollback ", odd])
        let badTarget = random.pick(["App-Production", "app_production", "", String(repeating: "a", count: 64), "приложение", "-app", odd])
        let foreignImage = random.pick(["other/app:2.0.0", "registry.example.com/\(repository):2.0.0", "\(repository)-fork:2.0.0"])
        let annotation = huge(&random, count: 300)
        return [
            Mutation(label: "commit \(badCommit.debugDescription)", fields: ["spec.commit"]) { $0[path: "spec", "commit"] = .string(badCommit) },
            Mutation(label: "commit of type \(wrong.typeName)", fields: ["spec.commit"]) { $0[path: "spec", "commit"] = wrong },
            Mutation(label: "action \(badAction.debugDescription)", fields: ["spec.action"]) { $0[path: "spec", "action"] = .string(badAction) },
            Mutation(label: "action of type \(wrong.typeName)", fields: ["spec.action"]) { $0[path: "spec", "action"] = wrong },
            Mutation(label: "target \(badTarget.debugDescription)", fields: ["spec.target"]) { $0[path: "spec", "target"] = .string(badTarget) },
            Mutation(label: "target of type \(wrong.typeName)", fields: ["spec.target"]) { $0[path: "spec", "target"] = wrong },
            Mutation(label: "no target", fields: ["spec.target"]) { $0[path: "spec", "target"] = nil },
            Mutation(label: "target \(missingTarget) does not exist", fields: ["spec.target"]) { $0[path: "spec", "target"] = .string(missingTarget) },
            Mutation(label: "image \(badImage.prefix(40).debugDescription)", fields: ["spec.image"]) { $0[path: "spec", "image"] = .string(badImage) },
            Mutation(label: "image of type \(wrong.typeName)", fields: ["spec.image"]) { $0[path: "spec", "image"] = wrong },
            Mutation(label: "no image", fields: ["spec.image"]) { $0[path: "spec", "image"] = nil },
            Mutation(label: "image \(foreignImage) from another repository", fields: ["spec.image"]) { $0[path: "spec", "image"] = .string(foreignImage) },
            Mutation(label: "image misspelt as imgae", fields: ["spec.image", "imgae"]) {
                $0[path: "spec", "imgae"] = $0[path: "spec", "image"]
                $0[path: "spec", "image"] = nil
            },
            Mutation(label: "reason of \(hugeText.count) characters", fields: ["spec.reason"]) { $0[path: "spec", "reason"] = .string(hugeText) },
            Mutation(label: "rollback naming an image", fields: ["spec.image", "spec.commit", "spec.action"]) { $0[path: "spec", "action"] = "rollback" },
            Mutation(label: "rollback naming a commit", fields: ["spec.commit", "spec.action"]) {
                $0[path: "spec", "action"] = "rollback"
                $0[path: "spec", "image"] = nil
            },
            Mutation(label: "rollback with no previous release", fields: ["spec.action"]) {
                $0[path: "spec", "action"] = "rollback"
                $0[path: "spec", "image"] = nil
                $0[path: "spec", "commit"] = nil
            },
            Mutation(label: "spec of type \(wrong.typeName)", fields: ["spec"]) { $0["spec"] = wrong },
            Mutation(label: "no spec", fields: ["spec"]) { $0["spec"] = nil },
            // Odd but harmless alone: only ever combined with a mutation that makes the request invalid.
            Mutation(label: "huge unicode annotations", fields: []) {
                $0[path: "metadata", "annotations"] = .object(["slipway.dev/requested-by": .string(annotation),
                                                               "slipway.dev/approved-by": .string(odd), "slipway.dev/promote": "maybe"])
            },
        ]
    }

    /// `count` invalid requests for `target` (which exists and is valid).
    static func requests(count: Int, random: inout SeededRandom, namespace: String, target: String, repository: String) -> [FuzzCase] {
        (0..<count).map { index in
            let name = "fuzz-request-\(index)"
            var object = validRequest(name: name, namespace: namespace, target: target, image: "\(repository):2.0.0")
            var mutations = requestMutations(&random, repository: repository)
            let harmless = mutations.removeLast()
            var chosen = [random.pick(mutations)]
            if random.chance(0.3) { chosen.append(random.pick(mutations)) }
            if random.chance(0.2) { chosen.append(harmless) }
            for mutation in chosen { mutation.apply(&object) }
            return FuzzCase(name: name, mutations: chosen.map(\.label), object: object, fields: chosen.flatMap(\.fields))
        }
    }

    // MARK: Targets

    /// Mutations of the strategy first, then the others; the second mutation of a target comes
    /// from the others only, so that the error about the pair still names one of the two.
    private static func targetMutations(_ random: inout SeededRandom) -> (strategy: [Mutation], other: [Mutation]) {
        let odd = random.pick(oddStrings)
        let wrong = wrongType(&random)
        let missing = label(&random, prefix: "missing")
        let hugeName = huge(&random, count: random.pick([64, 300, 5000]))
        let blueGreen = ["spec", "strategy", "blueGreen"]
        func set(_ path: [String], _ value: JSONValue?) -> (inout JSONValue) -> Void { { $0[pathComponents: path] = value } }
        let strategy: [Mutation] = [
            Mutation(label: "activeService \(missing) missing", fields: ["activeService"], apply: set(blueGreen + ["activeService"], .string(missing))),
            Mutation(label: "previewService \(missing) missing", fields: ["previewService"], apply: set(blueGreen + ["previewService"], .string(missing))),
            Mutation(label: "blueDeployment \(missing) missing", fields: ["blueDeployment"], apply: set(blueGreen + ["blueDeployment"], .string(missing))),
            Mutation(label: "greenDeployment \(missing) missing", fields: ["greenDeployment"], apply: set(blueGreen + ["greenDeployment"], .string(missing))),
            Mutation(label: "green slot is the blue Deployment", fields: ["greenDeployment", "blueDeployment"]) {
                $0[pathComponents: blueGreen + ["greenDeployment"]] = $0[pathComponents: blueGreen + ["blueDeployment"]]
            },
            Mutation(label: "preview Service is the active one", fields: ["previewService", "activeService"]) {
                $0[pathComponents: blueGreen + ["previewService"]] = $0[pathComponents: blueGreen + ["activeService"]]
            },
            Mutation(label: "activeService \(odd.debugDescription)", fields: ["activeService"], apply: set(blueGreen + ["activeService"], .string(odd))),
            Mutation(label: "autoPromote of type \(wrong.typeName)", fields: ["autoPromote"], apply: set(blueGreen + ["autoPromote"], wrong)),
            Mutation(label: "scaleDownDelaySeconds -5", fields: ["scaleDownDelaySeconds"], apply: set(blueGreen + ["scaleDownDelaySeconds"], .int(-5))),
            Mutation(label: "pre-promotion gate not defined", fields: ["prePromotionGates"], apply: set(blueGreen + ["prePromotionGates"], [.string(missing)])),
            Mutation(label: "both blueGreen and canary", fields: ["spec.strategy"]) {
                $0[path: "spec", "strategy", "canary"] = [
                    "stableDeployment": "app-blue", "canaryDeployment": "app-green", "service": "app",
                    "trafficRouting": ["replicaRatio": [:]], "steps": [["setWeight": 20]],
                ]
            },
            Mutation(label: "no strategy", fields: ["spec.strategy"], apply: set(["spec", "strategy"], [:])),
            Mutation(label: "canary strategy (not released by this controller)", fields: ["canary"]) {
                $0[path: "spec", "strategy"] = ["canary": [
                    "stableDeployment": "app-blue", "canaryDeployment": "app-green", "service": "app",
                    "trafficRouting": ["replicaRatio": [:]], "steps": [["setWeight": 20]],
                ]]
            },
        ]
        let other: [Mutation] = [
            Mutation(label: "two gates with one name", fields: ["spec.gates", "name"]) {
                if case .array(var gates)? = $0[path: "spec", "gates"], let first = gates.first {
                    gates.append(first)
                    $0[path: "spec", "gates"] = .array(gates)
                }
            },
            Mutation(label: "gate url \(odd.debugDescription)", fields: ["url", "spec.gates"]) {
                if case .array(var gates)? = $0[path: "spec", "gates"], !gates.isEmpty {
                    gates[0][path: "http", "url"] = .string(odd)
                    $0[path: "spec", "gates"] = .array(gates)
                }
            },
            Mutation(label: "gate with two kinds", fields: ["spec.gates"]) {
                if case .array(var gates)? = $0[path: "spec", "gates"], !gates.isEmpty {
                    gates[0]["readiness"] = [:]
                    $0[path: "spec", "gates"] = .array(gates)
                }
            },
            Mutation(label: "time zone Mars/Olympus_Mons", fields: ["timezone"], apply: set(["spec", "windows"], ["timezone": "Mars/Olympus_Mons"])),
            Mutation(label: "freeze ending before it starts", fields: ["freezes"], apply: set(["spec", "windows"], [
                "freezes": [["start": "2026-12-27T00:00:00Z", "end": "2026-12-24T00:00:00Z", "reason": "backwards"]],
            ])),
            Mutation(label: "imageRepository with a tag", fields: ["imageRepository"], apply: set(["spec", "source", "imageRepository"], "shop/app:1.0")),
            Mutation(label: "imageRepository \(odd.debugDescription)", fields: ["imageRepository"], apply: set(["spec", "source", "imageRepository"], .string(odd))),
            Mutation(label: "no source", fields: ["spec.source"], apply: set(["spec", "source"], nil)),
            Mutation(label: "container \(odd.debugDescription)", fields: ["container"], apply: set(["spec", "container"], .string(odd))),
            Mutation(label: "container not in the Deployments", fields: ["container"], apply: set(["spec", "container"], .string(missing))),
            Mutation(label: "environment of \(hugeName.count) characters", fields: ["environment"], apply: set(["spec", "environment"], .string(hugeName))),
            Mutation(label: "environment of type \(wrong.typeName)", fields: ["environment"], apply: set(["spec", "environment"], wrong)),
            Mutation(label: "historyLimit -1", fields: ["historyLimit"], apply: set(["spec", "historyLimit"], .int(-1))),
            Mutation(label: "progressDeadlineSeconds \"soon\"", fields: ["progressDeadlineSeconds"], apply: set(["spec", "progressDeadlineSeconds"], "soon")),
            Mutation(label: "minApprovers 0", fields: ["minApprovers"], apply: set(["spec", "approval", "minApprovers"], .int(0))),
        ]
        return (strategy, other)
    }

    /// `count` invalid targets, each a copy of `valid` renamed and changed.
    static func targets(count: Int, random: inout SeededRandom, valid: JSONValue) -> [FuzzCase] {
        (0..<count).map { index in
            let name = "fuzz-target-\(index)"
            var object = valid
            object[path: "metadata", "name"] = .string(name)
            object["status"] = nil
            let mutations = targetMutations(&random)
            var chosen = [random.pick(mutations.strategy + mutations.other)]
            if random.chance(0.25) {
                let second = random.pick(mutations.other)
                if second.label != chosen[0].label { chosen.append(second) }
            }
            for mutation in chosen { mutation.apply(&object) }
            return FuzzCase(name: name, mutations: chosen.map(\.label), object: object, fields: chosen.flatMap(\.fields))
        }
    }
}
