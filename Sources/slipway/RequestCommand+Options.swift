import ArgumentParser
import Foundation
import JSON
import Kube
import Logging
import SlipwayCLI

/// Where the cluster is and how to print: the flags every `slipway request` command takes,
/// spelled as kubectl spells them.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kubeconfig file to use instead of KUBECONFIG or ~/.kube/config.")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context to use instead of the current one.")
    var context: String?

    @Option(name: [.short, .long], help: "Namespace of the requests (default: the context's namespace).")
    var namespace: String?

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also: a non-empty NO_COLOR).")
    var noColor = false

    func validate() throws {
        if let namespace, namespace.isEmpty { throw ValidationError("-n/--namespace must not be empty") }
    }

    /// A client for the chosen cluster, the namespace to use, and who is asking.
    func connect() throws -> Connection {
        CommandLogging.bootstrapQuiet()
        let cluster: ClusterConfiguration
        var kubeconfigUser: String?
        do {
            if kubeconfig != nil || context != nil {
                let config = try KubeConfig.load(paths: kubeconfig.map { [$0] } ?? KubeConfig.defaultPaths())
                cluster = try config.clusterConfiguration(context: context)
                kubeconfigUser = (context ?? config.currentContext).flatMap { config.contexts[$0]?.value.user }
            } else {
                cluster = try ClusterConfiguration.infer()
                let paths = KubeConfig.defaultPaths()
                if paths.contains(where: { FileManager.default.fileExists(atPath: $0) }), let config = try? KubeConfig.load(paths: paths) {
                    kubeconfigUser = config.currentContext.flatMap { config.contexts[$0]?.value.user }
                }
            }
        } catch {
            throw CommandFailure("cannot configure the Kubernetes client: \(error)")
        }
        let client: KubeClient
        do {
            client = try KubeClient(configuration: cluster, logger: Logger(label: "slipway.kube"))
        } catch {
            throw CommandFailure("cannot set up the Kubernetes client for \(cluster.server): \(error)")
        }
        let identity = RequesterIdentity.resolve(environment: ProcessInfo.processInfo.environment, kubeconfigUser: kubeconfigUser,
                                                 loginName: ProcessInfo.processInfo.userName)
        return Connection(client: client, namespace: namespace ?? cluster.namespace, identity: identity, server: cluster.server)
    }

    /// Colours and bars only on a terminal, and never when asked not to.
    var style: TerminalStyle {
        TerminalStyle(colours: TerminalStyle.coloursEnabled(isTerminal: Terminal.isTerminal, noColorFlag: noColor,
                                                            environment: ProcessInfo.processInfo.environment))
    }
}

/// `-o/--output`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: "Output format: yaml, json or wide (default: a table).")
    var output: String?

    func validate() throws {
        _ = try format()
    }

    func format() throws -> OutputFormat {
        do {
            return try OutputFormat(parsing: output)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// A connected client and what the commands need to know with it.
struct Connection {
    let client: KubeClient
    let namespace: String
    let identity: String?
    let server: String

    func close() { client.shutdown() }
}

/// An error whose message is the whole story (what went wrong, what to do); exits with 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum CommandLogging {
    /// Library logs go to standard error at warning and above: standard output belongs to
    /// the command's own results, which scripts read.
    static func bootstrapQuiet(level: Logger.Level = .warning) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension KubeError {
    /// The error in words for someone at a terminal: what was not found, where, and what to try.
    func explained(kind: String, name: String, namespace: String) -> String {
        if isNotFound {
            return "\(kind) \"\(name)\" not found in namespace \"\(namespace)\"; check the name, or pass -n NAMESPACE"
        }
        if isForbidden || isUnauthorized {
            return "not allowed to use \(kind) \"\(name)\" in namespace \"\(namespace)\": \(self); ask for RBAC access to deploymentrequests.slipway.dev"
        }
        return "\(kind) \"\(name)\" in namespace \"\(namespace)\": \(self)"
    }
}
