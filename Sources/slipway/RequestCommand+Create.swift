import ArgumentParser
import Foundation
import JSON
import Kube
import SlipwayAPI
import SlipwayCLI

/// Options shared by the commands that can wait for the request they create.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Follow the request until it ends; the exit code tells how it ended (see `slipway request --help`).")
    var wait = false

    @Option(help: "With --wait: give up after this long (90s, 10m, 1h30m); the request keeps running. 0 waits forever.")
    var timeout: String = "30m"

    func validate() throws {
        do {
            _ = try DurationText.seconds(timeout)
        } catch {
            throw ValidationError("--timeout: \(error)")
        }
    }

    /// nil: no limit.
    var limit: Duration? {
        let seconds = (try? DurationText.seconds(timeout)) ?? 0
        return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
    }
}

/// `slipway request create TARGET --image IMAGE`.
struct RequestCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Ask for a release of TARGET: create a DeploymentRequest and print its name.",
        discussion: """
            The request is checked before it is sent (image pinned to a tag or digest and from \
            the target's repository, commit 7-40 hex digits). Its name is TARGET-<hash>. With \
            --wait the command follows the release and exits with:
            \(ReleaseExitCode.helpText)
            """)

    @Argument(help: "The DeploymentTarget to release, in the namespace.")
    var target: String

    @Option(help: "The image with its tag or digest, e.g. registry.example.com/shop/web:1.4.2.")
    var image: String

    @Option(help: "The source commit, 7 to 40 lowercase hex digits.")
    var commit: String?

    @Option(help: "Why: shown in the request and its history.")
    var reason: String?

    @OptionGroup var wait: WaitOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let draft: DeploymentRequest
        let connection = try cluster.connect()
        defer { connection.close() }
        do {
            draft = try RequestDraft.make(target: target, action: .deploy, image: image, commit: commit, reason: reason,
                                          namespace: connection.namespace, requestedBy: connection.identity, entropy: .random(in: .min ... .max))
        } catch {
            throw CommandFailure(error.description)
        }
        try await RequestCreation(connection: connection, cluster: cluster, output: try output.format(), wait: wait).run(draft)
    }
}

/// `slipway request rollback TARGET`.
struct RequestRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Return TARGET to its previous release: create a rollback request and print its name.",
        discussion: "With --wait the command follows the rollback and exits with:\n\(ReleaseExitCode.helpText)")

    @Argument(help: "The DeploymentTarget to roll back, in the namespace.")
    var target: String

    @Option(help: "Why: shown in the request and its history.")
    var reason: String?

    @OptionGroup var wait: WaitOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let draft: DeploymentRequest
        do {
            draft = try RequestDraft.make(target: target, action: .rollback, image: nil, commit: nil, reason: reason,
                                          namespace: connection.namespace, requestedBy: connection.identity, entropy: .random(in: .min ... .max))
        } catch {
            throw CommandFailure(error.description)
        }
        try await RequestCreation(connection: connection, cluster: cluster, output: try output.format(), wait: wait).run(draft)
    }
}

/// Checks a drafted request against its target, creates it, prints it and optionally follows it.
struct RequestCreation {
    let connection: Connection
    let cluster: ClusterOptions
    let output: OutputFormat
    let wait: WaitOptions

    func run(_ draft: DeploymentRequest) async throws {
        let namespace = connection.namespace
        let targetName = draft.spec.target
        let target: DeploymentTarget
        do {
            target = try await connection.client.get(DeploymentTarget.self, name: targetName, namespace: namespace)
        } catch {
            if error.isNotFound {
                throw CommandFailure("DeploymentTarget \"\(targetName)\" not found in namespace \"\(namespace)\"; see the targets with `kubectl get deploymenttargets -n \(namespace)`, or pass -n NAMESPACE")
            }
            throw CommandFailure("cannot read DeploymentTarget \"\(targetName)\" in namespace \"\(namespace)\" at \(connection.server): \(error)")
        }
        let issues = draft.validationIssues(against: target)
        if !issues.isEmpty { throw CommandFailure(RequestDraft.Invalid(issues: issues).description) }

        var created: DeploymentRequest?
        var request = draft
        for _ in 0..<3 {
            do {
                created = try await connection.client.create(request, namespace: namespace)
                break
            } catch {
                // A name already taken (a one-in-millions clash): draw another.
                guard error.isAlreadyExists, let redrawn = try? RequestDraft.make(
                    target: draft.spec.target, action: draft.spec.effectiveAction, image: draft.spec.image, commit: draft.spec.commit,
                    reason: draft.spec.reason, namespace: namespace, requestedBy: draft.requestedBy, entropy: .random(in: .min ... .max))
                else {
                    throw CommandFailure("cannot create the request in namespace \"\(namespace)\": \(error)")
                }
                request = redrawn
            }
        }
        guard let created, let name = created.metadata.name else {
            throw CommandFailure("cannot create the request: every name drawn was already taken; try again")
        }
        if output.printsObjects {
            let value = (try? JSONValue(encoding: created)) ?? .null
            Terminal.write(output.render(objects: [value], asList: false))
        } else {
            Terminal.line("deploymentrequest.slipway.dev/\(name) created")
        }
        guard wait.wait else { return }
        try await RequestWaiting.follow(name, connection: connection, style: cluster.style, timeout: wait.limit)
    }
}

/// Following one request to its end and exiting with the code for how it ended.
enum RequestWaiting {
    static func follow(_ name: String, connection: Connection, style: TerminalStyle, timeout: Duration?) async throws {
        let follower = RequestFollower(connection: connection, style: style)
        let result = try await follower.follow([name], timeout: timeout)
        guard result.allEnded, let request = result.requests[name], let code = ReleaseExitCode.forPhase(request.phase) else {
            let phase = result.requests[name]?.phase.rawValue ?? "unknown"
            let limit = timeout.map { DurationText.format(seconds: Double($0.components.seconds)) } ?? "the limit"
            Terminal.error("timed out after \(limit) waiting for request \(name) (now \(phase)); it keeps running: follow it with `slipway request watch \(name) -n \(connection.namespace)`")
            throw ExitCode(ReleaseExitCode.timedOut.rawValue)
        }
        if code != .succeeded {
            Terminal.error("request \(name) ended \(request.phase.rawValue): \(request.status?.message ?? "no message")")
        }
        if code != .succeeded { throw ExitCode(code.rawValue) }
    }
}
