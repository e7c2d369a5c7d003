import Foundation
import JSON
@testable import Kube
import Testing

@Suite("Kube exec credential plugin")
struct KubeExecPluginTests {
    /// A plugin that counts its runs in the file named by its first argument, records its
    /// second argument and KUBERNETES_EXEC_INFO, and prints a token numbered by the run.
    static let plugin = """
    #!/bin/sh
    echo run >> "$1"
    count=$(wc -l < "$1" | tr -d ' ')
    printf '%s' "$2" > "$1.arg"
    printf '%s' "$KUBERNETES_EXEC_INFO" > "$1.info"
    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s-%s","expirationTimestamp":"%s"}}\\n' "$TOKEN_PREFIX" "$count" "$EXPIRES"
    """

    func provider(_ dir: TemporaryDirectory, expires: String, argument: String = "plain") throws -> ExecCredentialProvider {
        try dir.write("bin/plugin", Self.plugin, executable: true)
        let config = ExecConfig(command: "bin/plugin", args: [(dir.path as NSString).appendingPathComponent("runs"), argument],
                                env: [("TOKEN_PREFIX", "tok"), ("EXPIRES", expires)], provideClusterInfo: true, baseDirectory: dir.path)
        return ExecCredentialProvider(config: config, server: "https://api.example:6443")
    }

    @Test("the token is read from the plugin and cached until it expires")
    func cachesUntilExpiry() async throws {
        let dir = try TemporaryDirectory()
        let exec = try provider(dir, expires: "2099-01-01T00:00:00Z")
        let first = try await exec.credential()
        #expect(first.token == "tok-1")
        #expect(first.expirationTimestamp == RFC3339.parse("2099-01-01T00:00:00Z"))
        #expect(try await exec.credential().token == "tok-1")
        #expect(await exec.runCount == 1)
        #expect(!first.description.contains("tok-1"))
    }

    @Test("an expired credential runs the plugin again")
    func rerunsWhenExpired() async throws {
        let dir = try TemporaryDirectory()
        let exec = try provider(dir, expires: "2099-01-01T00:00:00Z")
        let now = Date()
        #expect(try await exec.credential(now: now).token == "tok-1")
        // Far in the future the cached credential has expired.
        #expect(try await exec.credential(now: Date(timeIntervalSince1970: 4_100_000_000)).token == "tok-2")
        #expect(await exec.runCount == 2)
    }

    @Test("after a 401 the cached credential is dropped and the plugin runs again")
    func invalidate() async throws {
        let dir = try TemporaryDirectory()
        let exec = try provider(dir, expires: "2099-01-01T00:00:00Z")
        #expect(try await exec.credential().token == "tok-1")
        await exec.invalidate()
        #expect(try await exec.credential().token == "tok-2")
    }

    @Test("concurrent callers share one run of the plugin")
    func concurrentCallersShareOneRun() async throws {
        let dir = try TemporaryDirectory()
        let exec = try provider(dir, expires: "2099-01-01T00:00:00Z")
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<10 { group.addTask { try await exec.credential().token } }
            var tokens: [String?] = []
            for try await token in group { tokens.append(token) }
            return tokens
        }
        #expect(Set(tokens) == ["tok-1"])
        #expect(await exec.runCount == 1)
    }

    @Test("arguments reach the plugin verbatim, with no shell in between, and it gets KUBERNETES_EXEC_INFO")
    func argumentsAndExecInfo() async throws {
        let dir = try TemporaryDirectory()
        let hostile = "a b; echo pwned > $(pwd)/pwned `id` \"q\""
        let exec = try provider(dir, expires: "2099-01-01T00:00:00Z", argument: hostile)
        _ = try await exec.credential()
        #expect(try dir.read("runs.arg") == hostile)
        #expect(!FileManager.default.fileExists(atPath: (dir.path as NSString).appendingPathComponent("pwned")))
        let info = try JSONValue(parsing: try dir.read("runs.info"))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
        #expect(info[path: "spec", "interactive"] == false)
        #expect(info[path: "spec", "cluster", "server"] == "https://api.example:6443")
    }

    @Test("a client certificate and key from the plugin are returned, and never printed")
    func clientCertificate() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("cert-plugin", """
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEYMATERIAL"}}'
        """, executable: true)
        let exec = ExecCredentialProvider(config: ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1",
                                                             command: (dir.path as NSString).appendingPathComponent("cert-plugin")))
        let credential = try await exec.credential()
        #expect(credential.clientCertificateData == "CERT")
        #expect(credential.clientKeyData == "KEYMATERIAL")
        #expect(credential.token == nil)
        var dumped = ""
        dump(credential, to: &dumped)
        #expect(!dumped.contains("KEYMATERIAL") && !"\(credential)".contains("KEYMATERIAL"))
    }

    @Test("a failing, missing or confused plugin gives a clear error")
    func failures() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("fail", "#!/bin/sh\necho 'login required: run sso-login' >&2\nexit 3\n", executable: true)
        try dir.write("garbage", "#!/bin/sh\necho 'hello'\n", executable: true)
        try dir.write("empty-status", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'\n", executable: true)
        try dir.write("wrong-version", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'\n", executable: true)

        func message(_ command: String, hint: String? = nil) async -> String {
            let exec = ExecCredentialProvider(config: ExecConfig(command: command, installHint: hint, baseDirectory: dir.path))
            do {
                _ = try await exec.credential()
                return "no error"
            } catch {
                return error.description
            }
        }
        let failed = await message("./fail")
        #expect(failed.contains("status 3") && failed.contains("login required"))
        #expect(await message("./garbage").contains("did not print a JSON ExecCredential"))
        #expect(await message("./empty-status").contains("status.token"))
        #expect(await message("./wrong-version").contains("v1beta1"))
        let missing = await message("no-such-plugin-\(UUID().uuidString)", hint: "install it with: brew install thing")
        #expect(missing.contains("not found in PATH") && missing.contains("brew install thing"))
        #expect(await message("./absent").contains("does not exist"))
    }
}
