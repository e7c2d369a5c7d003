import Foundation
import JSON
import YAML

/// The kubeconfig that reaches the embedded cluster: a client-certificate user (the current
/// context) and a bearer-token user, both trusting the cluster CA.
/// See https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
enum Kubeconfig {
    static func make(server: String, credentials: ClusterCredentials?) -> JSONValue {
        var cluster: JSONValue = ["server": .string(server)]
        var users: [JSONValue] = []
        var contexts: [JSONValue] = []
        if let credentials {
            cluster["certificate-authority-data"] = .string(base64(credentials.caCertificatePEM))
            users.append([
                "name": "slipway-admin",
                "user": [
                    "client-certificate-data": .string(base64(credentials.clientCertificatePEM)),
                    "client-key-data": .string(base64(credentials.clientKeyPEM)),
                ],
            ])
            users.append(["name": "slipway-token", "user": ["token": .string(credentials.adminToken)]])
            contexts.append(["name": "slipway", "context": ["cluster": "slipway", "user": "slipway-admin", "namespace": "default"]])
            contexts.append(["name": "slipway-token", "context": ["cluster": "slipway", "user": "slipway-token", "namespace": "default"]])
        } else {
            users.append(["name": "slipway", "user": .emptyObject])
            contexts.append(["name": "slipway", "context": ["cluster": "slipway", "user": "slipway", "namespace": "default"]])
        }
        return [
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [["name": "slipway", "cluster": cluster]],
            "users": .array(users),
            "contexts": .array(contexts),
            "current-context": "slipway",
            "preferences": .emptyObject,
        ]
    }

    static func write(_ kubeconfig: JSONValue, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SecretFile.write(render(kubeconfig), to: url)
    }

    static func render(_ kubeconfig: JSONValue) -> String {
        YAML.emit(kubeconfig)
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
