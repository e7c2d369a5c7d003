import Telegram
import Testing

@Suite("Webhook deliveries")
struct WebhookVerifierTests {
    let secret = "s3cr3t_token-for-webhook"

    @Test("a delivery with the right secret is read as an update")
    func accepts() throws {
        let verifier = try WebhookVerifier(secretToken: secret)
        let body = Array(#"{"update_id":7,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,"text":"/status"}}"#.utf8)
        guard case .update(let update) = verifier.verify(secretHeader: secret, body: body) else {
            Issue.record("a valid delivery was refused")
            return
        }
        #expect(update.updateID == 7)
        #expect(update.message?.text == "/status")
    }

    @Test("a missing, wrong, longer or shorter secret is refused without reading the body")
    func refuses() throws {
        let verifier = try WebhookVerifier(secretToken: secret)
        let body = Array(#"{"update_id":7}"#.utf8)
        for header in [nil, "", "wrong", secret + "x", String(secret.dropLast()), secret.uppercased()] as [String?] {
            #expect(verifier.verify(secretHeader: header, body: body) == .forbidden)
        }
        // A body that is not even JSON: with the right secret it is unreadable, with a wrong one forbidden.
        #expect(verifier.verify(secretHeader: "nope", body: [0xFF, 0x00]) == .forbidden)
        #expect(verifier.verify(secretHeader: secret, body: [0xFF, 0x00]) == .unreadable)
    }

    @Test("secrets Telegram would refuse are refused here")
    func badSecrets() {
        #expect(throws: TelegramError.self) { try WebhookVerifier(secretToken: "") }
        #expect(throws: TelegramError.self) { try WebhookVerifier(secretToken: "has space") }
        #expect(throws: TelegramError.self) { try WebhookVerifier(secretToken: String(repeating: "a", count: 257)) }
        #expect(WebhookVerifier.generateSecret().count == 64)
        #expect((try? WebhookVerifier(secretToken: WebhookVerifier.generateSecret())) != nil)
    }
}
