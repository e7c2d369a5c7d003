import ArgumentParser
import Foundation
import JSON
import Kube
import SlipwayAPI
import SlipwayCLI

/// `slipway request get NAME`.
struct RequestGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one request.")

    @Argument(help: "The request's name.")
    var name: String

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let object: DynamicObject
        do {
            object = try await connection.client.get(DeploymentRequest.resource, name: name, namespace: connection.namespace)
        } catch {
            throw CommandFailure(error.explained(kind: "DeploymentRequest", name: name, namespace: connection.namespace))
        }
        try RequestPrinting.print([object], asList: false, format: try output.format(), style: cluster.style)
    }
}

/// `slipway request list [--target T]`.
struct RequestListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List requests, oldest first.", aliases: ["ls"])

    @Option(help: "Only the requests for this DeploymentTarget.")
    var target: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Requests of every namespace.")
    var allNamespaces = false

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let namespace = allNamespaces ? nil : connection.namespace
        let objects: [DynamicObject]
        do {
            objects = try await connection.client.listAll(DeploymentRequest.resource, namespace: namespace).items
        } catch {
            throw CommandFailure("cannot list DeploymentRequests in \(namespace.map { "namespace \"\($0)\"" } ?? "any namespace") at \(connection.server): \(error)")
        }
        let chosen = objects.filter { target == nil || $0[path: "spec", "target"]?.stringValue == target }
        let format = try output.format()
        if chosen.isEmpty && !format.printsObjects {
            Terminal.error("No requests found in \(namespace.map { "namespace \($0)" } ?? "any namespace")\(target.map { " for target \($0)" } ?? "").")
            return
        }
        try RequestPrinting.print(RequestPrinting.oldestFirst(chosen), asList: true, format: format, style: cluster.style,
                                  showNamespace: allNamespaces)
    }
}

/// `slipway request history TARGET`.
struct RequestHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show TARGET's live release and its requests, oldest first.",
        discussion: "The target keeps its last spec.historyLimit finished requests.")

    @Argument(help: "The DeploymentTarget.")
    var target: String

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let format = try output.format()
        let targetObject: DeploymentTarget
        do {
            targetObject = try await connection.client.get(DeploymentTarget.self, name: target, namespace: connection.namespace)
        } catch {
            throw CommandFailure(error.explained(kind: "DeploymentTarget", name: target, namespace: connection.namespace))
        }
        let objects: [DynamicObject]
        do {
            objects = try await connection.client.listAll(DeploymentRequest.resource, namespace: connection.namespace).items
                .filter { $0[path: "spec", "target"]?.stringValue == target }
        } catch {
            throw CommandFailure("cannot list DeploymentRequests in namespace \"\(connection.namespace)\": \(error)")
        }
        let ordered = RequestPrinting.oldestFirst(objects)
        if format.printsObjects {
            Terminal.write(format.render(objects: ordered.map(\.value), asList: true))
            return
        }
        let status = targetObject.status
        var live = "\(target): "
        if let image = status?.currentImage {
            live += "live \(image)" + (status?.currentCommit.map { " (\($0))" } ?? "")
            if let slot = status?.activeSlot { live += " on slot \(slot.rawValue)" }
        } else {
            live += "nothing released by Slipway yet"
        }
        if let previous = status?.previousImage { live += "; previous \(previous)" }
        if let active = status?.activeRequest { live += "; in progress: \(active)" }
        Terminal.line(live)
        let requests = ordered.compactMap { try? $0.value.decode(as: DeploymentRequest.self) }
        if requests.isEmpty {
            Terminal.line("No requests for \(target) in namespace \(connection.namespace).")
            return
        }
        Terminal.write(RequestTable.history(requests, now: Date()).render(style: cluster.style, colour: RequestTable.colour))
    }
}

/// `slipway request watch NAME`.
struct RequestWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a request's progress until it ends.",
        discussion: "Exits as create --wait does:\n\(ReleaseExitCode.helpText)")

    @Argument(help: "The request's name.")
    var name: String

    @Option(help: "Give up after this long (90s, 10m, 1h30m); 0 waits forever.")
    var timeout: String = "0"

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        do {
            _ = try DurationText.seconds(timeout)
        } catch {
            throw ValidationError("--timeout: \(error)")
        }
    }

    func run() async throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        do {
            _ = try await connection.client.get(DeploymentRequest.self, name: name, namespace: connection.namespace)
        } catch {
            throw CommandFailure(error.explained(kind: "DeploymentRequest", name: name, namespace: connection.namespace))
        }
        let seconds = (try? DurationText.seconds(timeout)) ?? 0
        try await RequestWaiting.follow(name, connection: connection, style: cluster.style,
                                        timeout: seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil)
    }
}

/// Printing requests as a table or as objects.
enum RequestPrinting {
    static func print(_ objects: [DynamicObject], asList: Bool, format: OutputFormat, style: TerminalStyle,
                      showNamespace: Bool = false) throws {
        if format.printsObjects {
            Terminal.write(format.render(objects: objects.map(\.value), asList: asList))
            return
        }
        var requests: [DeploymentRequest] = []
        for object in objects {
            do {
                requests.append(try object.value.decode(as: DeploymentRequest.self))
            } catch {
                throw CommandFailure("DeploymentRequest \"\(object.name ?? "?")\" does not match the Slipway schema (\(error)); is the CRD in manifests/crds installed at the same version as this slipway?")
            }
        }
        let table = RequestTable.table(requests, wide: format == .wide, now: Date(), showNamespace: showNamespace)
        Terminal.write(table.render(style: style, colour: RequestTable.colour))
    }

    /// Oldest first, as `RequestTable.oldestFirst` orders typed requests.
    static func oldestFirst(_ objects: [DynamicObject]) -> [DynamicObject] {
        objects.sorted { a, b in
            RequestTable.orderedBefore(
                created: (a[path: "metadata", "creationTimestamp"]?.stringValue, b[path: "metadata", "creationTimestamp"]?.stringValue),
                started: (a[path: "status", "startedAt"]?.stringValue, b[path: "status", "startedAt"]?.stringValue),
                names: (a.name, b.name))
        }
    }
}
