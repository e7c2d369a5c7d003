import Foundation
@testable import Kube
import Testing

@Suite("Kube in-cluster configuration")
struct KubeInClusterTests {
    static let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    func serviceAccount(_ dir: TemporaryDirectory, namespace: String? = "shop") throws -> ServiceAccountPaths {
        try dir.write("sa/token", "token-1\n")
        try dir.write("sa/ca.crt", "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n")
        if let namespace { try dir.write("sa/namespace", namespace) }
        return ServiceAccountPaths(directory: (dir.path as NSString).appendingPathComponent("sa"))
    }

    @Test("server, CA, namespace and token come from the environment and the mounted files")
    func readsServiceAccount() throws {
        let dir = try TemporaryDirectory()
        let paths = try serviceAccount(dir)
        let config = try ClusterConfiguration.inCluster(environment: Self.environment, paths: paths)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "shop")
        #expect(config.tls.certificateAuthorityPEM?.isEmpty == false)
        #expect(!config.tls.insecureSkipVerify)
        guard case .tokenFile(let file) = config.credentials else {
            Issue.record("expected a token file")
            return
        }
        #expect(try file.token() == "token-1")
        #expect(!"\(config)".contains("token-1"))
    }

    @Test("an IPv6 service host is bracketed and a missing namespace file means default")
    func ipv6AndDefaultNamespace() throws {
        let dir = try TemporaryDirectory()
        let paths = try serviceAccount(dir, namespace: nil)
        let config = try ClusterConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"], paths: paths)
        #expect(config.server == "https://[fd00::1]:6443")
        #expect(config.namespace == "default")
    }

    @Test("a rotated token file is read again")
    func tokenRotation() throws {
        let dir = try TemporaryDirectory()
        let paths = try serviceAccount(dir)
        let file = TokenFile(path: paths.token)
        #expect(try file.token() == "token-1")
        // The kubelet writes the new token; its modification time changes.
        try "token-2-longer\n".write(toFile: paths.token, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 120)], ofItemAtPath: paths.token)
        #expect(try file.token() == "token-2-longer")
    }

    @Test("the token is re-read after the refresh interval even when the file looks unchanged")
    func refreshInterval() throws {
        let dir = try TemporaryDirectory()
        let paths = try serviceAccount(dir)
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: paths.token)
        let cached = TokenFile(path: paths.token, refreshInterval: .seconds(3600))
        let uncached = TokenFile(path: paths.token, refreshInterval: .zero)
        #expect(try cached.token() == "token-1")
        #expect(try uncached.token() == "token-1")
        // Same size and the same modification time: only the interval (or a 401) reveals it.
        try "token-9\n".write(toFile: paths.token, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: paths.token)
        #expect(try cached.token() == "token-1")
        #expect(try uncached.token() == "token-9")
        cached.invalidate()
        #expect(try cached.token() == "token-9")
    }

    @Test("outside a cluster, or with files missing, the error says what is wrong")
    func errors() throws {
        let dir = try TemporaryDirectory()
        #expect {
            _ = try ClusterConfiguration.inCluster(environment: [:], paths: ServiceAccountPaths(directory: dir.path))
        } throws: { error in "\(error)".contains("KUBERNETES_SERVICE_HOST") }
        #expect {
            _ = try ClusterConfiguration.inCluster(environment: Self.environment, paths: ServiceAccountPaths(directory: dir.path))
        } throws: { error in "\(error)".contains("ca.crt") }
        try dir.write("ca.crt", "CA")
        #expect {
            _ = try ClusterConfiguration.inCluster(environment: Self.environment, paths: ServiceAccountPaths(directory: dir.path))
        } throws: { error in "\(error)".contains("token") }
        try dir.write("token", "  \n")
        #expect {
            _ = try ClusterConfiguration.inCluster(environment: Self.environment, paths: ServiceAccountPaths(directory: dir.path))
        } throws: { error in "\(error)".contains("empty") }
    }
}
