import Foundation
import Testing

/// Every subcommand's --help says what the program does today, not what it once lacked.
@Suite("EndToEnd help texts", .enabled(if: EndToEndCluster.binary != nil))
struct EndToEndHelpTests {
    static let subcommands = [["controller"], ["bot"], ["cluster"], ["demo"], ["version"], ["audit"], ["audit", "verify"],
                              ["request"], ["request", "create"], ["request", "rollback"], ["request", "approve"],
                              ["request", "promote"], ["request", "abort"], ["request", "get"], ["request", "list"],
                              ["request", "history"], ["request", "watch"]]

    @Test("no subcommand's help calls a served feature missing; the controller's names the release metrics it serves")
    func helpDescribesTheProgramAsItIs() async throws {
        let binary = try #require(EndToEndCluster.binary)
        for subcommand in Self.subcommands {
            let result = try await runProgram(binary, subcommand + ["--help"])
            #expect(result.status == 0, "\(subcommand): \(result.stderr)")
            let text = (result.stdout + result.stderr).replacingOccurrences(of: "\n", with: " ")
            for stale in ["not served yet", "not yet supported", "not implemented", "coming soon"] {
                #expect(!text.contains(stale), "slipway \(subcommand.joined(separator: " ")) --help says \"\(stale)\"")
            }
        }
        let controller = try await runProgram(binary, ["controller", "--help"])
        for metric in ["deployments_total", "deployment_duration_seconds", "health_check_up", "slipway_requests"] {
            #expect(controller.stdout.contains(metric), "the controller's help does not name \(metric)")
        }
    }
}
