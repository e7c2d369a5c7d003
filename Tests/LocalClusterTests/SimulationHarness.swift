import Foundation
import HTTP
import JSON
import LocalCluster
import Logging
import ServiceLifecycle
import Testing

/// A cluster with workloads and applications simulated, started in this process, and the
/// means to reach its apps through the proxy it offers.
enum SimulatedCluster {
    /// Short delays, so that tests see readiness and restarts quickly.
    static let fast = SimulationConfiguration(
        readinessDelay: .milliseconds(300), crashLoopRestartInterval: .milliseconds(500), resyncInterval: .milliseconds(100))

    static func with<T: Sendable>(
        simulation: SimulationConfiguration = fast, _ body: (RunningCluster) async throws -> T
    ) async throws -> T {
        try await RunningCluster.with(simulation: simulation, body)
    }

    /// A Deployment of `replicas` pods of `image` labelled app=`name`, and (optionally) a
    /// Service selecting them on port 80.
    static func workload(
        _ name: String, image: String, replicas: Int = 1, namespace: String = "default", service: Bool = false,
        progressDeadlineSeconds: Int = 600
    ) -> String {
        var text = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              replicas: \(replicas)
              progressDeadlineSeconds: \(progressDeadlineSeconds)
              selector:
                matchLabels:
                  app: \(name)
              template:
                metadata:
                  labels:
                    app: \(name)
                spec:
                  containers:
                  - name: app
                    image: \(image)
                    ports:
                    - containerPort: 8080

            """
        if service {
            text += """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: \(name)
                  namespace: \(namespace)
                spec:
                  selector:
                    app: \(name)
                  ports:
                  - port: 80
                    targetPort: 8080

                """
        }
        return text
    }
}

extension RunningCluster {
    /// `kubectl get ... -o json`, parsed.
    func json(_ arguments: [String]) async throws -> JSONValue {
        let output = try await kubectlOK(["get"] + arguments + ["-o", "json"])
        return try JSONValue(parsing: output)
    }

    /// The items of `kubectl get KIND -o json` in a namespace.
    func items(_ kind: String, namespace: String = "default", selector: String? = nil) async throws -> [JSONValue] {
        var arguments = [kind, "-n", namespace]
        if let selector { arguments += ["-l", selector] }
        return try await json(arguments)["items"]?.arrayValue ?? []
    }

    func apply(_ name: String, _ manifest: String) async throws {
        try await kubectlOK(["apply", "-f", try self.manifest(name, manifest)])
    }

    /// An HTTP client whose every request goes through the simulation's proxy.
    func proxyClient() throws -> HTTPClient {
        let proxy = try #require(endpoint.proxyURL, "the simulated cluster serves a proxy")
        return try HTTPClient(configuration: .init(proxy: proxy))
    }
}

extension JSONValue {
    func int(_ path: String...) -> Int { self[pathComponents: path]?.intValue ?? 0 }

    func condition(_ type: String) -> JSONValue? {
        self[path: "status", "conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    var isReadyPod: Bool { condition("Ready")?["status"]?.stringValue == "True" }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
