import ChatOps
import Foundation
import Testing

@Suite struct ConfigurationTests {
    let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"

    func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatops-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func theExampleFileLoads() throws {
        let example = ChatCluster.repositoryRoot.appendingPathComponent("docs/chatops-configuration.yaml")
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try (secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        let text = try String(contentsOf: example, encoding: .utf8)
            .replacingOccurrences(of: "/etc/slipway/chatops/callback-secret", with: secretFile)
            .replacingOccurrences(of: "/etc/slipway/chatops/github-token", with: secretFile)
        try withFile(text) { path in
            let configuration = try ChatOpsConfiguration.load(fileAt: path, environment: [:])
            #expect(configuration.namespace == "shop")
            #expect(configuration.roles["admin"] == [111111111])
            #expect(configuration.allowedChats.contains(-1001234567890))
            #expect(configuration.callbackSecret == Array(secret.utf8))
        }
    }

    @Test func fileAndEnvironmentCombine() throws {
        try withFile("""
            namespace: shop
            chats: [-100, 5]
            roles:
              admin: [1]
              release-managers: ["3"]
            confirmEnvironments: [production, payments]
            callbacks:
              lifetimeSeconds: 120
            audit:
              file: /tmp/audit.jsonl
            github:
              apiURL: http://127.0.0.1:9
            image:
              tagTemplate: "main-{short}"
            """) { path in
            let configuration = try ChatOpsConfiguration.load(fileAt: path, environment: [
                "ADMIN_TELEGRAM_IDS": "10, 11", "STAGING_TELEGRAM_IDS": "20", "TELEGRAM_CHAT_ID": "-999",
                "CHATOPS_CALLBACK_SECRET": secret, "GITHUB_TOKEN": "ghp_token",
            ])
            #expect(configuration.roles["admin"] == [1, 10, 11])
            #expect(configuration.roles["staging"] == [20])
            #expect(configuration.roles["release-managers"] == [3])
            #expect(configuration.allowedChats == [-100, 5, -999])
            #expect(configuration.notificationChat == -999)
            #expect(configuration.confirmEnvironments == ["production", "payments"])
            #expect(configuration.callbackLifetime == .seconds(120))
            #expect(configuration.github.apiBaseURL == "http://127.0.0.1:9")
            #expect(configuration.github.token == "ghp_token")
            #expect(configuration.imageTagTemplate == "main-{short}")
            // Secrets stay out of descriptions.
            let text = "\(configuration) \(String(reflecting: configuration)) \(configuration.github)"
            #expect(!text.contains(secret))
            #expect(!text.contains("ghp_token"))
        }
    }

    @Test func aMissingOrShortSecretIsExplained() throws {
        #expect(throws: ChatOpsError.self) { try ChatOpsConfiguration.load(fileAt: nil, environment: [:]) }
        do {
            _ = try ChatOpsConfiguration.load(fileAt: nil, environment: ["CHATOPS_CALLBACK_SECRET": "short"])
            Issue.record("a short secret was accepted")
        } catch {
            #expect("\(error)".contains("at least 32 bytes"))
            #expect(!"\(error)".contains("short\""))
        }
    }

    @Test func badValuesNameTheirField() throws {
        try withFile("roles:\n  admin: [alice]\n") { path in
            do {
                _ = try ChatOpsConfiguration.load(fileAt: path, environment: ["CHATOPS_CALLBACK_SECRET": secret])
                Issue.record("a bad id was accepted")
            } catch {
                #expect("\(error)".contains("roles.admin"))
            }
        }
        #expect(throws: ChatOpsError.self) {
            try ChatOpsConfiguration.load(fileAt: nil, environment: ["CHATOPS_CALLBACK_SECRET": secret, "ADMIN_TELEGRAM_IDS": "1;rm"])
        }
    }
}
