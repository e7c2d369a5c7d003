import Foundation

/// `slipway request ...` run as a user runs it, against an `EndToEndCluster`.
struct CLIRunner {
    let cluster: EndToEndCluster
    /// Who the CLI says is asking (SLIPWAY_USER).
    var user = "ci"

    /// Runs `slipway request ARGUMENTS --kubeconfig ... -n shop` without a terminal and with NO_COLOR unset.
    func request(_ arguments: [String], namespace: String = Fixture.namespace) async throws -> (status: Int32, stdout: String, stderr: String) {
        guard let binary = EndToEndCluster.binary else { throw EndToEndError("the slipway executable is not built") }
        return try await runProgram(binary, ["request"] + arguments + ["--kubeconfig", cluster.kubeconfig, "-n", namespace],
                                    environment: ["SLIPWAY_USER": user])
    }

    /// The request name from `deploymentrequest.slipway.dev/NAME created`.
    static func createdName(_ stdout: String) -> String? {
        let prefix = "deploymentrequest.slipway.dev/"
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(" created") }) else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(" created".count))
    }
}

extension EndToEndCluster {
    /// Changes the target in place with a JSON patch (RFC 6902), leaving the workloads as they are.
    func patchTarget(_ operations: String) async throws {
        try await kubectl(["patch", "deploymenttarget", Fixture.target, "-n", Fixture.namespace, "--type", "json", "-p", operations])
    }

    /// A freeze around now that rejects releases outright.
    func freezeTarget() async throws {
        let formatter = ISO8601DateFormatter()
        let start = formatter.string(from: Date().addingTimeInterval(-3600))
        let end = formatter.string(from: Date().addingTimeInterval(3600))
        try await patchTarget(#"[{"op":"add","path":"/spec/windows","value":{"freezes":[{"start":"\#(start)","end":"\#(end)","reason":"Release freeze"}],"outsideWindow":"reject"}}]"#)
    }
}

extension Fixture {
    /// The application with a blue/green switch that waits for `slipway.dev/promote`.
    static func manualPromotionApplication() -> String {
        application().replacingOccurrences(of: "autoPromote: true", with: "autoPromote: false")
    }
}
