import ArgumentParser
import Foundation
import JSON
import Kube
import SlipwayAPI
import SlipwayCLI

/// `slipway request approve NAME`: adds the caller to slipway.dev/approved-by.
struct RequestApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a request that waits for approval.",
        discussion: "Adds you (SLIPWAY_USER, else the kubeconfig user, else the local user) to slipway.dev/approved-by. The target may not count the requester's own approval.")

    @Argument(help: "The request's name.")
    var name: String

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        guard let approver = connection.identity else {
            throw CommandFailure("cannot tell who is approving: set SLIPWAY_USER, or use a kubeconfig context with a user")
        }
        let request = try await AnnotationUpdate.apply(name, connection: connection) { (request) throws(AnnotationEdits.Refusal) -> JSONValue in
            try AnnotationEdits.approve(request, by: approver)
        }
        let approvers = request.approvers
        Terminal.line("deploymentrequest.slipway.dev/\(name) approved by \(approver) (approvers: \(approvers.joined(separator: ", ")))")
    }
}

/// `slipway request promote NAME`: sets slipway.dev/promote on a paused release.
struct RequestPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Let a paused release continue.",
        discussion: "Sets slipway.dev/promote on a Paused request (a blue/green switch without autoPromote, a canary pause without a duration, or a failed gate with onGateFailure: pause).")

    @Argument(help: "The request's name.")
    var name: String

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        _ = try await AnnotationUpdate.apply(name, connection: connection) { (request) throws(AnnotationEdits.Refusal) -> JSONValue in
            try AnnotationEdits.promote(request)
        }
        Terminal.line("deploymentrequest.slipway.dev/\(name) promoted")
    }
}

/// `slipway request abort NAME`: sets slipway.dev/abort.
struct RequestAbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort", abstract: "Stop a release and return to the previous one.",
        discussion: "Sets slipway.dev/abort to the reason; the controller returns traffic and workload to the previous release and ends the request Aborted.")

    @Argument(help: "The request's name.")
    var name: String

    @Option(help: "Why; recorded in the annotation and the request's message.")
    var reason: String?

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let who = connection.identity.map { " by \($0)" } ?? ""
        let text = reason.flatMap { $0.isEmpty ? nil : $0 } ?? "aborted\(who) with slipway request abort"
        _ = try await AnnotationUpdate.apply(name, connection: connection) { (request) throws(AnnotationEdits.Refusal) -> JSONValue in
            try AnnotationEdits.abort(request, reason: text)
        }
        Terminal.line("deploymentrequest.slipway.dev/\(name) abort requested")
    }
}

/// Read, decide, patch with the resourceVersion read; on 409 Conflict read again (someone else
/// changed the request meanwhile, e.g. a second approver or the controller's status).
enum AnnotationUpdate {
    static func apply(_ name: String, connection: Connection,
                      _ edit: (DeploymentRequest) throws(AnnotationEdits.Refusal) -> JSONValue) async throws -> DeploymentRequest {
        let client = connection.client, namespace = connection.namespace
        for _ in 0..<5 {
            let request: DeploymentRequest
            do {
                request = try await client.get(DeploymentRequest.self, name: name, namespace: namespace)
            } catch {
                throw CommandFailure(error.explained(kind: "DeploymentRequest", name: name, namespace: namespace))
            }
            let patch: JSONValue
            do {
                patch = try edit(request)
            } catch {
                throw CommandFailure(error.description)
            }
            do {
                return try await client.patch(DeploymentRequest.self, name: name, namespace: namespace, patch: .merge(patch))
            } catch {
                if error.isConflict { continue }
                throw CommandFailure(error.explained(kind: "DeploymentRequest", name: name, namespace: namespace))
            }
        }
        throw CommandFailure("request \(name) kept changing while being updated; try again")
    }
}
