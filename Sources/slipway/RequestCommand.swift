import ArgumentParser
import SlipwayCLI

/// `slipway request ...` (and `kubectl slipway ...`): create, follow and steer DeploymentRequests.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Create, follow and steer DeploymentRequests (also `kubectl slipway ...`).",
        discussion: """
            Talks to the cluster of --kubeconfig/--context (else KUBECONFIG or ~/.kube/config, else \
            the in-cluster account); the namespace is -n, else the context's namespace. The \
            requester recorded in slipway.dev/requested-by (and the approver in \
            slipway.dev/approved-by) is SLIPWAY_USER, else the kubeconfig context's user, else \
            the local user.

            Installed as an executable named kubectl-slipway on PATH (scripts/install-kubectl-plugin.sh \
            makes the symlink), `kubectl slipway create ...` is `slipway request create ...`.

            Exit codes of create --wait, rollback --wait and watch:
            \(ReleaseExitCode.helpText)
              64 usage error
            """,
        subcommands: [
            RequestCreateCommand.self, RequestRollbackCommand.self, RequestGetCommand.self, RequestListCommand.self,
            RequestWatchCommand.self, RequestHistoryCommand.self, RequestApproveCommand.self, RequestPromoteCommand.self,
            RequestAbortCommand.self,
        ])
}
