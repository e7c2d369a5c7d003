import Foundation
import Kube
import SlipwayAPI
import SlipwayCLI
import Testing

@Suite("Request names, durations and drafts")
struct NamingAndInputTests {
    @Test("request names start with the target, fit a DNS subdomain, and differ between equal requests")
    func names() {
        let first = RequestName.make(target: "web-production", action: .deploy, parts: ["shop/web:1.5.0"], entropy: 1)
        let second = RequestName.make(target: "web-production", action: .deploy, parts: ["shop/web:1.5.0"], entropy: 2)
        #expect(first.hasPrefix("web-production-"))
        #expect(first != second)
        #expect(Patterns.dnsSubdomain.matches(first))
        #expect(first == RequestName.make(target: "web-production", action: .deploy, parts: ["shop/web:1.5.0"], entropy: 1))
        let rollback = RequestName.make(target: "web-production", action: .rollback, parts: [], entropy: 1)
        #expect(rollback.hasPrefix("web-production-rollback-"))
        let longest = RequestName.make(target: String(repeating: "a", count: 63), action: .rollback, parts: [], entropy: 9)
        #expect(longest.count <= 253 && Patterns.dnsSubdomain.matches(longest))
    }

    static let durationCases: [(String, Double)] = [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5m", 90), ("0", 0)]

    @Test("timeouts read as people type them", arguments: durationCases)
    func durations(text: String, seconds: Double) throws {
        #expect(try DurationText.seconds(text) == seconds)
    }

    @Test("a malformed timeout says how to write one", arguments: ["", "ten minutes", "5x", "-3", "10m5"])
    func badDurations(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.seconds(text) }
        #expect(DurationText.ParseError(text: text).description.contains("1h30m"))
    }

    @Test("a draft carries the requester and passes the controller's validation")
    func validDraft() throws {
        let request = try RequestDraft.make(target: "web-production", action: .deploy, image: "registry.example.com/shop/web:1.5.0",
                                            commit: "3f9c2ab", reason: "fix", namespace: "shop", requestedBy: "alice", entropy: 7)
        #expect(request.requestedBy == "alice")
        #expect(request.metadata.namespace == "shop")
        #expect(request.metadata.name?.hasPrefix("web-production-") == true)
        #expect(request.validationIssues().isEmpty)
    }

    @Test("an unpinned image or a bad commit is refused before sending, naming the flag and the fix")
    func invalidDraft() {
        let error = #expect(throws: RequestDraft.Invalid.self) {
            try RequestDraft.make(target: "web-production", action: .deploy, image: "registry.example.com/shop/web", commit: "xyz",
                                  reason: nil, namespace: "shop", requestedBy: nil, entropy: 1)
        }
        let text = error?.description ?? ""
        #expect(text.contains("--image") && text.contains("no tag or digest") && text.contains("--commit"), "\(text)")
        #expect(throws: RequestDraft.Invalid.self) {
            try RequestDraft.make(target: "Web_Production", action: .deploy, image: "shop/web:1", commit: nil, reason: nil,
                                  namespace: "shop", requestedBy: nil, entropy: 1)
        }
    }

    @Test("the requester is SLIPWAY_USER, else the kubeconfig user, else the local user")
    func identity() {
        #expect(RequesterIdentity.resolve(environment: ["SLIPWAY_USER": "ci-bot", "USER": "me"], kubeconfigUser: "admin", loginName: "me") == "ci-bot")
        #expect(RequesterIdentity.resolve(environment: ["USER": "me"], kubeconfigUser: "admin", loginName: "me") == "admin")
        #expect(RequesterIdentity.resolve(environment: ["USER": "me"], kubeconfigUser: nil, loginName: "login") == "me")
        #expect(RequesterIdentity.resolve(environment: [:], kubeconfigUser: " ", loginName: nil) == nil)
        // A comma would split into two approvers in slipway.dev/approved-by.
        #expect(RequesterIdentity.resolve(environment: ["SLIPWAY_USER": "a,b"], kubeconfigUser: "admin", loginName: nil) == "admin")
    }

    @Test("kubectl-slipway reads its arguments as `slipway request ...`")
    func plugin() {
        #expect(PluginInvocation.arguments(argv0: "/home/me/bin/kubectl-slipway", arguments: ["list", "-n", "shop"]) == ["request", "list", "-n", "shop"])
        #expect(PluginInvocation.arguments(argv0: "kubectl-slipway", arguments: ["request", "get", "x"]) == ["request", "get", "x"])
        #expect(PluginInvocation.arguments(argv0: "kubectl-slipway", arguments: []) == ["request"])
        #expect(PluginInvocation.arguments(argv0: ".build/debug/slipway", arguments: ["demo"]) == ["demo"])
    }
}
