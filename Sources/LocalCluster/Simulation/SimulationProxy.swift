import ClusterCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import Logging
import NIOCore
import ServiceLifecycle

/// An HTTP forward proxy on loopback that reaches the simulated applications by their
/// in-cluster names, so that URLs keep the form they have inside a cluster
/// (`http://web-preview.shop.svc/healthz`). Hosts it accepts: `NAME.NAMESPACE.svc`,
/// `NAME.NAMESPACE.svc.cluster.local` and `NAME.NAMESPACE`, with an optional port that must be
/// one of the Service's ports. Nothing is ever forwarded outside the simulation: any other
/// host is answered 502 here. https://www.rfc-editor.org/rfc/rfc9110#section-7.3.2
struct SimulationProxyResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let applications: SimulatedApplications
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let method = request.method.rawValue
        if request.method == .connect {
            return Self.text(.methodNotAllowed, "CONNECT is not supported: the simulation proxy serves plain http:// URLs of in-cluster Services only\n")
        }
        let authority = request.head.authority ?? ""
        let target: Target
        switch Self.target(authority: authority) {
        case .success(let parsed): target = parsed
        case .failure(let message): return Self.text(.badGateway, message)
        }
        guard let service = applications.service(target.key) else {
            return Self.text(.badGateway, "no Service \"\(target.key.name)\" in namespace \"\(target.key.namespace)\": this proxy reaches only Services of the simulated cluster (http://NAME.NAMESPACE.svc) and never forwards outside it\n")
        }
        if let port = target.port {
            let ports = (service[path: "spec", "ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
            guard ports.contains(port) else {
                return Self.text(.badGateway, "Service \"\(target.key.name)\" in namespace \"\(target.key.namespace)\" has no port \(port); its ports are \(ports.map(String.init).joined(separator: ", "))\n")
            }
        }
        logger.trace("simulated request", metadata: ["service": "\(target.key.namespace)/\(target.key.name)", "path": "\(request.uri.path)"])
        let answer = await applications.handle(target.key, service: service, method: method, path: request.head.path ?? "/")
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    struct Target: Equatable {
        var key: SimulatedApplications.ServiceKey
        var port: Int?
    }

    enum Parsed: Equatable {
        case success(Target)
        case failure(String)
    }

    /// The Service an authority names (`web.shop.svc:8080`), or why it names none.
    static func target(authority: String) -> Parsed {
        var host = authority.lowercased()
        var port: Int?
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            let portText = host[host.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number) else {
                return .failure("invalid port in host \"\(authority)\"\n")
            }
            port = number
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        var labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if labels.count == 5, labels[2] == "svc", labels[3] == "cluster", labels[4] == "local" {
            labels.removeLast(3)
        } else if labels.count == 3, labels[2] == "svc" {
            labels.removeLast()
        }
        guard labels.count == 2, labels.allSatisfy(Self.isDNSLabel) else {
            return .failure("host \"\(authority)\" is not an in-cluster Service: use NAME.NAMESPACE.svc, NAME.NAMESPACE.svc.cluster.local or NAME.NAMESPACE; this proxy never forwards outside the simulated cluster\n")
        }
        return .success(Target(key: .init(namespace: labels[1], name: labels[0]), port: port))
    }

    static func isDNSLabel(_ label: String) -> Bool {
        guard (1...63).contains(label.utf8.count), let first = label.utf8.first, let last = label.utf8.last else { return false }
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alphanumeric(first) && alphanumeric(last) && label.utf8.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
